import {cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, expect, test} from 'vitest'

import {runCli, tempDir} from '../helpers.js'
import {EXISTING_PLUGINS, cloneOfModule} from '../existing-plugins.js'

// plugin init on a real plugin (HashiCorp's KV), changed the ways a user's repository may differ, and on
// folders that hold no plugin. Every refusal is one line that says what to do, and writes nothing.
let pristine: string

beforeAll(async () => {
  pristine = await cloneOfModule(EXISTING_PLUGINS.kv)
}, 600_000)

/** A fresh copy of the KV repository, changed by `edit`. */
function kv(edit: (dir: string) => void = () => {}): string {
  const dir = join(tempDir(), 'kv')
  cpSync(pristine, dir, {recursive: true})
  edit(dir)
  return dir
}

const init = (dir: string, ...args: string[]) => runCli(['plugin', 'init', '--project', dir, ...args])
const described = (dir: string) => JSON.parse(readFileSync(join(dir, '.vaultkit.json'), 'utf8')).plugin

function expectRefused(result: {exitCode?: number; stderr: string}, message: RegExp, dir: string) {
  expect(result.exitCode).toBe(1)
  expect(result.stderr.trim().split('\n')).toHaveLength(1)
  expect(result.stderr).toMatch(message)
  expect(existsSync(join(dir, '.vaultkit.json'))).toBe(false)
}

describe('plugin init refuses in one line, and writes nothing', () => {
  test('a folder with no go.mod', async () => {
    const dir = tempDir()
    expectRefused(await init(dir, '--yes'), /has no go.mod: run plugin init at the root of the Go module that holds the plugin/, dir)
  })

  test('a Go module with no main package that serves a plugin', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'go.mod'), 'module example.com/tool\n\ngo 1.26\n')
    writeFileSync(join(dir, 'main.go'), 'package main\n\nfunc main() {}\n')
    expectRefused(await init(dir, '--yes'), /No main package in .* serves a Vault plugin \(none imports github.com\/hashicorp\/vault\/sdk\/plugin/, dir)
  })

  test('two main packages that serve a plugin, without --main', {timeout: 300_000}, async () => {
    const dir = kv((d) => cpSync(join(d, 'cmd/vault-plugin-secrets-kv'), join(d, 'cmd/vault-plugin-secrets-kvtwo'), {recursive: true}))
    expectRefused(await init(dir, '--yes'), /2 main packages serve a plugin: \.\/cmd\/vault-plugin-secrets-kv, \.\/cmd\/vault-plugin-secrets-kvtwo: pass --main/, dir)
    const chosen = await init(dir, '--yes', '--main', './cmd/vault-plugin-secrets-kvtwo')
    expect(chosen.exitCode, chosen.stderr).toBe(0)
    expect(described(dir)).toMatchObject({main: './cmd/vault-plugin-secrets-kvtwo', binary: 'vault-plugin-secrets-kvtwo', name: 'kvtwo'})
  })

  test('--main that is not a plugin main package', async () => {
    const dir = kv()
    expectRefused(await init(dir, '--yes', '--main', './scripts'), /--main \.\/scripts is not a main package that serves a Vault plugin \(it serves from \.\/cmd\/vault-plugin-secrets-kv\)/, dir)
  })

  test('a main package that does not build', {timeout: 300_000}, async () => {
    const dir = kv((d) => writeFileSync(join(d, 'backend.go'), readFileSync(join(d, 'backend.go'), 'utf8').replace('func Factory(', 'func Factory(,')))
    expectRefused(await init(dir, '--yes'), /\.\/cmd\/vault-plugin-secrets-kv does not build: .*: fix the build/, dir)
  })

  test('a type that neither the binary name nor the backend tells', {timeout: 300_000}, async () => {
    const dir = kv((d) => {
      renameSync(join(d, 'cmd/vault-plugin-secrets-kv'), join(d, 'cmd/kvserver'))
      for (const file of ['backend.go', 'passthrough.go']) {
        writeFileSync(join(d, file), readFileSync(join(d, file), 'utf8').replaceAll('BackendType: logical.TypeLogical,', ''))
      }
    })
    expectRefused(await init(dir, '--yes'), /Cannot tell whether kvserver is a secrets engine or an auth method: pass --type secrets or --type auth/, dir)
    const typed = await init(dir, '--yes', '--type', 'secrets')
    expect(typed.exitCode, typed.stderr).toBe(0)
    expect(described(dir)).toMatchObject({type: 'secret', binary: 'kvserver', name: 'kvserver'})
  })
})

describe('what plugin init finds', () => {
  test('the type from BackendType when the binary name does not say', {timeout: 300_000}, async () => {
    const dir = kv((d) => renameSync(join(d, 'cmd/vault-plugin-secrets-kv'), join(d, 'cmd/kvserver')))
    const result = await init(dir, '--yes', '--json')
    expect(result.exitCode, result.stderr).toBe(0)
    const {findings} = JSON.parse(result.stdout)
    expect(findings).toContainEqual({field: 'type', value: 'secret', from: 'BackendType in backend.go'})
  })

  test('a version variable the Makefile stamps, with --plugin-version', {timeout: 300_000}, async () => {
    const dir = kv((d) => {
      mkdirSync(join(d, 'version'))
      writeFileSync(join(d, 'version/info.go'), 'package version\n\nvar Version = "dev"\n')
      writeFileSync(join(d, 'Makefile'), `${readFileSync(join(d, 'Makefile'), 'utf8')}\nrelease:\n\tgo build -ldflags "-X github.com/hashicorp/vault-plugin-secrets-kv/version.Version=$(VERSION)" ./cmd/vault-plugin-secrets-kv\n`)
    })
    const result = await init(dir, '--yes', '--plugin-version', '1.2.3')
    expect(result.exitCode, result.stderr).toBe(0)
    expect(described(dir).version).toEqual({from: 'value', value: '1.2.3', variable: 'github.com/hashicorp/vault-plugin-secrets-kv/version.Version'})
  })

  test('--force detects again and keeps the fields vaultkit does not know', {timeout: 300_000}, async () => {
    const dir = kv()
    expect((await init(dir, '--yes')).exitCode).toBe(0)
    const file = join(dir, '.vaultkit.json')
    const data = JSON.parse(readFileSync(file, 'utf8'))
    data.plugin.owner = 'team-secrets'
    data.plugin.name = 'renamed'
    writeFileSync(file, JSON.stringify(data))
    const again = await init(dir, '--yes', '--force')
    expect(again.exitCode, again.stderr).toBe(0)
    expect(described(dir)).toMatchObject({owner: 'team-secrets', name: 'kv-ext'})
  })

  test("a project of an earlier vaultkit (no .vaultkit.json): vaultkit's layout, and a note on upgrade", {timeout: 600_000}, async () => {
    const dir = join(tempDir(), 'hello')
    expect((await runCli(['plugin', 'new', 'hello', '--yes', '--no-git', '--dir', dir])).exitCode).toBe(0)
    rmSync(join(dir, '.vaultkit.json'))
    const before = await runCli(['plugin', 'build', '--project', dir])
    expect(before.stderr).toMatch(/was made by an earlier vaultkit: .vaultkit.json does not describe the plugin yet: run `vaultkit plugin init` once in it/)
    expectRefused(await init(dir, '--yes', '--plugin-version', '2.0.0'), /--plugin-version cannot be used here: version\/version.go sets the plugin's version/, dir)
    const result = await init(dir, '--yes')
    expect(result.exitCode, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/Note: This is a project of an earlier vaultkit: every command works on it now, but plugin upgrade cannot, since it is not in a git repository \(made with --no-git\?\)/)
    expect(described(dir)).toEqual({
      main: './cmd/vault-plugin-secrets-hello',
      binary: 'vault-plugin-secrets-hello',
      type: 'secret',
      name: 'hello',
      version: {from: 'file', file: 'version/version.go', variable: 'example.com/vault-plugin-secrets-hello/version.Version'},
      build: {tags: [], ldflags: [], cgo: false},
      pluginDirectory: './vault/plugins',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a smoke placeholder, not a JS template
      smoke: expect.objectContaining({requests: [expect.objectContaining({method: 'GET', path: '${path}/hello'})]}),
    })
    const built = await runCli(['plugin', 'build', '--project', dir, '--json'])
    expect(built.exitCode, built.stderr).toBe(0)
    expect(JSON.parse(built.stdout)).toMatchObject({version: 'v0.1.0', path: join(dir, 'vault/plugins/vault-plugin-secrets-hello')})
  })
})
