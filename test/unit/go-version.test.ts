import {expect, test} from 'vitest'

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
