import {cpSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {expect, test} from 'vitest'

import {PROJECT_FILE, unknownFields, writeDescription} from '../../src/lib/project/description.js'
import {readProject} from '../../src/lib/project/project.js'
import {maskToken} from '../../src/lib/vault/state.js'
import {goVersions} from '../../src/lib/versions.js'
import {tempDir} from '../helpers.js'

const GOLDEN = join(import.meta.dirname, '../golden/secrets')

function copyOfGolden(): string {
  const dir = tempDir()
  cpSync(GOLDEN, dir, {recursive: true})
  return dir
}

function editDescription(dir: string, edit: (plugin: Record<string, unknown>) => void) {
  const file = join(dir, PROJECT_FILE)
  const data = JSON.parse(readFileSync(file, 'utf8'))
  edit(data.plugin)
  writeFileSync(file, JSON.stringify(data))
}

test('a generated project is described by its .vaultkit.json', async () => {
  const project = await readProject(GOLDEN)
  expect({...project, description: undefined}).toEqual({
    dir: GOLDEN,
    module: 'example.com/vault-plugin-secrets-hello',
    binaryName: 'vault-plugin-secrets-hello',
    name: 'hello',
    pluginType: 'secret',
    version: '0.1.0',
    pluginDir: join(GOLDEN, 'vault/plugins'),
    goDirective: goVersions.goDirective,
    description: undefined,
  })
  expect(project.description).toMatchObject({
    main: './cmd/vault-plugin-secrets-hello',
    version: {from: 'file', file: 'version/version.go', variable: 'example.com/vault-plugin-secrets-hello/version.Version'},
    build: {tags: [], ldflags: [], cgo: false},
  })
})

test('a folder without go.mod is not a project, and the error says what to do', async () => {
  await expect(readProject(tempDir())).rejects.toThrow(/is not a Go module \(no go.mod\): cd into a plugin's repository, or create one with `vaultkit plugin new`/)
})

test('a project of an earlier vaultkit (no description) is told to run plugin init', async () => {
  const dir = copyOfGolden()
  rmSync(join(dir, PROJECT_FILE))
  await expect(readProject(dir)).rejects.toThrow(/was made by an earlier vaultkit: .vaultkit.json does not describe the plugin yet/)
  rmSync(join(dir, 'version'), {recursive: true})
  await expect(readProject(dir)).rejects.toThrow(/is not set up for vaultkit: .vaultkit.json does not describe a plugin here/)
})

test.each<[string, (plugin: Record<string, unknown>) => void, RegExp]>([
  ['an unknown type', (p) => (p.type = 'secrets'), /plugin.type is "secrets", not one of secret, auth, database/],
  ['a main that is not a folder', (p) => (p.main = 'cmd/x'), /plugin.main is "cmd\/x": give the package's folder/],
  ['an unknown version source', (p) => (p.version = {from: 'tag'}), /plugin.version.from is not one of file, value, git-tag, none/],
  ['a version that is not one', (p) => (p.version = {from: 'value', value: 'latest'}), /plugin.version.value is "latest", not a version/],
  ['a password in the database config', (p) => (p.database = {config: {host: 'h', password: 'x'}}), /plugin.database.config.password holds a secret, which does not belong in a committed file/],
  ['build tags that are not strings', (p) => (p.build = {tags: 'a,b'}), /plugin.build.tags is not a list of strings/],
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a smoke placeholder, not a JS template
  ['a smoke with an unknown placeholder', (p) => (p.smoke = {requests: [{method: 'GET', path: '${mount}/x'}]}), /uses \$\{mount\}, which is not a placeholder/],
])('a description with %s is one line naming the field', async (_what, edit, message) => {
  const dir = copyOfGolden()
  editDescription(dir, edit)
  await expect(readProject(dir)).rejects.toThrow(message)
})

test('the version comes from where the description says', async () => {
  const dir = copyOfGolden()
  writeFileSync(join(dir, 'version/version.go'), 'package version\n')
  await expect(readProject(dir)).rejects.toThrow(/does not set Version/)
  editDescription(dir, (p) => (p.version = {from: 'value', value: 'v2.3.4'}))
  expect((await readProject(dir)).version).toBe('2.3.4')
  editDescription(dir, (p) => (p.version = {from: 'none'}))
  expect((await readProject(dir)).version).toBeUndefined()
  editDescription(dir, (p) => (p.version = {from: 'git-tag', variable: 'x.Version'}))
  await expect(readProject(dir)).rejects.toThrow(/has no vX.Y.Z git tag/)
})

test('writing the description keeps the origin and what vaultkit does not know, and replaces what it does', async () => {
  const dir = copyOfGolden()
  editDescription(dir, (p) => {
    p.team = 'billing'
    p.mount = {path: 'old'}
  })
  const project = await readProject(dir)
  const {mount: _, ...fresh} = project.description
  await writeDescription(dir, fresh)
  const written = JSON.parse(readFileSync(join(dir, PROJECT_FILE), 'utf8'))
  expect(written.kind.name).toBe('secrets')
  expect(written.plugin.team).toBe('billing')
  expect(written.plugin.mount).toBeUndefined()
  expect(unknownFields(written.plugin)).toEqual({team: 'billing'})
})

test.each([
  ['vk-dev-abcdefghijklmnop', 'vk-d****mnop'],
  ['short', '****'],
])('maskToken(%j)', (token, masked) => {
  expect(maskToken(token)).toBe(masked)
})
