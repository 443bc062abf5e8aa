import {describe, expect, it} from 'vitest'

import {jsonValues} from '../../src/lib/json-stream.js'

describe('jsonValues', () => {
  const values = [{config: {go_version: 'go1.26.8'}}, {finding: {osv: 'GO-2026-0001', trace: [{module: 'stdlib', function: '{'}]}}, {text: 'a "}\n{" b'}]

  it('reads an indented stream, as go list -json and govulncheck print it', () => {
    const stream = `${values.map((v) => JSON.stringify(v, undefined, '  ')).join('\n')}\n`
    expect(jsonValues(stream)).toEqual(values)
  })

  it('reads objects written one after another on one line, and a stream that starts with other text', () => {
    expect(jsonValues(values.map((v) => JSON.stringify(v)).join(''))).toEqual(values)
    expect(jsonValues(`go: downloading x\n${values.map((v) => JSON.stringify(v, undefined, '\t')).join('\n')}`)).toEqual(values)
  })
})
