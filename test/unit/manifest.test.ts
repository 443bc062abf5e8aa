import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'

import {readManifest, validateManifest} from '../../src/lib/templates/manifest.js'
import {listKinds} from '../../src/lib/templates/kinds.js'

const valid = {name: 'secrets', description: 'A secrets engine', pluginType: 'secret'}

describe('validateManifest', () => {
  test('fills in the default post-steps', () => {
    expect(validateManifest(valid, 'template.json')).toEqual({...valid, questions: [], files: [], postSteps: ['go-mod-tidy', 'git-init'], commands: []})
  })

  test.each([
    [[], 'x/template.json must hold a JSON object'],
    [{...valid, extra: 1}, 'x/template.json: field "extra" is not a manifest field'],
    [{...valid, name: 'Secrets'}, 'x/template.json: field "name" must be a lowercase word'],
    [{...valid, description: ''}, 'x/template.json: field "description" must be a non-empty string'],
    [{...valid, pluginType: 'secrets'}, 'x/template.json: field "pluginType" must be one of secret, auth, database'],
    [{...valid, postSteps: ['rm -rf /']}, 'x/template.json: field "postSteps" must be a list drawn from go-mod-tidy, git-init'],
  ])('%j is refused', (data, message) => {
    expect(() => validateManifest(data, 'x/template.json')).toThrow(message)
  })
})

describe('readManifest', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vaultkit-manifest-'))

  test('names the file when the JSON is broken', async () => {
    const file = join(dir, 'broken.json')
    writeFileSync(file, '{"name": ')
    await expect(readManifest(file)).rejects.toThrow(`${file} is not valid JSON`)
  })

  test('names the file when it is missing', async () => {
    await expect(readManifest(join(dir, 'none.json'))).rejects.toThrow(/none.json is missing/)
  })
})

test('every built-in kind has a valid manifest named after its folder', async () => {
  const kinds = await listKinds()
  expect(kinds.map((k) => k.manifest.name)).toContain('secrets')
  for (const kind of kinds) expect(kind.dir.endsWith(`/${kind.manifest.name}`)).toBe(true)
})
