import {describe, expect, test} from 'vitest'

import {answersRead, evaluateCondition, parseCondition} from '../../src/lib/templates/when.js'

const answers = {withCreds: true, storage: 'redis', empty: '', off: false}

describe('when conditions', () => {
  test.each([
    ['withCreds', true],
    ['!withCreds', false],
    ['off', false],
    ['empty', false],
    ['!empty', true],
    ["storage == 'redis'", true],
    ['storage == "memory"', false],
    ["storage != 'memory'", true],
    ['withCreds == true', true],
    ['off == false', true],
    ["withCreds && storage == 'redis'", true],
    ['off || empty', false],
    ["off || storage == 'redis'", true],
    ['!(off || withCreds)', false],
    ['off && withCreds || withCreds', true],
    ['  withCreds  ', true],
    ['missing', false],
  ])('%s is %s', (source, expected) => {
    expect(evaluateCondition(parseCondition(source), answers)).toBe(expected)
  })

  test('&& binds tighter than ||', () => {
    expect(parseCondition('a || b && c')).toEqual({
      op: 'or',
      left: {op: 'answer', name: 'a'},
      right: {op: 'and', left: {op: 'answer', name: 'b'}, right: {op: 'answer', name: 'c'}},
    })
  })

  test('reports the answers it reads', () => {
    expect(answersRead(parseCondition("!a && (b == 'x' || c != true)"))).toEqual(['a', 'b', 'c'])
  })

  test.each([
    ['', 'is empty'],
    ['a ==', 'ends too early'],
    ['(a', 'a "(" is not closed'],
    ['a b', 'unexpected "b"'],
    ['a = 1', 'unexpected "="'],
    ["a == 'open", `unexpected "'"`],
    ['process.exit()', 'unexpected "."'],
    ['a && && b', 'unexpected "&&"'],
  ])('%j is refused: %s', (source, message) => {
    expect(() => parseCondition(source)).toThrow(message)
  })
})
