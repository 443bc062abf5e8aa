import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'

import {readManifest, validateManifest} from '../../src/lib/templates/manifest.js'
import {listKinds} from '../../src/lib/templates/kinds.js'

const valid = {name: 'secrets', description: 'A secrets engine', pluginType: 'secret'}

describe('validateManifest', () => {
  test('keeps the kind\'s version', () => {
    expect(validateManifest({...valid, version: '2.1.0'}, 'template.json').version).toBe('2.1.0')
  })

  test('fills in the default post-steps', () => {
    expect(validateManifest(valid, 'template.json')).toEqual({...valid, questions: [], files: [], postSteps: ['go-mod-tidy', 'git-init'], commands: []})
  })

  test.each([
    [[], 'x/template.json must hold a JSON object'],
    [{...valid, extra: 1}, 'x/template.json: field "extra" is not a manifest field'],
    [{...valid, name: 'Secrets'}, 'x/template.json: field "name" must be a lowercase word'],
    [{...valid, description: ''}, 'x/template.json: field "description" must be a non-empty string'],
    [{...valid, pluginType: 'secrets'}, 'x/template.json: field "pluginType" must be one of secret, auth, database'],
    [{...valid, version: '1.0'}, 'x/template.json: field "version" must be a version such as "1.0.0" (MAJOR.MINOR.PATCH)'],
    [{...valid, postSteps: ['rm -rf /']}, 'x/template.json: field "postSteps/0" must be one of go-mod-tidy, git-init'],
  ])('%j is refused', (data, message) => {
    expect(() => validateManifest(data, 'x/template.json')).toThrow(message)
  })
})

describe('readManifest', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vaultkit-manifest-'))

  test('names the file when the JSON is broken', async () => {
    const file = join(dir, 'broken.json')
    writeFileSync(file, '{"name": ')
    expect(() => readManifest(file)).toThrow(`${file} is not valid JSON`)
  })

  test('names the file when it is missing', async () => {
    expect(() => readManifest(join(dir, 'none.json'))).toThrow(/none.json is missing/)
  })
})

test('every built-in kind has a valid manifest named after its folder', async () => {
  const kinds = listKinds()
  expect(kinds.map((k) => k.manifest.name)).toContain('secrets')
  for (const kind of kinds) expect(kind.dir.endsWith(`/${kind.manifest.name}`)).toBe(true)
})

describe('what the schema cannot say', () => {
  const minimal = {name: 'x', description: 'd', pluginType: 'secret'}
  const withQuestions = (...questions: object[]) => ({...minimal, questions})
  const q = (fields: object) => ({name: 'q', type: 'string', message: 'Q?', ...fields})

  test.each([
    [withQuestions(q({pattern: '[a-z'})), 'x/template.json: field "questions/0/pattern" is not a valid regular expression'],
    [withQuestions(q({pattern: '[a-z]+', default: 'Ops'})), 'x/template.json: field "questions/0/default" "Ops" does not match the question\'s pattern [a-z]+'],
    [withQuestions(q({type: 'choice', choices: ['a'], default: 'b'})), 'field "questions/0/default" "b" is not one of its choices (a)'],
    [withQuestions(q({name: 'module'})), 'field "questions/0/name" "module" is a value every kind has'],
    [withQuestions(q({}), q({})), 'field "questions/1/name" "q" is asked twice'],
    [withQuestions(q({when: 'later'}), q({name: 'later'})), 'field "questions/0/when" reads "later", which is not an earlier question'],
    [withQuestions(q({when: "q = 'a'"})), `field "questions/0/when" "q = 'a'" is not a condition: unexpected "="`],
    [{...minimal, files: [{path: 'a.go', when: 'nope'}]}, 'field "files/0/when" reads "nope", which is not a question'],
    [{...minimal, commands: [{run: 'make', when: '(q'}]}, 'field "commands/0/when" "(q" is not a condition: a "(" is not closed'],
    [{...minimal, extends: 'x'}, 'field "extends" must be one of secrets, auth, database'],
  ])('%j is refused', (data, message) => {
    expect(() => validateManifest(data, 'x/template.json')).toThrow(message)
  })

  test('a full-match pattern: a default that only contains a match is refused', () => {
    expect(() => validateManifest(withQuestions(q({pattern: '[a-z]+', default: 'ops!'})), 'm')).toThrow(/does not match/)
  })
})
