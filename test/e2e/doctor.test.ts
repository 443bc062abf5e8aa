import {spawn} from 'node:child_process'
import {chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'

import type {DoctorCheck} from '../../src/lib/doctor.js'
import {isProcessAlive} from '../../src/lib/vault/processes.js'
import {goVersions} from '../../src/lib/versions.js'
import {govulncheckBinary} from '../../src/lib/audit/govulncheck.js'
import {freePort, runCli, tempDir, unwritableDir} from '../helpers.js'
import {vulnDatabase} from '../go/go-tools.js'
import {type DevServer, installVault, readServerState, scaffold, vaultHttp} from './vault.js'

// `vaultkit doctor` against the real go, git and Vault of this machine, and faults made for real.
const parent = mkdtempSync(join(tmpdir(), 'vaultkit-e2e-doctor-'))
const NODE_ONLY = dirname(process.execPath)
const transcript: string[] = []
let vaultBin: string
let project: string
let server: DevServer

async function doctor(args: string[], env: Record<string, string> = {}, cwd?: string) {
  const result = await runCli(['doctor', '--json', ...args], {env, cwd})
  transcript.push(result.stdout, result.stderr)
  const report = JSON.parse(result.stdout) as {ok: boolean; checks: DoctorCheck[]}
  return {exitCode: result.exitCode, report, check: (name: string) => report.checks.find((c) => c.check === name)}
}

/** A token of the dev server under a policy made for it. */
async function tokenWith(name: string, policy: string, options: Record<string, unknown> = {}): Promise<string> {
  expect((await vaultHttp(server, 'PUT', `sys/policies/acl/${name}`, {policy})).status).toBe(204)
  return String((await vaultHttp(server, 'POST', 'auth/token/create', {policies: [name], ...options})).body.auth.client_token)
}

beforeAll(async () => {
  vaultBin = await installVault()
  // Doctor scans only with a govulncheck already installed (it never installs one): on a fresh machine,
  // install it here as `plugin audit` would.
  await govulncheckBinary()
  project = await scaffold('secrets', parent)
  expect((await runCli(['server', 'start', '--project', project])).exitCode).toBe(0)
  server = readServerState(project)
}, 1_800_000)

afterAll(async () => {
  await runCli(['server', 'stop', '--project', project])
  rmSync(parent, {recursive: true, force: true})
})

describe('doctor', () => {
  test('a project with a running dev server: every check ok, in the order to fix them', async () => {
    expect((await runCli(['plugin', 'build', '--project', project])).exitCode).toBe(0)
    const {exitCode, report, check} = await doctor(['--project', project, '--vault-bin', vaultBin, '--vuln-db', await vulnDatabase()])
    expect(exitCode).toBe(0)
    expect(report.ok).toBe(true)
    // Born clean, the plugin calls no vulnerable module; a Go older than the project's .go-version may still
    // bring standard-library advisories, which is a warning (plugin release would stop on them).
    const vulnerabilities = check('vulnerabilities')!
    expect(vulnerabilities.status === 'ok' || /^the plugin calls code with \d+ known vulnerabilit(y|ies) \(the standard library of go[\d.]+\)/.test(vulnerabilities.detail), vulnerabilities.detail).toBe(true)
    expect(report.checks.map((c) => [c.check, c.status])).toEqual([
      ['node', 'ok'],
      ['go', 'ok'],
      ['git', 'ok'],
      ['vault binary', 'ok'],
      ['project', 'ok'],
      ['plugin directory', 'ok'],
      ['vulnerabilities', vulnerabilities.status],
      ['vault server', 'ok'],
      ['token', 'ok'],
    ])
    expect(report.checks.find((c) => c.check === 'plugin directory')?.detail).toBe(`${join(project, 'vault/plugins')}: holds vault-plugin-secrets-hello`)
    expect(report.checks.find((c) => c.check === 'vault server')?.detail).toMatch(/^Vault v1\.\d+\.\d+ at http:\/\/127\.0\.0\.1:\d+ \(the dev server of this project\)$/)
  })

  test('prints one line a check, a fix under each problem, and a summary', async () => {
    const result = await runCli(['doctor', '--vault-bin', vaultBin], {cwd: parent, env: {VAULT_ADDR: '', VAULT_TOKEN: ''}})
    transcript.push(result.stdout, result.stderr)
    expect(result.exitCode).toBe(0)
    const lines = result.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^ok {7}node {10}v\d+\./)
    expect(lines).toContain(`skipped  project       ${parent} holds no go.mod: not a plugin project, so only the tools are checked`)
    expect(lines).toContain('warning  vault server  There is no Vault to talk to')
    expect(lines).toContain('                       fix: start a dev server with `vaultkit server start`, or set VAULT_ADDR and VAULT_TOKEN')
    expect(lines.at(-1)).toBe('no failures, 1 warning')
  })

  test('without govulncheck installed, doctor skips the scan (it does not install it) and says what does', async () => {
    const {exitCode, check} = await doctor(['--project', project, '--vault-bin', vaultBin], {XDG_CACHE_HOME: tempDir()})
    expect(exitCode).toBe(0)
    expect(check('vulnerabilities')).toMatchObject({status: 'skipped', fix: '`vaultkit plugin audit` installs it and scans'})
  })

  test('a vulnerability database that cannot be read is a warning naming --vuln-db', async () => {
    const {exitCode, check} = await doctor(['--project', project, '--vault-bin', vaultBin, '--vuln-db', `file://${join(parent, 'no-such-db')}`])
    expect(exitCode).toBe(0)
    expect(check('vulnerabilities')).toMatchObject({status: 'warning', detail: expect.stringMatching(/^not scanned: /), fix: expect.stringContaining('--vuln-db')})
  })

  test('a served database where nothing listens is said at once, without a scan; behind a proxy, govulncheck is left to try', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`
    const offline = await doctor(['--project', project, '--vault-bin', vaultBin, '--vuln-db', closed])
    expect(offline.check('vulnerabilities')).toMatchObject({
      status: 'warning',
      detail: `not scanned: cannot read the vulnerability database ${closed}: ${new URL(closed).host} is not reachable (ECONNREFUSED)`,
      fix: expect.stringContaining('--vuln-db'),
    })
    // With a proxy set (Go follows HTTP_PROXY, Node's fetch does not), vaultkit does not decide: govulncheck
    // runs and says what it could not reach (here directly: Go sends nothing for 127.0.0.1 through a proxy).
    const proxied = await doctor(['--project', project, '--vault-bin', vaultBin, '--vuln-db', closed], {HTTP_PROXY: closed, NO_PROXY: ''})
    const said = proxied.check('vulnerabilities')!
    expect(said).toMatchObject({status: 'warning', detail: expect.stringMatching(new RegExp(`^not scanned: cannot read the vulnerability database ${closed}: `))})
    expect(said.detail).not.toContain('is not reachable')
  })

  test('go missing fails (exit 1) and says which Go to install; git missing is a warning', async () => {
    const {exitCode, report, check} = await doctor(['--project', project, '--vault-bin', vaultBin], {PATH: NODE_ONLY})
    expect(exitCode).toBe(1)
    expect(report.ok).toBe(false)
    expect(check('go')).toEqual({check: 'go', status: 'failed', detail: 'go was not found on PATH', fix: `install Go ${goVersions.goDirective} or newer (https://go.dev/dl/)`})
    expect(check('git')).toMatchObject({status: 'warning', detail: 'git was not found on PATH: plugin new makes no repository'})
  })

  test('no vault binary anywhere is a warning that says how to get one', async () => {
    const env = {PATH: NODE_ONLY, XDG_CACHE_HOME: tempDir(), VAULTKIT_VAULT_BIN: ''}
    expect((await doctor([], env, parent)).check('vault binary')).toEqual({
      check: 'vault binary',
      status: 'warning',
      detail: 'No vault binary was found',
      fix: 'run `vaultkit server install` to get one, or pass --vault-bin',
    })
  })

  test('a vault binary too old for versioned plugins fails', async () => {
    // A stand-in that answers `vault version` as Vault 1.11 did: no such release can be built here.
    const old = join(tempDir(), 'vault')
    writeFileSync(old, "#!/bin/sh\necho \"Vault v1.11.12 ('abc'), built 2023-01-01T00:00:00Z\"\n")
    chmodSync(old, 0o755)
    const {exitCode, check} = await doctor(['--vault-bin', old], {}, parent)
    expect(exitCode).toBe(1)
    expect(check('vault binary')).toMatchObject({status: 'failed', detail: `${old} is Vault v1.11.12; plugin versions need Vault 1.12 or newer`})
  })

  test('a project missing a file fails, naming it', async () => {
    const broken = await scaffold('secrets', parent, 'broken')
    rmSync(join(broken, 'version'), {recursive: true})
    const {exitCode, check} = await doctor(['--project', broken, '--vault-bin', vaultBin])
    expect(exitCode).toBe(1)
    expect(check('project')).toMatchObject({status: 'failed', detail: `${join(broken, 'version/version.go')} is missing: .vaultkit.json says the plugin's version lives there`})
  })

  test('a plugin directory nobody may write to fails', async () => {
    const other = await scaffold('secrets', parent, 'readonly')
    const locked = unwritableDir()
    const file = join(other, '.vaultkit.json')
    const described = JSON.parse(readFileSync(file, 'utf8'))
    described.plugin.pluginDirectory = locked
    writeFileSync(file, JSON.stringify(described))
    const {exitCode, check} = await doctor(['--project', other, '--vault-bin', vaultBin])
    expect(exitCode).toBe(1)
    expect(check('plugin directory')).toMatchObject({status: 'failed', detail: `${locked} is not writable`})
  })

  test('a vault-config.hcl whose plugin directory is not the described one is a warning', async () => {
    const other = await scaffold('secrets', parent, 'elsewhere')
    const config = join(other, 'vault-config.hcl')
    writeFileSync(config, readFileSync(config, 'utf8').replace('plugin_directory = "./vault/plugins"', 'plugin_directory = "./plugins"'))
    const {check} = await doctor(['--project', other, '--vault-bin', vaultBin])
    expect(check('plugin directory')).toMatchObject({status: 'warning', detail: 'vault-config.hcl names ./plugins, .vaultkit.json ./vault/plugins'})
  })

  test('a token that may not register plugins is a warning; a bad token fails; neither is printed', async () => {
    const limited = await tokenWith('catalog-reader', 'path "sys/plugins/catalog/*" { capabilities = ["read", "list"] }')
    const reader = await doctor(['--project', project, '--vault-bin', vaultBin], {VAULT_ADDR: server.addr, VAULT_TOKEN: limited})
    expect(reader.exitCode).toBe(0)
    expect(reader.check('token')).toEqual({
      check: 'token',
      status: 'warning',
      detail: 'valid, but may not register plugins (capabilities on sys/plugins/catalog/secret/hello: list, read)',
      fix: 'use a token whose policy grants read, update and sudo on sys/plugins/catalog/*',
    })
    const bad = await doctor(['--project', project, '--vault-bin', vaultBin], {VAULT_ADDR: server.addr, VAULT_TOKEN: 'not-a-token'})
    expect(bad.exitCode).toBe(1)
    expect(bad.check('token')?.detail).toMatch(/refused the token \(403 on GET auth\/token\/lookup-self: permission denied; invalid token\)$/)
    for (const text of transcript) {
      expect(text).not.toContain(limited)
      expect(text).not.toContain('not-a-token')
    }
  })

  test('the token must read, update and sudo the catalog entry, as register does; without a project any entry serves', async () => {
    const token = (name: string, capabilities: string[]) =>
      tokenWith(name, `path "sys/plugins/catalog/*" { capabilities = ${JSON.stringify(capabilities)} }`)
    // A token without the default policy may not even ask for its capabilities.
    const bare = await tokenWith('lookup-only', 'path "auth/token/lookup-self" { capabilities = ["read"] }', {no_default_policy: true})
    const blind = await doctor(['--vault-bin', vaultBin], {VAULT_ADDR: server.addr, VAULT_TOKEN: bare}, parent)
    expect(blind.exitCode).toBe(0)
    expect(blind.check('token')).toMatchObject({status: 'warning', detail: expect.stringMatching(/^valid, but its capabilities cannot be read: .*refused the token \(403 on POST sys\/capabilities-self/)})
    const createOnly = await token('catalog-create', ['create', 'sudo'])
    const asRegister = await token('catalog-register', ['read', 'update', 'sudo'])
    const noProject = (t: string) => doctor(['--vault-bin', vaultBin], {VAULT_ADDR: server.addr, VAULT_TOKEN: t}, parent)
    expect((await noProject(createOnly)).check('token')).toMatchObject({status: 'warning', detail: 'valid, but may not register plugins (capabilities on sys/plugins/catalog/secret/example: create, sudo)'})
    expect((await noProject(asRegister)).check('token')).toMatchObject({status: 'ok', detail: 'valid, and may register plugins (read, sudo, update on sys/plugins/catalog/secret/example)'})
    const inProject = await doctor(['--project', project, '--vault-bin', vaultBin], {VAULT_ADDR: server.addr, VAULT_TOKEN: asRegister})
    expect(inProject.check('token')).toMatchObject({status: 'ok', detail: 'valid, and may register plugins (read, sudo, update on sys/plugins/catalog/secret/hello)'})
    // What the check promises, register does with that token.
    expect((await runCli(['plugin', 'build', '--project', project])).exitCode).toBe(0)
    const registered = await runCli(['plugin', 'register', '--project', project], {env: {VAULT_ADDR: server.addr, VAULT_TOKEN: asRegister}})
    // Past the catalog (read, then write) to the mounts, which this token was not given.
    expect(registered.stderr).toMatch(/refused the token \(403 on GET sys\/mounts: permission denied\)/)
    expect((await vaultHttp(server, 'GET', 'sys/plugins/catalog/secret/hello?version=v0.1.0')).body.data).toMatchObject({name: 'hello', version: 'v0.1.0'})
  })

  test('a --project that is not a project fails; so does a go.mod asking for a newer Go', async () => {
    const missing = await doctor(['--project', join(parent, 'nowhere'), '--vault-bin', vaultBin])
    expect(missing.exitCode).toBe(1)
    expect(missing.check('project')).toEqual({check: 'project', status: 'failed', detail: `${join(parent, 'nowhere')} does not exist`, fix: 'pass --project the folder of a plugin project'})
    const future = await scaffold('secrets', parent, 'future')
    const goMod = join(future, 'go.mod')
    writeFileSync(goMod, readFileSync(goMod, 'utf8').replace(/^go .*$/m, 'go 1.99.0'))
    const newer = await doctor(['--project', future, '--vault-bin', vaultBin])
    expect(newer.exitCode).toBe(1)
    expect(newer.check('go')).toMatchObject({status: 'failed', detail: expect.stringMatching(/^go1\.\d+\.\d+ is older than the Go 1\.99\.0 this project needs$/)})
  })

  test('a damaged state file, an unreadable VAULT_CACERT and a dev server that does not answer are failed checks', async () => {
    const damaged = await scaffold('secrets', parent, 'damaged')
    mkdirSync(join(damaged, '.vaultkit'))
    writeFileSync(join(damaged, '.vaultkit/server.json'), '{"addr": ')
    const broken = await doctor(['--project', damaged, '--vault-bin', vaultBin], {VAULT_ADDR: '', VAULT_TOKEN: ''})
    expect(broken.exitCode).toBe(1)
    expect(broken.check('vault server')).toMatchObject({status: 'failed', detail: `${join(damaged, '.vaultkit/server.json')} is damaged: it does not say which dev server runs`})

    const noCa = await doctor(['--project', project, '--vault-bin', vaultBin], {VAULT_ADDR: server.addr, VAULT_TOKEN: server.token, VAULT_CACERT: join(parent, 'none.pem')})
    expect(noCa.check('vault server')).toMatchObject({status: 'failed', detail: `VAULT_CACERT ${join(parent, 'none.pem')} cannot be read (ENOENT)`})

    // A process that looks like this project's dev server (its command line), on a port where nothing answers.
    const silent = await scaffold('secrets', parent, 'silent')
    const port = await freePort()
    const stand = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'server', `-dev-listen-address=127.0.0.1:${port}`], {stdio: 'ignore'})
    try {
      mkdirSync(join(silent, '.vaultkit'))
      writeFileSync(join(silent, '.vaultkit/server.json'), JSON.stringify({addr: `http://127.0.0.1:${port}`, token: 'dev-token', pid: stand.pid, port}))
      const quiet = await doctor(['--project', silent, '--vault-bin', vaultBin], {VAULT_ADDR: '', VAULT_TOKEN: ''})
      expect(quiet.check('dev server')).toBeUndefined()
      expect(quiet.check('vault server')).toEqual({
        check: 'vault server',
        status: 'failed',
        detail: `the dev server of this project runs but does not answer at http://127.0.0.1:${port}`,
        fix: 'restart it: `vaultkit server stop`, then `vaultkit server start`',
      })
    } finally {
      stand.kill()
    }
  })

  test('a sealed dev server fails, with how to get a working one', async () => {
    const other = await scaffold('secrets', parent, 'sealed')
    expect((await runCli(['server', 'start', '--project', other])).exitCode).toBe(0)
    try {
      expect((await vaultHttp(readServerState(other), 'PUT', 'sys/seal')).status).toBe(204)
      const {exitCode, check} = await doctor(['--project', other, '--vault-bin', vaultBin])
      expect(exitCode).toBe(1)
      expect(check('vault server')).toMatchObject({status: 'failed', fix: 'restart it: `vaultkit server stop`, then `vaultkit server start`'})
      expect(check('vault server')?.detail).toMatch(/^Vault at http:\/\/127\.0\.0\.1:\d+ \(the dev server of this project\) is sealed$/)
    } finally {
      await runCli(['server', 'stop', '--project', other])
    }
  })

  test('a dev server that died is a warning, as is having no Vault at all', async () => {
    const other = await scaffold('secrets', parent, 'died')
    expect((await runCli(['server', 'start', '--project', other])).exitCode).toBe(0)
    const {pid} = readServerState(other) as DevServer & {pid: number}
    process.kill(pid, 'SIGKILL')
    while (isProcessAlive(pid)) await new Promise((r) => setTimeout(r, 20))
    const {exitCode, check} = await doctor(['--project', other, '--vault-bin', vaultBin], {VAULT_ADDR: '', VAULT_TOKEN: ''})
    expect(exitCode).toBe(0)
    expect(check('dev server')).toMatchObject({status: 'warning', fix: 'run `vaultkit server start`'})
    expect(check('dev server')?.detail).toMatch(new RegExp(`^the dev server recorded in \\.vaultkit \\(pid ${pid}, http://127\\.0\\.0\\.1:\\d+\\) is not running$`))
    expect(check('vault server')).toMatchObject({status: 'warning', detail: 'There is no Vault to talk to'})
    // Its address and token still in the environment (from `server env`): unreachable, not "does not answer".
    const {addr, token} = readServerState(other)
    const stale = await doctor(['--project', other, '--vault-bin', vaultBin], {VAULT_ADDR: addr, VAULT_TOKEN: token})
    expect(stale.check('dev server')).toMatchObject({status: 'warning'})
    expect(stale.check('vault server')).toMatchObject({status: 'failed', detail: `Vault at ${addr} is not reachable (ECONNREFUSED)`})
  })

  test('the root token appears in nothing doctor printed', () => {
    for (const text of transcript) expect(text).not.toContain(server.token)
  })
})
