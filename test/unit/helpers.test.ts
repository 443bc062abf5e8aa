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
  const cases = ['plain', 'with "quotes"', 'back\\slash', 'tab\tand\nnewline', 'ünïcödé ✓', 'nul\u0000byte', 'lone \ud800 surrogate', '{{name}}']

  test.each(cases)('%j becomes a quoted literal', (input) => {
    const literal = goString(input)
    expect(literal.startsWith('"') && literal.endsWith('"')).toBe(true)
  })

  // The real proof: Go itself parses every literal back to the input (a lone surrogate to U+FFFD).
  test('go run reads every literal back exactly', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vaultkit-gostring-'))
    const body = cases.map((c) => `\tfmt.Printf("%q\\n", ${goString(c)})`).join('\n')
    writeFileSync(join(dir, 'main.go'), `package main\n\nimport "fmt"\n\nfunc main() {\n${body}\n}\n`)
    const out = execFileSync('go', ['run', 'main.go'], {cwd: dir, encoding: 'utf8', env: {...process.env, GO111MODULE: 'off'}})
    const parsed = out.trim().split('\n').map((line) => JSON.parse(line.replaceAll('\\x00', '\\u0000')) as string)
    expect(parsed).toEqual(cases.map((c) => c.toWellFormed()))
  })
})
