import {describe, expect, test} from 'vitest'

import {vaultIsRecentEnough} from '../../src/lib/doctor.js'
import {isGoVersionAtLeast, parseGoVersion} from '../../src/lib/go.js'
import {errorLine} from '../../src/lib/steps.js'

test.each([
  ['go1.26.8', [1, 26, 8]],
  ['1.24', [1, 24, 0]],
  ['go1.21rc2', [1, 21, 0]],
  ['devel', undefined],
  ['devel go1.27-abcdef Tue', [1, 27, 0]],
])('parseGoVersion(%j)', (input, expected) => {
  expect(parseGoVersion(input)).toEqual(expected)
})

test.each([
  ['go1.26.8', '1.24.0', true],
  ['go1.24.0', '1.24.0', true],
  ['go1.23.9', '1.24.0', false],
  ['go1.9.0', '1.24.0', false],
  ['go2.0.0', '1.24.0', true],
  ['devel', '1.24.0', false],
])('isGoVersionAtLeast(%j, %j) is %s', (found, needed, expected) => {
  expect(isGoVersionAtLeast(found, needed)).toBe(expected)
})

test('errorLine skips download progress and keeps the last real line', () => {
  const output = 'go: downloading github.com/x/y v1.0.0\ngo: finding module for package z\ngo: example.com/p imports\n\tz: cannot find module\ngo: downloading a v1\n'
  expect(errorLine(output)).toBe('z: cannot find module')
  expect(errorLine('')).toBe('')
})

describe('vaultIsRecentEnough', () => {
  test('Vault 1.12 and later, and OpenBao, register versioned plugins', () => {
    expect(vaultIsRecentEnough("Vault v1.12.0 ('abc'), built 2022-10-10T00:00:00Z")).toBe(true)
    expect(vaultIsRecentEnough('Vault v1.21.4, built 2026-03-05T01:40:05Z')).toBe(true)
    expect(vaultIsRecentEnough('Vault v2.0.0')).toBe(true)
    expect(vaultIsRecentEnough('OpenBao v2.2.0')).toBe(true)
    expect(vaultIsRecentEnough('Vault v1.11.12')).toBe(false)
    expect(vaultIsRecentEnough('Vault v0.99.0')).toBe(false)
    expect(vaultIsRecentEnough('something else')).toBe(false)
  })
})
