import {crc32, deflateRawSync} from 'node:zlib'
import {describe, expect, test} from 'vitest'

import {readSingleEntry} from '../../src/lib/zip-entry.js'

/** A zip of one entry laid out by hand (local header, data, central directory, end record). */
function zipOf(name: string, data: Buffer, options: {method?: 0 | 8; crc?: number; entries?: number} = {}): Buffer {
  const method = options.method ?? 8
  const stored = method === 8 ? deflateRawSync(data) : data
  const crc = options.crc ?? crc32(data)
  const fileName = Buffer.from(name)
  const local = Buffer.alloc(30)
  local.writeUInt32LE(0x04034b50, 0)
  local.writeUInt16LE(method, 8)
  local.writeUInt32LE(crc, 14)
  local.writeUInt32LE(stored.length, 18)
  local.writeUInt32LE(data.length, 22)
  local.writeUInt16LE(fileName.length, 26)
  const central = Buffer.alloc(46)
  central.writeUInt32LE(0x02014b50, 0)
  central.writeUInt16LE(method, 10)
  central.writeUInt32LE(crc, 16)
  central.writeUInt32LE(stored.length, 20)
  central.writeUInt32LE(data.length, 24)
  central.writeUInt16LE(fileName.length, 28)
  central.writeUInt32LE(0, 42)
  const centralOffset = local.length + fileName.length + stored.length
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(options.entries ?? 1, 8)
  end.writeUInt16LE(options.entries ?? 1, 10)
  end.writeUInt32LE(central.length + fileName.length, 12)
  end.writeUInt32LE(centralOffset, 16)
  return Buffer.concat([local, fileName, stored, central, fileName, end])
}

const binary = Buffer.from('\x7fELF pretend plugin binary '.repeat(500))

describe('readSingleEntry', () => {
  test.each([0, 8] as const)('reads the one entry, stored or deflated (method %i)', (method) => {
    expect(readSingleEntry(zipOf('vault-plugin-secrets-hello', binary, {method}), 'x.zip')).toEqual({name: 'vault-plugin-secrets-hello', data: binary})
  })

  test('an entry that fails its CRC is refused', () => {
    expect(() => readSingleEntry(zipOf('p', binary, {crc: crc32(binary) ^ 1}), 'x.zip')).toThrow('x.zip is not a release zip: p fails its CRC check')
  })

  test('a zip of more than one entry, or no zip at all, is refused', () => {
    expect(() => readSingleEntry(zipOf('p', binary, {entries: 2}), 'x.zip')).toThrow('2 entries, not 1')
    expect(() => readSingleEntry(binary, 'x.zip')).toThrow('no end of central directory')
  })
})
