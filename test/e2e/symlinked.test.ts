import {mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, expect, test} from 'vitest'

import {runCli} from '../helpers.js'
import {type DevServer, devUntilReady, installVault, readServerState, scaffold, vaultHttp} from './vault.js'

// On macOS the temporary folder and every project under it are reached through a symlink (/var is
// /private/var, /tmp is /private/tmp): a path typed or taken from $TMPDIR goes through it, while the
// working directory of a command run in the project is the real path. Here the project is reached through
// a symlink of the same kind, some commands by one path and some by the other, and nothing may notice.
// Its real path: on macOS tmpdir() is behind a symlink of its own.
const root = realpathSync(mkdtempSync(join(tmpdir(), 'vaultkit-e2e-symlinked-')))
const real = join(root, 'private', 'var')
const linked = join(root, 'var')
let project: string
let server: DevServer

const vaultkit = (...args: string[]) => runCli([...args, '--project', project])
/** Run from inside the project, where vaultkit sees the real path (getcwd resolves symlinks). */
const inProject = (...args: string[]) => runCli(args, {cwd: project})

beforeAll(async () => {
  await installVault()
  mkdirSync(real, {recursive: true})
  symlinkSync(real, linked)
  project = await scaffold('secrets', linked)
  expect(realpathSync(project)).toBe(join(real, 'secrets-hello'))
  const started = await vaultkit('server', 'start')
  expect(started.exitCode, started.stderr).toBe(0)
  server = readServerState(project)
}, 1_800_000)

afterAll(async () => {
  if (project) await vaultkit('server', 'stop')
  rmSync(root, {recursive: true, force: true})
})

test('a project reached through a symlink (as every one under macOS’s /var and /tmp): build, register, upgrade in place, a dev round', async () => {
  expect((await vaultkit('plugin', 'build')).exitCode).toBe(0)
  const first = await vaultkit('plugin', 'register', '--json')
  expect(first.exitCode, first.stderr).toBe(0)
  expect(JSON.parse(first.stdout)).toMatchObject({catalog: 'registered', mount: 'enabled', version: 'v0.1.0', command: 'vault-plugin-secrets-hello_v0.1.0'})
  // Vault's plugin directory (the real path) is known for the project's own (the linked path): the
  // versioned file is a hard link beside the build.
  const plugins = join(project, 'vault/plugins')
  expect(statSync(join(plugins, 'vault-plugin-secrets-hello_v0.1.0')).ino).toBe(statSync(join(plugins, 'vault-plugin-secrets-hello')).ino)
  expect((await vaultHttp(server, 'POST', 'hello/config', {custom_prefix: 'Linked'})).status).toBe(204)
  expect((await vaultHttp(server, 'GET', 'hello/hello')).body.data.message).toMatch(/^Linked, hello/)

  // The versioned file goes into the project's own plugin directory, which Vault knows by its real path.
  const versionFile = join(project, 'version/version.go')
  writeFileSync(versionFile, readFileSync(versionFile, 'utf8').replace('"0.1.0"', '"0.2.0"'))
  expect((await inProject('plugin', 'build')).exitCode).toBe(0)
  const upgraded = await inProject('plugin', 'register', '--json')
  expect(upgraded.exitCode, upgraded.stderr).toBe(0)
  expect(JSON.parse(upgraded.stdout)).toMatchObject({catalog: 'registered', mount: 'upgraded', version: 'v0.2.0'})
  expect((await vaultHttp(server, 'GET', 'sys/mounts')).body.data['hello/'].running_plugin_version).toBe('v0.2.0')
  expect((await vaultHttp(server, 'GET', 'hello/config')).body.data.custom_prefix).toBe('Linked')

  const dev = await devUntilReady(project)
  expect(dev.output).toContain('Watching for changes')
  expect(dev.output).not.toMatch(/^Error/m)
})
