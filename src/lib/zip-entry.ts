import {crc32, inflateRawSync} from 'node:zlib'

import {UserError} from './errors.js'

/**
 * The single file of a release zip (as tools/release writes them: one entry, stored or deflated, no zip64),
 * its length and CRC-32 checked. Enough of the format to install a release without an unzip on PATH.
 */
export function readSingleEntry(zip: Buffer, label: string): {name: string; data: Buffer} {
  const bad = (why: string) => new UserError(`${label} is not a release zip: ${why}`, 'download or build the release again')
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  if (eocd < 0 || zip.length - eocd < 22) throw bad('no end of central directory')
  if (zip.readUInt16LE(eocd + 10) !== 1) throw bad(`${zip.readUInt16LE(eocd + 10)} entries, not 1`)
  const central = zip.readUInt32LE(eocd + 16)
  if (central + 46 > zip.length || zip.readUInt32LE(central) !== 0x02014b50) throw bad('no central directory')
  const method = zip.readUInt16LE(central + 10)
  const crc = zip.readUInt32LE(central + 16)
  const compressedSize = zip.readUInt32LE(central + 20)
  const size = zip.readUInt32LE(central + 24)
  const name = zip.subarray(central + 46, central + 46 + zip.readUInt16LE(central + 28)).toString('utf8')
  const local = zip.readUInt32LE(central + 42)
  if (local + 30 > zip.length || zip.readUInt32LE(local) !== 0x04034b50) throw bad('no local header')
  const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28)
  if (start + compressedSize > zip.length) throw bad('truncated')
  const raw = zip.subarray(start, start + compressedSize)
  if (method !== 0 && method !== 8) throw bad(`compression method ${method}`)
  const data = method === 8 ? inflateRawSync(raw) : raw
  if (data.length !== size || crc32(data) !== crc) throw bad(`${name} fails its CRC check`)
  return {name, data}
}
