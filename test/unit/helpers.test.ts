import {execFileSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'

import {
  camelCase,
  constantCase,
  eq,
  goString,
  kebabCase,
  lowerCase,
  pascalCase,
  snakeCase,
  upperCase,
  words,
} from '../../src/lib/templates/helpers.js'

describe('case helpers', () => {
  test.each([
    ['hello', ['hello'], 'Hello', 'hello', 'hello', 'hello', 'HELLO'],
    ['my-plugin', ['my', 'plugin'], 'MyPlugin', 'myPlugin', 'my_plugin', 'my-plugin', 'MY_PLUGIN'],
    ['myPlugin', ['my', 'plugin'], 'MyPlugin', 'myPlugin', 'my_plugin', 'my-plugin', 'MY_PLUGIN'],
    ['My Plugin 2', ['my', 'plugin', '2'], 'MyPlugin2', 'myPlugin2', 'my_plugin_2', 'my-plugin-2', 'MY_PLUGIN_2'],
    ['oauth2-token', ['oauth2', 'token'], 'Oauth2Token', 'oauth2Token', 'oauth2_token', 'oauth2-token', 'OAUTH2_TOKEN'],
  ])('%j', (input, split, pascal, camel, snake, kebab, constant) => {
    expect(words(input)).toEqual(split)
    expect(pascalCase(input)).toBe(pascal)
    expect(camelCase(input)).toBe(camel)
    expect(snakeCase(input)).toBe(snake)
    expect(kebabCase(input)).toBe(kebab)
    expect(constantCase(input)).toBe(constant)
  })

  test('lowerCase lowers and upperCase raises (and not the other way round)', () => {
    expect(lowerCase('MiXeD')).toBe('mixed')
    expect(upperCase('MiXeD')).toBe('MIXED')
  })

  test('eq compares strictly', () => {
    expect(eq('a', 'a')).toBe(true)
    expect(eq('1', 1)).toBe(false)
  })
})

describe('goString', () => {
  const cases = [
    'plain',
    'with "quotes"',
    'back\\slash',
    'tab\tand\nnewline\r',
    'ünïcödé ✓ 🚀',
    'nul\u0000byte',
    'lone \ud800 surrogate',
    '{{name}}',
    'byte order \ufeff mark',
    'zero\u200bwidth, line\u2028separator, del\u007f, c1\u0085',
    'tag \u{e0001} character',
  ]

  test.each(cases)('%j becomes a quoted literal', (input) => {
    const literal = goString(input)
    expect(literal.startsWith('"') && literal.endsWith('"')).toBe(true)
  })

  test('invisible characters are escaped, visible ones kept', () => {
    expect(goString('a\ufeffb\u200bc ✓')).toBe('"a\\ufeffb\\u200bc ✓"')
    expect(goString('\u{e0001}')).toBe('"\\U000e0001"')
  })

  // The real proof: Go itself compiles every literal (gofmt and vet would refuse a BOM) and reads it back
  // to the same UTF-8 bytes (a lone surrogate as U+FFFD).
  test('go vet accepts every literal and go run reads each back exactly', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vaultkit-gostring-'))
    const body = cases.map((c) => `\tfmt.Printf("%x\\n", ${goString(c)})`).join('\n')
    writeFileSync(join(dir, 'main.go'), `package main\n\nimport "fmt"\n\nfunc main() {\n${body}\n}\n`)
    const env = {...process.env, GO111MODULE: 'off'}
    execFileSync('go', ['vet', 'main.go'], {cwd: dir, env})
    const out = execFileSync('go', ['run', 'main.go'], {cwd: dir, encoding: 'utf8', env})
    expect(out.trim().split('\n')).toEqual(cases.map((c) => Buffer.from(c.toWellFormed()).toString('hex')))
  })
})
