// Reads one file out of a zip archive (stored or deflated, as HashiCorp's release zips are) with
// node:zlib, so that installing a release needs no unzip program.
import {createReadStream, createWriteStream} from 'node:fs'
import {open} from 'node:fs/promises'
import {pipeline} from 'node:stream/promises'
import {createInflateRaw} from 'node:zlib'

export class ZipError extends Error {}

interface Entry {
  name: string
  method: number
  compressedSize: number
  size: number
  localHeader: number
}

async function entries(file: string): Promise<Entry[]> {
  const handle = await open(file)
  try {
    const {size} = await handle.stat()
    // The end-of-central-directory record sits in the last 22 bytes plus a comment of up to 64 kB.
    const tailLength = Math.min(size, 22 + 0xffff)
    const tail = Buffer.alloc(tailLength)
    await handle.read(tail, 0, tailLength, size - tailLength)
    const end = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
    if (end < 0 || end + 22 > tailLength) throw new ZipError('it is not a zip archive')
    const count = tail.readUInt16LE(end + 10)
    const directorySize = tail.readUInt32LE(end + 12)
    const directoryOffset = tail.readUInt32LE(end + 16)
    if (directoryOffset === 0xffffffff || directoryOffset + directorySize > size) throw new ZipError('its directory is out of bounds (or zip64, which Vault releases never are)')
    const directory = Buffer.alloc(directorySize)
    await handle.read(directory, 0, directorySize, directoryOffset)
    const list: Entry[] = []
    let at = 0
    for (let i = 0; i < count; i++) {
      if (at + 46 > directory.length || directory.readUInt32LE(at) !== 0x02014b50) throw new ZipError('its directory is damaged')
      const nameLength = directory.readUInt16LE(at + 28)
      list.push({
        method: directory.readUInt16LE(at + 10),
        compressedSize: directory.readUInt32LE(at + 20),
        size: directory.readUInt32LE(at + 24),
        localHeader: directory.readUInt32LE(at + 42),
        name: directory.toString('utf8', at + 46, at + 46 + nameLength),
      })
      at += 46 + nameLength + directory.readUInt16LE(at + 30) + directory.readUInt16LE(at + 32)
    }
    return list
  } finally {
    await handle.close()
  }
}

/** Writes the entry `name` of the zip `file` to `target` (mode 0755), checking its size. */
export async function extractEntry(file: string, name: string, target: string): Promise<void> {
  const entry = (await entries(file)).find((e) => e.name === name)
  if (!entry) throw new ZipError(`it holds no file named ${name}`)
  if (entry.method !== 0 && entry.method !== 8) throw new ZipError(`${name} is compressed with method ${entry.method}, not deflate`)
  const handle = await open(file)
  let start: number
  try {
    const header = Buffer.alloc(30)
    await handle.read(header, 0, 30, entry.localHeader)
    if (header.readUInt32LE(0) !== 0x04034b50) throw new ZipError(`the header of ${name} is damaged`)
    start = entry.localHeader + 30 + header.readUInt16LE(26) + header.readUInt16LE(28)
  } finally {
    await handle.close()
  }
  if (entry.compressedSize === 0) throw new ZipError(`${name} is empty`)
  const input = createReadStream(file, {start, end: start + entry.compressedSize - 1})
  const output = createWriteStream(target, {mode: 0o755})
  let written = 0
  const count = async function* (source: AsyncIterable<Buffer>) {
    for await (const chunk of source) {
      written += chunk.length
      yield chunk
    }
  }
  try {
    if (entry.method === 8) await pipeline(input, createInflateRaw(), count, output)
    else await pipeline(input, count, output)
  } catch (error) {
    if ((error as {code?: string}).code?.startsWith('Z_')) throw new ZipError(`${name} does not inflate (${(error as Error).message})`)
    throw error
  }
  if (written !== entry.size) throw new ZipError(`${name} unpacked to ${written} bytes, not the ${entry.size} its directory says`)
}
