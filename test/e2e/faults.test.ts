import {spawn} from 'node:child_process'
import {copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'

import {freePort, runCli} from '../helpers.js'
import {type DevServer, installVault, readServerState, scaffold, vaultHttp} from './vault.js'

// Faults produced for real against real Vault servers; each must give one line that says what to do.
const parent = mkdtempSync(join(tmpdir(), 'vaultkit-e2e-faults-'))
const transcript: string[] = []
let vaultBin: string
let project: string
let server: DevServer
let binary: string

async function vaultkit(args: string[], env: Record<string, string> = {}) {
  const result = await runCli(args, {env})
  transcript.push(result.stdout, result.stderr)
  return result
}

function expectOneLineError(result: {exitCode?: number; stderr: string}, message: RegExp) {
  expect(result.stderr.trim()).toMatch(message)
  expect(result.stderr.trim().split('\n')).toHaveLength(1)
  expect(result.exitCode).not.toBe(0)
}

beforeAll(async () => {
  vaultBin = await installVault()
  project = await scaffold('secrets', parent)
  expect((await vaultkit(['server', 'start', '--project', project])).exitCode).toBe(0)
  server = readServerState(project)
  expect((await vaultkit(['plugin', 'build', '--project', project])).exitCode).toBe(0)
  binary = join(project, 'vault/plugins/vault-plugin-secrets-hello')
}, 1_800_000)

afterAll(async () => {
  await vaultkit(['server', 'stop', '--project', project])
  rmSync(parent, {recursive: true, force: true})
})


describe('register faults against real servers', () => {
  test('Vault unreachable', async () => {
    const addr = `http://127.0.0.1:${await freePort()}`
    const result = await vaultkit(['plugin', 'register', '--project', project, '--vault-addr', addr], {VAULT_TOKEN: 'x'})
    expectOneLineError(result, new RegExp(`^Error: Vault at ${addr} is not reachable \\(ECONNREFUSED\\): start a dev server`))
  })

  test('wrong token (403)', async () => {
    const result = await vaultkit(['plugin', 'register', '--project', project], {VAULT_ADDR: server.addr, VAULT_TOKEN: 'not-the-token'})
    expectOneLineError(result, /^Error: Vault at .* refused the token \(403 on GET sys\/plugins\/catalog\/secret\/hello\?version=v0\.1\.0: permission denied; invalid token\): set VAULT_TOKEN/)
    expect(result.stderr).not.toContain('not-the-token')
  })

  test('no token at all', async () => {
    // localhost rather than 127.0.0.1: a Vault that is not this project's dev server, so no token is known.
    const addr = server.addr.replace('127.0.0.1', 'localhost')
    const result = await vaultkit(['plugin', 'register', '--project', project], {VAULT_ADDR: addr, HOME: parent})
    expectOneLineError(result, /^Error: No token for Vault at .*: set VAULT_TOKEN, or run `vault login`/)
  })

  test('no Vault and no dev server', async () => {
    const result = await vaultkit(['plugin', 'register', '--project', parent])
    expectOneLineError(result, /is not a Go module \(no go.mod\)/)
    const elsewhere = await scaffold('secrets', parent, 'lonely')
    expectOneLineError(await vaultkit(['plugin', 'register', '--project', elsewhere]), /^Error: There is no Vault to talk to: start a dev server/)
  })

  test('a token from ~/.vault-token, as the vault CLI keeps it', async () => {
    const home = join(parent, 'home')
    mkdirSync(home)
    writeFileSync(join(home, '.vault-token'), `${server.token}\n`, {mode: 0o600})
    const addr = server.addr.replace('127.0.0.1', 'localhost')
    const result = await vaultkit(['plugin', 'register', '--project', project, '--json'], {VAULT_ADDR: addr, HOME: home})
    expect(result.exitCode, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({name: 'hello', path: 'hello'})
  })

  test('a TLS server: VAULT_CACERT is honoured, and without it the error says to set it', async () => {
    const port = await freePort()
    const certs = join(parent, 'tls')
    mkdirSync(certs)
    const config = join(certs, 'plugins.hcl')
    writeFileSync(config, `plugin_directory = ${JSON.stringify(dirname(binary))}\n`)
    const token = 'faults-tls-token'
    const vault = spawn(vaultBin, ['server', '-dev', '-dev-tls', `-dev-tls-cert-dir=${certs}`, `-dev-listen-address=127.0.0.1:${port}`, `-config=${config}`], {
      env: {...process.env, VAULT_DEV_ROOT_TOKEN_ID: token},
      stdio: 'ignore',
    })
    try {
      const addr = `https://127.0.0.1:${port}`
      const env = {VAULT_ADDR: addr, VAULT_TOKEN: token}
      for (let i = 0; i < 100; i++) {
        const probe = await vaultkit(['plugin', 'register', '--project', project, '--json'], {...env, VAULT_CACERT: join(certs, 'vault-ca.pem')})
        if (probe.exitCode === 0) {
          expect(JSON.parse(probe.stdout)).toMatchObject({catalog: 'registered', mount: 'enabled'})
          break
        }
        if (i === 99) throw new Error(`never registered over TLS: ${probe.stderr}`)
        await new Promise((r) => setTimeout(r, 100))
      }
      const untrusted = await vaultkit(['plugin', 'register', '--project', project], env)
      expectOneLineError(untrusted, new RegExp(`^Error: Vault at ${addr} presented a certificate that could not be verified \\(.+\\): set VAULT_CACERT to the CA file that signed it$`))
    } finally {
      vault.kill()
    }
  })

  test('a name that shadows a builtin', async () => {
    const result = await vaultkit(['plugin', 'register', '--project', project, '--binary', binary, '--type', 'secret', '--name', 'kv', '--plugin-version', '0.1.0'])
    expectOneLineError(result, /^Error: "kv" would shadow Vault's builtin kv plugin: register it under another name$/)
  })

  test('a binary outside the plugin directory', async () => {
    const outside = join(parent, 'outside-plugin')
    copyFileSync(binary, outside)
    const result = await vaultkit(['plugin', 'register', '--project', project, '--binary', outside, '--type', 'secret', '--name', 'other', '--plugin-version', '0.1.0'])
    expectOneLineError(result, /outside-plugin is outside the server's plugin directory .*: build or copy the binary into that directory/)
  })

  test('a symlink out of the plugin directory', async () => {
    const outside = join(parent, 'real-plugin')
    copyFileSync(binary, outside)
    const link = join(dirname(binary), 'linked-plugin')
    symlinkSync(outside, link)
    const result = await vaultkit(['plugin', 'register', '--project', project, '--binary', link, '--type', 'secret', '--name', 'linked', '--plugin-version', '0.1.0'])
    expectOneLineError(result, /linked-plugin is a symlink that points outside the server's plugin directory/)
  })

  test('the sha256 changed since registration', async () => {
    const ok = await vaultkit(['plugin', 'register', '--project', project, '--json'])
    const {sha256} = JSON.parse(ok.stdout)
    // Rebuilt with a change and not registered: Vault refuses to start the new file under the old sha256.
    const hello = join(project, 'path_hello.go')
    writeFileSync(hello, readFileSync(hello, 'utf8').replace('hello %s from', 'hi %s from'))
    expect((await vaultkit(['plugin', 'build', '--project', project])).exitCode).toBe(0)
    const stale = await vaultkit([
      'plugin', 'register', '--project', project, '--type', 'secret', '--name', 'hello-stale',
      '--command', 'vault-plugin-secrets-hello', '--sha256', sha256, '--path', 'hello-stale', '--plugin-version', '0.1.0',
    ])
    expectOneLineError(stale, /checksums did not match.*: the binary changed since it was registered: run `vaultkit plugin register` again$/)
    const fixed = await vaultkit(['plugin', 'register', '--project', project, '--binary', binary, '--type', 'secret', '--name', 'hello-stale', '--path', 'hello-stale', '--plugin-version', '0.1.0', '--json'])
    expect(JSON.parse(fixed.stdout)).toMatchObject({catalog: 'registered', mount: 'enabled'})
    expect((await vaultHttp(server, 'GET', 'hello-stale/hello')).status).toBe(400)
  })

  test('a binary already in the plugin directory, named by --sha256 and --command only', async () => {
    const {sha256} = JSON.parse((await vaultkit(['plugin', 'build', '--project', project, '--json'])).stdout)
    const args = ['plugin', 'register', '--project', project, '--type', 'secret', '--name', 'remote', '--command', 'vault-plugin-secrets-hello', '--sha256', sha256, '--plugin-version', '0.1.0', '--json']
    expect(JSON.parse((await vaultkit(args)).stdout)).toMatchObject({catalog: 'registered', mount: 'enabled', sha256})
    expect(JSON.parse((await vaultkit(args)).stdout)).toMatchObject({catalog: 'unchanged', mount: 'unchanged'})
    expect((await vaultHttp(server, 'GET', 'remote/hello')).status).toBe(400)
  })

  test('an external binary without --plugin-version is registered under the version it reports, as Vault reads it', async () => {
    const result = await vaultkit(['plugin', 'register', '--project', project, '--binary', binary, '--type', 'secrets', '--name', 'noversion', '--json'])
    expect(JSON.parse(result.stdout)).toMatchObject({type: 'secret', name: 'noversion', version: 'v0.1.0', catalog: 'registered', mount: 'enabled', path: 'noversion'})
    const mounts = (await vaultHttp(server, 'GET', 'sys/mounts')).body.data
    expect(mounts['noversion/']).toMatchObject({type: 'noversion', running_plugin_version: 'v0.1.0'})
    const plain = await vaultkit(['plugin', 'register', '--project', project, '--binary', binary, '--type', 'secret', '--name', 'noversion'])
    expect(plain.stdout).toMatch(/^catalog secret\/noversion v0\.1\.0: registered$/m)
    expect(plain.stdout).toMatch(/^mount noversion\/: unchanged$/m)
  })

  test('a VAULT_CACERT that cannot be read', async () => {
    const result = await vaultkit(['plugin', 'register', '--project', project], {VAULT_ADDR: 'https://127.0.0.1:1', VAULT_TOKEN: 'x', VAULT_CACERT: join(parent, 'missing.pem')})
    expectOneLineError(result, /^Error: VAULT_CACERT .*missing\.pem cannot be read \(ENOENT\): point it at the PEM file/)
  })

  test('a version that differs from the one the binary reports', async () => {
    const result = await vaultkit(['plugin', 'register', '--project', project, '--binary', binary, '--type', 'secret', '--name', 'mismatch', '--plugin-version', '9.9.9'])
    expectOneLineError(result, /plugin version mismatch: .*reported version \(v0\.1\.0\) did not match requested version \(v9\.9\.9\): version\/version.go and the registered version differ/)
  })

  test('go build failure shows the compiler output, then one line', async () => {
    const backend = join(project, 'backend.go')
    const good = readFileSync(backend, 'utf8')
    writeFileSync(backend, `${good}\nfunc broken( {\n`)
    try {
      const result = await vaultkit(['plugin', 'build', '--project', project])
      expect(result.exitCode).toBe(1)
      expect(result.stderr).toMatch(/backend\.go:\d+:\d+: syntax error/)
      expect(result.stderr.trim().split('\n').at(-1)).toBe('Error: go build failed: fix the errors above and build again')
    } finally {
      writeFileSync(backend, good)
    }
  })
})

describe('server faults', () => {
  test('a server with no plugin directory', async () => {
    const port = await freePort()
    const token = 'faults-no-plugin-dir'
    const vault = spawn(vaultBin, ['server', '-dev', `-dev-listen-address=127.0.0.1:${port}`], {
      env: {...process.env, VAULT_DEV_ROOT_TOKEN_ID: token},
      stdio: 'ignore',
    })
    try {
      const plain = {addr: `http://127.0.0.1:${port}`, token}
      for (let i = 0; i < 200 && (await vaultHttp(plain, 'GET', 'sys/health').catch(() => ({status: 0}))).status !== 200; i++) {
        await new Promise((r) => setTimeout(r, 100))
      }
      const result = await vaultkit(['plugin', 'register', '--project', project], {VAULT_ADDR: plain.addr, VAULT_TOKEN: token})
      expectOneLineError(result, /has no plugin directory configured: set plugin_directory in its config and restart it/)
    } finally {
      vault.kill()
    }
  })

  test('no Vault binary and no Go', async () => {
    const empty = join(parent, 'empty-cache')
    mkdirSync(empty)
    const env = {PATH: dirname(process.execPath), XDG_CACHE_HOME: empty, VAULTKIT_VAULT_BIN: ''}
    expectOneLineError(await vaultkit(['server', 'start', '--project', project], env), /^Error: No vault binary was found: run `vaultkit server install`/)
    expectOneLineError(await vaultkit(['server', 'install', '--from', 'source'], env), /^Error: No vault binary was found, and go is not on PATH to build one: install Vault/)
  })

  test('a sealed server', async () => {
    const other = await scaffold('secrets', parent, 'sealed')
    expect((await vaultkit(['server', 'start', '--project', other])).exitCode).toBe(0)
    const sealed = readServerState(other)
    try {
      expect((await vaultHttp(sealed, 'PUT', 'sys/seal')).status).toBe(204)
      expect((await vaultkit(['plugin', 'build', '--project', other])).exitCode).toBe(0)
      expectOneLineError(await vaultkit(['plugin', 'register', '--project', other]), /^Error: Vault at .* is sealed: unseal it/)
    } finally {
      await vaultkit(['server', 'stop', '--project', other])
    }
  })

  test('a damaged state file is one line that says what to do, for every command that reads it', async () => {
    const other = await scaffold('secrets', parent, 'damaged')
    mkdirSync(join(other, '.vaultkit'))
    writeFileSync(join(other, '.vaultkit/server.json'), '{"addr": "http://127.0.0.1:1"')
    for (const command of ['server status', 'server stop', 'server start', 'plugin register']) {
      expectOneLineError(
        await vaultkit([...command.split(' '), '--project', other]),
        /^Error: .*server\.json is damaged: it does not say which dev server runs: stop any vault dev server of this project by hand, delete the file/,
      )
    }
  })

  // The same with /proc and with the `ps` process table of macOS and the BSDs (forced here).
  test.each(['proc', 'ps'])('stop ends only the process it started, not one that reused its pid (%s process table)', async (table) => {
    const other = await scaffold('secrets', parent, `stopper-${table}`)
    const state = join(other, '.vaultkit/server.json')
    mkdirSync(dirname(state), {recursive: true})
    // Processes that are not its dev server: this test runner, and one whose arguments are those of a dev
    // server on another port.
    // Port 10: the recorded port 1's flag is a prefix of its flag, so only a whole-word match tells them apart.
    const lookalike = spawn('sh', ['-c', 'sleep 60; :', 'server', '-dev', '-dev-listen-address=127.0.0.1:10'], {stdio: 'ignore'})
    try {
      for (const pid of [process.pid, lookalike.pid!]) {
        writeFileSync(state, JSON.stringify({addr: 'http://127.0.0.1:1', token: 't', pid, port: 1}))
        const result = await vaultkit(['server', 'stop', '--project', other], {VAULTKIT_PROCESS_TABLE: table})
        expect(result.stdout).toMatch(/No dev server of this project is running/)
      }
      expect(lookalike.exitCode).toBeNull()
      expect(lookalike.signalCode).toBeNull()
    } finally {
      lookalike.kill('SIGKILL')
    }
  })

  test('the root token appears in nothing vaultkit printed or wrote (but the 0600 state file)', () => {
    const written = ['.vaultkit/vault.log', '.vaultkit/dev.hcl'].map((file) => readFileSync(join(project, file), 'utf8'))
    for (const text of [...transcript, ...written]) expect(text.includes(server.token)).toBe(false)
  })
})
