import {existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {createHash} from 'node:crypto'
import {dirname, join} from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'

import {runCli, until} from '../helpers.js'
import {EXISTING_PLUGINS, GIT_IDENTITY, cloneOfModule} from '../existing-plugins.js'
import {type DevServer, type Running, installVault, readServerState, startVaultkit, vaultHttp} from './vault.js'

// HashiCorp's own KV, as a user who clones it meets vaultkit: plugin init, then the dev loop, a release, and
// registers, all against a real Vault. Nothing here was written for the test but the edits a user makes.
const BINARY = 'vault-plugin-secrets-kv'
let repo: string
let dev: Running | undefined
let server: DevServer

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex')
const git = (...args: string[]) => execa('git', args, {cwd: repo, env: GIT_IDENTITY})
const vaultkit = (args: string[]) => runCli([...args, '--project', repo])

beforeAll(async () => {
  await installVault()
  repo = await cloneOfModule(EXISTING_PLUGINS.kv)
}, 1_800_000)

afterAll(async () => {
  if (dev && dev.exitCode === null) {
    dev.kill('SIGINT')
    await dev
  }
  if (repo) {
    await vaultkit(['server', 'stop'])
    rmSync(dirname(repo), {recursive: true, force: true})
  }
})

describe("HashiCorp's vault-plugin-secrets-kv, taken into vaultkit", () => {
  test('before plugin init, a command says to run it', async () => {
    const result = await vaultkit(['plugin', 'build'])
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toMatch(/is not set up for vaultkit: .vaultkit.json does not describe a plugin here: run `vaultkit plugin init`/)
  })

  test('plugin init --dry-run shows the file and writes nothing', async () => {
    const result = await vaultkit(['plugin', 'init', '--yes', '--dry-run'])
    expect(result.exitCode, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/\.vaultkit\.json would be:\n\{/)
    expect(existsSync(join(repo, '.vaultkit.json'))).toBe(false)
  })

  test('plugin init --yes finds the plugin and writes .vaultkit.json, and nothing else', {timeout: 600_000}, async () => {
    const result = await vaultkit(['plugin', 'init', '--yes', '--json'])
    expect(result.exitCode, result.stderr).toBe(0)
    const {description, notes} = JSON.parse(result.stdout)
    expect(description).toMatchObject({
      main: `./cmd/${BINARY}`,
      binary: BINARY,
      type: 'secret',
      // Vault's core serves kv itself, so an external KV takes another name.
      name: 'kv-ext',
      version: {from: 'none'},
      build: {tags: [BINARY], cgo: false},
      pluginDirectory: '.vaultkit/plugins',
    })
    expect(notes.join('\n')).toMatch(/Vault's core serves "kv" itself/)
    expect((await git('status', '--porcelain')).stdout).toBe('?? .vaultkit.json')
  })

  test('a second plugin init refuses to overwrite it without --force', async () => {
    const before = readFileSync(join(repo, '.vaultkit.json'), 'utf8')
    const result = await vaultkit(['plugin', 'init', '--yes'])
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toMatch(/already describes the plugin: edit it by hand, or pass --force/)
    expect(readFileSync(join(repo, '.vaultkit.json'), 'utf8')).toBe(before)
  })

  test('plugin dev serves this build: a secret written and read through the HTTP API', {timeout: 600_000}, async () => {
    dev = startVaultkit(['plugin', 'dev', '--project', repo])
    await dev.waitFor(/Watching for changes/, 600_000)
    expect(dev.output).toMatch(/✔ ready: .*register [\d.]+ s \(enabled\)/)
    server = readServerState(repo)
    expect((await vaultHttp(server, 'POST', 'kv-ext/app', {password: 's3cret'})).status).toBe(204)
    expect((await vaultHttp(server, 'GET', 'kv-ext/app')).body.data).toEqual({password: 's3cret'})
    const mounts = (await vaultHttp(server, 'GET', 'sys/mounts')).body.data
    expect(mounts['kv-ext/']).toMatchObject({type: 'kv-ext', running_sha256: sha256(join(repo, '.vaultkit/plugins', BINARY))})
    // The state folder keeps itself out of git: the root token is never one `git add .` away.
    expect((await git('status', '--porcelain')).stdout).toBe('?? .vaultkit.json')
  })

  test('an edit of a Go file is rebuilt, registered and reloaded, with the data kept', {timeout: 600_000}, async () => {
    const before = (await vaultHttp(server, 'GET', 'sys/mounts')).body.data['kv-ext/'].running_sha256
    const from = dev!.output.length
    // The mount runs KV's passthrough (version 1) backend: its help text gets a line.
    const passthrough = join(repo, 'passthrough.go')
    writeFileSync(passthrough, readFileSync(passthrough, 'utf8').replace('Help:        strings.TrimSpace(passthroughHelp),', 'Help:        strings.TrimSpace(passthroughHelp) + "\\n(local build)",'))
    await dev!.waitFor(/✔ changed passthrough\.go: .*\(reloaded\)/, 300_000, from)
    const after = (await vaultHttp(server, 'GET', 'sys/mounts')).body.data['kv-ext/'].running_sha256
    expect(after).not.toBe(before)
    expect(after).toBe(sha256(join(repo, '.vaultkit/plugins', BINARY)))
    expect((await vaultHttp(server, 'GET', 'kv-ext/app')).body.data).toEqual({password: 's3cret'})
    expect((await vaultHttp(server, 'GET', 'kv-ext?help=1')).body.help).toMatch(/\(local build\)/)
    dev!.kill('SIGINT')
    await dev
  })

  test('plugin release builds the described main package; a real Vault registers the zip with its printed sha256', {timeout: 900_000}, async () => {
    await git('add', '--all')
    await git('commit', '--quiet', '--message', 'vaultkit')
    const released = await vaultkit(['plugin', 'release', '--platform', 'linux/amd64', '--skip-audit', '--json'])
    expect(released.exitCode, released.stderr).toBe(0)
    const release = JSON.parse(released.stdout)
    // KV reports no version: the release is named for the commit's nearest tag, v0.25.0.
    expect(release).toMatchObject({binary: BINARY, version: '0.25.0', program: 'vaultkit'})
    const linux = release.platforms[0]
    expect(linux.zip).toBe(`${BINARY}_0.25.0_linux_amd64.zip`)

    expect((await vaultkit(['server', 'start', '--json'])).exitCode).toBe(0)
    server = readServerState(repo)
    const pluginDir = join(repo, '.vaultkit/plugins')
    await execa('unzip', ['-o', '-j', join(release.out, linux.zip), '-d', join(pluginDir, 'released')])
    renameSync(join(pluginDir, 'released', BINARY), join(pluginDir, `${BINARY}-released`))
    const registered = await vaultkit(['plugin', 'register', '--json', '--sha256', linux.sha256, '--command', `${BINARY}-released`, '--type', 'secret', '--name', 'kv-released'])
    expect(registered.exitCode, registered.stderr).toBe(0)
    expect(JSON.parse(registered.stdout)).toMatchObject({mount: 'enabled', sha256: linux.sha256})
    expect(JSON.parse(registered.stdout).version).toBeUndefined()
    expect((await vaultHttp(server, 'POST', 'kv-released/app', {user: 'ops'})).status).toBe(204)
    expect((await vaultHttp(server, 'GET', 'kv-released/app')).body.data).toEqual({user: 'ops'})
  })

  test('register --binary without a version mounts it unversioned, as the vault CLI does', async () => {
    const result = await vaultkit(['plugin', 'register', '--json', '--binary', join(repo, '.vaultkit/plugins', BINARY), '--type', 'secret', '--name', 'kv-plain'])
    expect(result.exitCode, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({mount: 'enabled', catalog: 'registered'})
    const mount = (await vaultHttp(server, 'GET', 'sys/mounts')).body.data['kv-plain/']
    expect(mount.running_plugin_version ?? '').toBe('')
    expect(mount.running_sha256).toBe(sha256(join(repo, '.vaultkit/plugins', BINARY)))
  })

  test('a register that fails takes its catalog entry back', async () => {
    // secret/ is the dev server's own kv mount: enabling another plugin there fails after the catalog write.
    const result = await vaultkit(['plugin', 'register', '--binary', join(repo, '.vaultkit/plugins', BINARY), '--type', 'secret', '--name', 'kv-doomed', '--path', 'secret'])
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toMatch(/secret\/ is already a mount of "kv"/)
    expect((await vaultHttp(server, 'GET', 'sys/plugins/catalog/secret/kv-doomed')).status).toBe(404)
  })

  test('plugin docs documents KV mounted as version 2, and every curl line it prints answers 2xx', {timeout: 600_000}, async () => {
    // Vault lets only its own kv take options.version when a mount is enabled, but any mount when it is
    // tuned: enabled as it is, then tuned to version 2, as an operator would.
    expect((await vaultkit(['plugin', 'register', '--path', 'kv2'])).exitCode).toBe(0)
    expect((await vaultHttp(server, 'POST', 'sys/mounts/kv2/tune', {options: {version: '2'}})).status).toBe(200)
    await until('KV upgraded to version 2', async () => (await vaultHttp(server, 'POST', 'kv2/data/probe', {data: {a: 'b'}})).status === 200)
    const result = await vaultkit(['plugin', 'docs', '--path', 'kv2'])
    expect(result.exitCode, result.stderr).toBe(0)
    const text = readFileSync(join(repo, 'docs/api.md'), 'utf8')
    rmSync(join(repo, 'docs'), {recursive: true})
    const sections = text.split(/\n(?=### )/).slice(1)
    for (const path of ['/kv2/config', '/kv2/data/{path}', '/kv2/metadata/{path}']) expect(text).toContain(`## \`${path}\``)
    for (const field of ['max_versions', 'cas_required', 'delete_version_after', 'custom_metadata']) expect(text).toContain(`| \`${field}\` |`)
    expect(sections.length).toBeGreaterThan(10)
    const work = mkdtempSync(join(tmpdir(), 'vaultkit-kv-curl-'))
    try {
      for (const section of sections) {
        // Each request on a secret that exists (and one below it, for the list), as a reader would have.
        for (const path of ['kv2/data/my-path', 'kv2/data/my-path/my-path']) await vaultHttp(server, 'POST', path, {data: {a: 'b'}})
        const payload = /#### Sample payload\n\n```json\n([\s\S]*?)\n```/.exec(section)?.[1]
        if (payload) writeFileSync(join(work, 'payload.json'), payload)
        const curl = /```shell-session\n\$ (curl[\s\S]*?)\n```/.exec(section)![1]!
        const run = await execa('bash', ['-c', curl.replace('curl', 'curl --silent --output response --write-out "%{http_code}"')], {cwd: work, env: {VAULT_ADDR: server.addr, VAULT_TOKEN: server.token}, reject: false})
        expect(run.stdout, `${section.split('\n')[0]}: ${existsSync(join(work, 'response')) ? readFileSync(join(work, 'response'), 'utf8') : run.stderr}`).toMatch(/^2\d\d$/)
      }
    } finally {
      rmSync(work, {recursive: true, force: true})
    }
  })
})
