// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the smoke placeholders ${path}, ${name}, ${random}, written as template.json holds them
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

  const smoke = (fields: object, show?: string) => ({...minimal, smoke: {requests: [{method: 'POST', path: '${path}/x', ...fields}], show}})
  const setup = (fields: object) => smoke({setup: {status: 400, requests: [{method: 'POST', path: 'x', ...fields}]}})
  test.each([
    [smoke({method: 'GETS'}), 'x/template.json: field "smoke/requests/0/method" must be one of GET, POST, PUT, DELETE, LIST'],
    [smoke({path: '/v1/x'}), 'x/template.json: field "smoke/requests/0/path" must be a request path below /v1/ such as "${path}/hello" (no leading "/", no spaces)'],
    [smoke({expect: {'data.x': 1}}), 'x/template.json: field "smoke/requests/0/expect/data.x" must be a regular expression (a non-empty string) or true'],
    [smoke({setup: {status: 302, requests: []}}), 'x/template.json: field "smoke/requests/0/setup/status" must be an HTTP error status such as 400'],
    [smoke({path: '${path}/creds/${role}'}), 'x/template.json: field "smoke/requests/0/path" uses ${role}, which is not a placeholder (${path}, ${name}, ${random}; write $${ for a literal ${)'],
    [smoke({body: {a: [{b: 'x-${Random}'}]}}), 'x/template.json: field "smoke/requests/0/body/a/0/b" uses ${Random}, which is not a placeholder'],
    [smoke({method: 'GET', body: {a: 1}}), 'x/template.json: field "smoke/requests/0/body" is sent with no GET request: use POST or PUT'],
    [smoke({expect: {message: true}}), 'x/template.json: field "smoke/requests/0/expect/message" is not a field of the answer such as data.message or auth.policies'],
    [smoke({expect: {'data.message': '(unclosed'}}), 'x/template.json: field "smoke/requests/0/expect/data.message" is not a valid regular expression'],
    [smoke({setup: {status: 400, error: '[', requests: [{method: 'GET', path: 'x'}]}}), 'x/template.json: field "smoke/requests/0/setup/error" is not a valid regular expression'],
    [setup({path: '${mount}/config'}), 'x/template.json: field "smoke/requests/0/setup/requests/0/path" uses ${mount}, which is not a placeholder'],
    [setup({expect: {'auth..x': true}}), 'x/template.json: field "smoke/requests/0/setup/requests/0/expect/auth..x" is not a field of the answer'],
    [smoke({}, 'password ${random}'), 'x/template.json: field "smoke/show" uses ${random}, a secret, which is never shown'],
    [smoke({}, 'user ${username}'), 'x/template.json: field "smoke/show" uses ${username}, which is neither ${path} nor ${name} nor a field of the answer'],
  ])('smoke: %j is refused', (data, message) => {
    expect(() => validateManifest(data, 'x/template.json')).toThrow(message)
  })

  test('a smoke that is well formed is kept as declared; a literal ${ is written $${', () => {
    const declared = smoke({body: {template: 'v-{{.RoleName}}-$${path}', password: '${random}'}, expect: {'auth.policies.0': '^default$'}}, 'at ${path}: ${auth.policies}')
    expect(validateManifest(declared, 'x/template.json').smoke).toEqual(declared.smoke)
  })

  test('a full-match pattern: a default that only contains a match is refused', () => {
    expect(() => validateManifest(withQuestions(q({pattern: '[a-z]+', default: 'ops!'})), 'm')).toThrow(/does not match/)
  })
})
