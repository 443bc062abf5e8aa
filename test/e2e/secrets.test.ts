import {copyFileSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync} from 'node:fs'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'

import {sha256File} from '../../src/lib/project/build.js'
import {fileIdentity, recordBuild, recordedSha256} from '../../src/lib/project/build-record.js'
import {runCli} from '../helpers.js'
import {openAPIOperations} from './openapi.js'
import {type DevServer, installVault, readServerState, scaffold, vaultHttp} from './vault.js'

// The whole journey on a real Vault dev server: scaffold -> build -> register -> use -> upgrade.
const parent = mkdtempSync(join(tmpdir(), 'vaultkit-e2e-secrets-'))
const transcript: string[] = []
let project: string
let server: DevServer

async function vaultkit(args: string[], env: Record<string, string> = {}) {
  const result = await runCli([...args, '--project', project], {env})
  transcript.push(result.stdout, result.stderr)
  return result
}

beforeAll(async () => {
  await installVault()
  project = await scaffold('secrets', parent)
  const started = await vaultkit(['server', 'start', '--json'])
  expect(started.exitCode, started.stderr).toBe(0)
  server = readServerState(project)
}, 1_800_000)

afterAll(async () => {
  if (project) await vaultkit(['server', 'stop'])
  rmSync(parent, {recursive: true, force: true})
})

describe('the secrets kind in a real Vault', () => {
  test('the state file is private to its owner', () => {
    expect(statSync(join(project, '.vaultkit/server.json')).mode & 0o777).toBe(0o600)
  })

  test('server start again reuses the running server; status masks the token', async () => {
    const again = await vaultkit(['server', 'start', '--json'])
    expect(JSON.parse(again.stdout)).toMatchObject({alreadyRunning: true, addr: server.addr})
    const status = await vaultkit(['server', 'status'])
    expect(status.stdout).toMatch(/running\s+Vault v\d+\.\d+\.\d+/)
    expect(status.stdout).toContain('****')
    // The same shape as a cluster's: a dev server is one node.
    const json = JSON.parse((await vaultkit(['server', 'status', '--json'])).stdout)
    expect(json).toMatchObject({kind: 'dev', running: true, addr: server.addr, nodes: [{id: 'dev', addr: server.addr, pid: server.pid, role: 'active'}]})
    expect(JSON.stringify(json)).not.toContain(server.token)
  })

  test('plugin build puts the binary in the plugin directory and reports its real sha256', async () => {
    const result = await vaultkit(['plugin', 'build', '--json'])
    expect(result.exitCode, result.stderr).toBe(0)
    const built = JSON.parse(result.stdout)
    expect(built.path).toBe(join(project, 'vault/plugins/vault-plugin-secrets-hello'))
    expect(built.version).toBe('v0.1.0')
    expect(built.sha256).toBe(await sha256File(built.path))
  })

  test('plugin register catalogs and enables it; a second run changes nothing', async () => {
    const first = JSON.parse((await vaultkit(['plugin', 'register', '--json'])).stdout)
    expect(first).toMatchObject({catalog: 'registered', mount: 'enabled', path: 'hello', version: 'v0.1.0', command: 'vault-plugin-secrets-hello_v0.1.0'})
    // A hard link beside the build, not a copy.
    const plugins = join(project, 'vault/plugins')
    expect(statSync(join(plugins, 'vault-plugin-secrets-hello_v0.1.0')).ino).toBe(statSync(join(plugins, 'vault-plugin-secrets-hello')).ino)
    // The link changed the build's ctime; the recorded sha256 was renewed, so the next register reads nothing.
    expect(await recordedSha256(project, join(plugins, 'vault-plugin-secrets-hello'))).toBe(first.sha256)
    const second = JSON.parse((await vaultkit(['plugin', 'register', '--json'])).stdout)
    expect(second).toMatchObject({catalog: 'unchanged', mount: 'unchanged'})
    const mounts = await vaultHttp(server, 'GET', 'sys/mounts')
    expect(mounts.body.data['hello/']).toMatchObject({type: 'hello', running_plugin_version: 'v0.1.0', running_sha256: first.sha256})
  })

  test("Vault's OpenAPI document names every operation of the plugin as intended, each ID once", async () => {
    const {mine, all} = await openAPIOperations(server, 'hello')
    expect(mine).toEqual({
      '/hello/config': {get: 'hello-read-configuration', post: 'hello-configure', delete: 'hello-delete-configuration'},
      '/hello/hello': {get: 'hello-read-greeting'},
      '/hello/creds': {get: 'hello-generate-credentials'},
    })
    for (const id of Object.values(mine).flatMap((ops) => Object.values(ops))) expect(all.filter((other) => other === id)).toHaveLength(1)
  })

  test('hello answers 400 until configured, then with the prefix', async () => {
    const before = await vaultHttp(server, 'GET', 'hello/hello')
    expect(before.status).toBe(400)
    expect(before.body.errors.join()).toMatch(/not configured yet: write hello\/config first/)
    expect((await vaultHttp(server, 'POST', 'hello/config', {custom_prefix: 'Howdy', api_key: 's3cr3t'})).status).toBe(204)
    const after = await vaultHttp(server, 'GET', 'hello/hello?name=Ada')
    expect(after.body.data.message).toBe('Howdy, hello Ada from vault-plugin-secrets-hello')
    const config = await vaultHttp(server, 'GET', 'hello/config')
    expect(config.body.data.custom_prefix).toBe('Howdy')
    expect(config.body.data).not.toHaveProperty('api_key')
  })

  test('creds are leased, renewable and revocable', async () => {
    const creds = await vaultHttp(server, 'GET', 'hello/creds')
    expect(creds.status).toBe(200)
    expect(creds.body.lease_id).toMatch(/^hello\/creds\//)
    expect(creds.body.lease_duration).toBeGreaterThan(0)
    expect(creds.body.renewable).toBe(true)
    expect(creds.body.data.token).toMatch(/^hello_/)
    const renewed = await vaultHttp(server, 'PUT', 'sys/leases/renew', {lease_id: creds.body.lease_id, increment: 600})
    expect(renewed.status).toBe(200)
    expect(renewed.body.lease_duration).toBeGreaterThan(0)
    expect((await vaultHttp(server, 'PUT', 'sys/leases/revoke', {lease_id: creds.body.lease_id})).status).toBe(204)
    const lookup = await vaultHttp(server, 'PUT', 'sys/leases/lookup', {lease_id: creds.body.lease_id})
    expect(lookup.status).toBe(400)
  })

  test('version 0.2.0: build and register upgrade the mount in place, and its data survives', async () => {
    const versionFile = join(project, 'version/version.go')
    writeFileSync(versionFile, readFileSync(versionFile, 'utf8').replace('"0.1.0"', '"0.2.0"'))
    expect((await vaultkit(['plugin', 'build'])).exitCode).toBe(0)
    const registered = JSON.parse((await vaultkit(['plugin', 'register', '--json'])).stdout)
    expect(registered).toMatchObject({catalog: 'registered', mount: 'upgraded', version: 'v0.2.0'})
    const mounts = await vaultHttp(server, 'GET', 'sys/mounts')
    expect(mounts.body.data['hello/'].running_plugin_version).toBe('v0.2.0')
    expect((await vaultHttp(server, 'GET', 'hello/config')).body.data.custom_prefix).toBe('Howdy')
    expect((await vaultHttp(server, 'GET', 'hello/hello')).body.data.message).toMatch(/^Howdy, hello/)
  })

  test('a new build of the same version: the catalog entry is rewritten and the mount reloaded onto it', async () => {
    const hello = join(project, 'path_hello.go')
    writeFileSync(hello, readFileSync(hello, 'utf8').replace('hello %s from', 'rebuilt %s from'))
    const built = JSON.parse((await vaultkit(['plugin', 'build', '--json'])).stdout)
    const registered = JSON.parse((await vaultkit(['plugin', 'register', '--json'])).stdout)
    expect(registered).toMatchObject({catalog: 'registered', mount: 'reloaded', version: 'v0.2.0', sha256: built.sha256})
    expect((await vaultHttp(server, 'GET', 'sys/mounts')).body.data['hello/'].running_sha256).toBe(built.sha256)
    expect((await vaultHttp(server, 'GET', 'hello/hello')).body.data.message).toMatch(/^Howdy, rebuilt/)
  })

  test('a recorded sha256 that is wrong is used, refused by Vault and dropped; a build renamed over is read again', async () => {
    const build = join(project, 'vault/plugins/vault-plugin-secrets-hello')
    const real = await sha256File(build)
    // What a build landing while the sha256 was taken used to leave: this inode recorded with another sha256.
    await recordBuild(project, build, '0'.repeat(64), await fileIdentity(build))
    const refused = await vaultkit(['plugin', 'register'])
    expect(refused.exitCode).toBe(1)
    expect(refused.stderr).toMatch(/checksums did not match/)
    expect(await recordedSha256(project, build)).toBeUndefined()
    const again = JSON.parse((await vaultkit(['plugin', 'register', '--json'])).stdout)
    expect(again).toMatchObject({sha256: real, version: 'v0.2.0'})
    expect((await vaultHttp(server, 'GET', 'sys/mounts')).body.data['hello/'].running_sha256).toBe(real)
    // `go build -o` renames a new file over the build: the record no longer holds, the file is read again.
    copyFileSync(build, `${build}.new`)
    renameSync(`${build}.new`, build)
    expect(await recordedSha256(project, build)).toBeUndefined()
    expect(JSON.parse((await vaultkit(['plugin', 'register', '--json'])).stdout)).toMatchObject({sha256: real, catalog: 'unchanged'})
    expect(await recordedSha256(project, build)).toBe(real)
  })

  test('rollback after rebuilds: each version kept its own file, so 0.1.0 is back without a build; a replaced file is refused', async () => {
    const plugins = join(project, 'vault/plugins')
    expect(readdirSync(plugins).filter((f) => !f.startsWith('.')).sort()).toEqual(['vault-plugin-secrets-hello', 'vault-plugin-secrets-hello_v0.1.0', 'vault-plugin-secrets-hello_v0.2.0'])
    // A file that is no longer the build its catalog entry names: refused, nothing changed.
    const kept = join(plugins, 'vault-plugin-secrets-hello_v0.1.0')
    renameSync(kept, `${kept}.kept`)
    copyFileSync(join(plugins, 'vault-plugin-secrets-hello_v0.2.0'), kept)
    try {
      const result = await vaultkit(['plugin', 'rollback'])
      expect(result.exitCode).toBe(1)
      expect(result.stderr.trim()).toMatch(/^Error: .*vault-plugin-secrets-hello_v0\.1\.0 is no longer the build registered as v0\.1\.0; nothing was changed: build v0\.1\.0 again and register it/)
      expect((await vaultHttp(server, 'GET', 'sys/mounts')).body.data['hello/'].running_plugin_version).toBe('v0.2.0')
    } finally {
      renameSync(`${kept}.kept`, kept)
    }
    expect(JSON.parse((await vaultkit(['plugin', 'rollback', '--json'])).stdout)).toMatchObject({from: 'v0.2.0', to: 'v0.1.0'})
    expect((await vaultHttp(server, 'GET', 'hello/hello')).body.data.message).toMatch(/^Howdy, hello/)
    expect(JSON.parse((await vaultkit(['plugin', 'rollback', '--to', '0.2.0', '--json'])).stdout)).toMatchObject({from: 'v0.1.0', to: 'v0.2.0'})
    expect((await vaultHttp(server, 'GET', 'hello/hello')).body.data.message).toMatch(/^Howdy, rebuilt/)
  })

  test('the root token appears in nothing vaultkit printed or wrote (but the 0600 state file)', () => {
    const written = ['.vaultkit/vault.log', '.vaultkit/dev.hcl'].map((file) => readFileSync(join(project, file), 'utf8'))
    for (const text of [...transcript, ...written]) expect(text.includes(server.token)).toBe(false)
  })
})
