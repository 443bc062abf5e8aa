// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the smoke placeholders ${path}, ${name}, ${random}, written as template.json holds them
import {describe, expect, test} from 'vitest'

import {expectationFailure, formatValue, redact, Secrets, showAnswer} from '../../src/lib/registration/smoke-answer.js'
import {kindSmoke} from '../../src/lib/registration/smoke-source.js'
import {listKinds, type Kind} from '../../src/lib/templates/kinds.js'
import {validateManifest} from '../../src/lib/templates/manifest.js'
import {fieldAt, parseFieldPath, placeholdersIn, substitute, substituteDeep} from '../../src/lib/templates/smoke-spec.js'

const values = {path: 'kv', name: 'hello', random: 'R4nd0m-s3cret-v4lue'}
const lookup = (name: string) => values[name as keyof typeof values]

describe('placeholders', () => {
  test.each([
    ['${path}/hello', ['path'], 'kv/hello'],
    ['auth/${path}/users/${name}-${random}', ['path', 'name', 'random'], 'auth/kv/users/hello-R4nd0m-s3cret-v4lue'],
    ['{{name}} stays: Vault and Handlebars syntax is not ours', [], '{{name}} stays: Vault and Handlebars syntax is not ours'],
    ['$${path} is a literal, $$ and $ alone too', [], '${path} is a literal, $$ and $ alone too'],
    ['${path}${path}', ['path', 'path'], 'kvkv'],
  ])('%s', (text, names, substituted) => {
    expect(placeholdersIn(text)).toEqual(names)
    expect(substitute(text, lookup)).toBe(substituted)
  })

  test('every string of a body, at any depth; keys and other values as written', () => {
    const body = {'${path}': '${name}', list: ['a-${random}', 3, true, null], nested: {template: 'v-{{.RoleName}}-${name}'}}
    expect(substituteDeep(body, lookup)).toEqual({
      '${path}': 'hello',
      list: ['a-R4nd0m-s3cret-v4lue', 3, true, null],
      nested: {template: 'v-{{.RoleName}}-hello'},
    })
  })
})

describe('field paths', () => {
  const answer = {data: {keys: ['a', 'b'], message: 'hi', empty: null}, lease_duration: 0, auth: {policies: ['default']}}
  test.each([
    ['data.message', 'hi'],
    ['data.keys.1', 'b'],
    ['lease_duration', 0],
    ['auth.policies', ['default']],
    ['data.empty', undefined],
    ['data.missing.deeper', undefined],
    ['data.keys.x', undefined],
    ['data.message.0', undefined],
  ])('%s', (path, value) => {
    expect(fieldAt(answer, parseFieldPath(path)!)).toEqual(value)
  })

  test.each(['message', 'request_id', 'data..x', 'data.', ''])('%j does not start at a field of an answer', (path) => {
    expect(parseFieldPath(path)).toBeUndefined()
  })
})

describe('what is shown', () => {
  const login = {auth: {client_token: 'hvs.CAESIsecrettoken', accessor: 'acc', policies: ['default', 'ops'], lease_duration: 2764800}}

  test('show fills in fields of the answer, the mount path and the plugin name', () => {
    const secrets = new Secrets([values.random])
    expect(showAnswer(login, 'logged in at ${path} by ${name}: policies ${auth.policies}, lease ${auth.lease_duration} s', values, secrets)).toBe(
      'logged in at kv by hello: policies default, ops, lease 2764800 s',
    )
    expect(showAnswer({data: {}}, 'user ${data.username}', values, secrets)).toBe('user (none)')
  })

  test('secret fields show hidden, by name and wherever their values appear', () => {
    const secrets = new Secrets([values.random])
    secrets.collect(login)
    expect(showAnswer(login, 'token ${auth.client_token} (${auth.accessor})', values, secrets)).toBe('token (hidden) (acc)')
    expect(showAnswer({data: {note: `made for hvs.CAESIsecrettoken with ${values.random}`}}, '${data.note}', values, secrets)).toBe(
      'made for (hidden) with (hidden)',
    )
    expect(showAnswer(login, undefined, values, secrets)).toBe(JSON.stringify({auth: {client_token: '(hidden)', accessor: 'acc', policies: ['default', 'ops'], lease_duration: 2764800}}))
    const creds = {data: {username: 'v-hello-x', password: 'A1a-pass', private_key: 'PEM', keys: ['k1'], token_policies: ['default']}}
    expect(showAnswer(creds, undefined, values, secrets)).toBe(
      JSON.stringify({username: 'v-hello-x', password: '(hidden)', private_key: '(hidden)', keys: ['k1'], token_policies: ['default']}),
    )
  })

  test('the default is the data of the answer, on one line and clipped', () => {
    const secrets = new Secrets([])
    expect(showAnswer(undefined, undefined, values, secrets)).toBe('(no content)')
    expect(showAnswer({data: {message: 'Hello'}}, undefined, values, secrets)).toBe('{"message":"Hello"}')
    expect(showAnswer({data: {message: 'line one\n  line two'}}, '${data.message}', values, secrets)).toBe('line one line two')
    expect(showAnswer({data: {long: 'x'.repeat(500)}}, undefined, values, secrets)).toHaveLength(200)
  })

  test.each([
    ['plain', 'k', 'plain'],
    [42, 'k', '42'],
    [false, 'k', 'false'],
    [['a', 1], 'k', 'a, 1'],
    [[{password: 'p'}], 'k', '{"password":"(hidden)"}'],
    [{a: 1}, 'k', '{"a":1}'],
    [null, 'k', '(none)'],
    ['s3cr3t', 'secret_id', '(hidden)'],
    ['s3cr3t', 'client_token', '(hidden)'],
    [['default'], 'token_policies', 'default'],
  ])('%j under %s is %s', (value, key, text) => {
    expect(formatValue(value, key)).toBe(text)
  })

  test('redact leaves what is not secret alone', () => {
    expect(redact({lease_id: 'database/creds/x/abc', data: {token_id: 'ID', token: 't0ken'}})).toEqual({lease_id: 'database/creds/x/abc', data: {token_id: 'ID', token: '(hidden)'}})
  })
})

describe('expectations', () => {
  const answer = {data: {message: 'Hello, world', count: 3, password: 'hunter22'}}
  const secrets = new Secrets([])
  test.each([
    ['data.message', true, undefined],
    ['data.message', '^Hello, ', undefined],
    ['data.count', '^3$', undefined],
    ['data.message', '^Bye', 'is "Hello, world", which does not match ^Bye'],
    ['data.missing', true, 'is missing'],
    ['data.missing', 'x', 'is missing (expected a match for x)'],
    ['data.password', '^nope$', 'is (hidden), which does not match ^nope$'],
  ])('%s %j', (field, expectation, problem) => {
    expect(expectationFailure(answer, parseFieldPath(field)!, expectation as string | true, secrets)).toBe(problem)
  })
})

describe('the smoke of a kind', () => {
  const builtins = listKinds()
  const kind = (manifest: object): Kind => ({dir: '/kinds/acme', source: 'flag', origin: '--template', manifest: validateManifest(manifest, '/kinds/acme/template.json')})
  const minimal = {name: 'acme', description: 'd', pluginType: 'secret'}
  const own = {requests: [{method: 'GET', path: '${path}/info'}]}

  test('its own, or that of the built-in kind it extends, or none', () => {
    expect(kindSmoke(kind({...minimal, smoke: own}), builtins)).toMatchObject({smoke: own, file: '/kinds/acme/template.json'})
    const inherited = kindSmoke(kind({...minimal, extends: 'secrets'}), builtins)
    expect(inherited.file).toMatch(/templates\/secrets\/template\.json$/)
    expect(inherited.smoke?.requests[0]).toMatchObject({method: 'GET', path: '${path}/hello'})
    expect(kindSmoke(kind(minimal), builtins)).toEqual({smoke: undefined, file: '/kinds/acme/template.json', none: '/kinds/acme/template.json declares none'})
    expect(kindSmoke(kind({...minimal, extends: 'secrets', smoke: {requests: []}}), builtins)).toMatchObject({
      smoke: {requests: []},
      none: '/kinds/acme/template.json declares an empty list',
    })
  })

  test('the built-in kinds declare one each', () => {
    for (const builtin of builtins) expect(builtin.manifest.smoke?.requests.length, builtin.manifest.name).toBeGreaterThan(0)
  })
})
