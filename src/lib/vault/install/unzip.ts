// Reads one file out of a zip archive (stored or deflated, as HashiCorp's release zips are) with
// node:zlib, so that installing a release needs no unzip program. The zip is a file, or bytes already read
// (and checked against a checksum: extracting those, not the file again, leaves no window to swap it).
import {createReadStream, createWriteStream} from 'node:fs'
import {mkdir, open, stat} from 'node:fs/promises'
import {dirname, join} from 'node:path'
import {Readable} from 'node:stream'
import {pipeline} from 'node:stream/promises'
import {createInflateRaw} from 'node:zlib'

export class ZipError extends Error {}

type Zip = string | Buffer

async function readAt(zip: Zip, length: number, position: number): Promise<Buffer> {
  if (typeof zip !== 'string') return zip.subarray(position, position + length)
  const handle = await open(zip)
  try {
    const buffer = Buffer.alloc(length)
    await handle.read(buffer, 0, length, position)
    return buffer
  } finally {
    await handle.close()
  }
}

const sizeOf = async (zip: Zip) => (typeof zip === 'string' ? (await stat(zip)).size : zip.length)

interface Entry {
  name: string
  method: number
  compressedSize: number
  size: number
  localHeader: number
}

async function entries(zip: Zip): Promise<Entry[]> {
  const size = await sizeOf(zip)
  // The end-of-central-directory record sits in the last 22 bytes plus a comment of up to 64 kB.
  const tailLength = Math.min(size, 22 + 0xffff)
  const tail = await readAt(zip, tailLength, size - tailLength)
  const end = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  if (end < 0 || end + 22 > tailLength) throw new ZipError('it is not a zip archive')
  const count = tail.readUInt16LE(end + 10)
  const directorySize = tail.readUInt32LE(end + 12)
  const directoryOffset = tail.readUInt32LE(end + 16)
  if (directoryOffset === 0xffffffff || directoryOffset + directorySize > size) throw new ZipError('its directory is out of bounds (or zip64, which Vault releases never are)')
  const directory = await readAt(zip, directorySize, directoryOffset)
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
}

/** Writes the entry `name` of the zip (a file, or its bytes) to `target` (mode 0755), checking its size. */
export async function extractEntry(zip: Zip, name: string, target: string): Promise<void> {
  const entry = (await entries(zip)).find((e) => e.name === name)
  if (!entry) throw new ZipError(`it holds no file named ${name}`)
  await extract(zip, entry, target, 0o755)
}

/**
 * Writes the file entries of the zip that `place` maps to a path (relative, with forward slashes: the caller
 * keeps it inside `dir`) under `dir`, mode 0644; returns how many.
 */
export async function extractAll(zip: Zip, dir: string, place: (name: string) => string | undefined): Promise<number> {
  let count = 0
  for (const entry of await entries(zip)) {
    const target = entry.name.endsWith('/') ? undefined : place(entry.name)
    if (!target) continue
    await mkdir(join(dir, dirname(target)), {recursive: true})
    await extract(zip, entry, join(dir, target), 0o644)
    count++
  }
  return count
}

async function extract(zip: Zip, entry: Entry, target: string, mode: number): Promise<void> {
  const {name} = entry
  if (entry.method !== 0 && entry.method !== 8) throw new ZipError(`${name} is compressed with method ${entry.method}, not deflate`)
  const header = await readAt(zip, 30, entry.localHeader)
  if (header.length < 30 || header.readUInt32LE(0) !== 0x04034b50) throw new ZipError(`the header of ${name} is damaged`)
  const start = entry.localHeader + 30 + header.readUInt16LE(26) + header.readUInt16LE(28)
  if (entry.compressedSize === 0) throw new ZipError(`${name} is empty`)
  const end = start + entry.compressedSize
  const input = typeof zip === 'string' ? createReadStream(zip, {start, end: end - 1}) : Readable.from([zip.subarray(start, end)])
  const output = createWriteStream(target, {mode})
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
