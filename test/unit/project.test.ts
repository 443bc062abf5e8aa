import {cpSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {expect, test} from 'vitest'

import {readProject} from '../../src/lib/project/project.js'
import {maskToken} from '../../src/lib/vault/state.js'
import {goVersions} from '../../src/lib/versions.js'
import {tempDir} from '../helpers.js'

const GOLDEN = join(import.meta.dirname, '../golden/secrets')

test('a generated project describes itself', async () => {
  await expect(readProject(GOLDEN)).resolves.toEqual({
    dir: GOLDEN,
    module: 'example.com/vault-plugin-secrets-hello',
    binaryName: 'vault-plugin-secrets-hello',
    name: 'hello',
    pluginType: 'secret',
    version: '0.1.0',
    pluginDir: join(GOLDEN, 'vault/plugins'),
    goDirective: goVersions.goDirective,
  })
})

test('a folder without go.mod is not a project, and the error says what to do', async () => {
  await expect(readProject(tempDir())).rejects.toThrow(/is not a vaultkit plugin project \(no go.mod\): cd into one, or create one with `vaultkit plugin new`/)
})

test.each([
  ['version/version.go', 'package version\n', /does not set Version/],
  ['vault-config.hcl', 'disable_mlock = true\n', /sets no plugin_directory/],
])('a project whose %s is broken is refused', async (file, text, message) => {
  const dir = tempDir()
  cpSync(GOLDEN, dir, {recursive: true})
  writeFileSync(join(dir, file), text)
  await expect(readProject(dir)).rejects.toThrow(message)
})

test('a project needs exactly one plugin command', async () => {
  const dir = tempDir()
  cpSync(GOLDEN, dir, {recursive: true})
  rmSync(join(dir, 'cmd'), {recursive: true})
  await expect(readProject(dir)).rejects.toThrow(/should hold exactly one vault-plugin-<secrets\|auth\|database>-<name> folder \(found 0\)/)
})

test.each([
  ['vk-dev-abcdefghijklmnop', 'vk-d****mnop'],
  ['short', '****'],
])('maskToken(%j)', (token, masked) => {
  expect(maskToken(token)).toBe(masked)
})
