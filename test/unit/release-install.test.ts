import {spawnSync} from 'node:child_process'
import {createHash, randomBytes} from 'node:crypto'
import {mkdirSync, readFileSync, readdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {crc32} from 'node:zlib'
import {describe, expect, test} from 'vitest'

import {sweepAbandoned} from '../../src/lib/abandoned.js'
import {checkRelease, extractRelease} from '../../src/lib/registration/release-install.js'
import {releasePlatform} from '../../src/lib/vault/install/release.js'
import {tempDir} from '../helpers.js'

/** A zip holding one stored file, as the release zips are read (no zip program needed). */
function zipOf(name: string, data: Buffer): Buffer {
  const fileName = Buffer.from(name)
  const local = Buffer.alloc(30)
  local.writeUInt32LE(0x04034b50, 0)
  local.writeUInt16LE(20, 4)
  local.writeUInt32LE(crc32(data), 14)
  local.writeUInt32LE(data.length, 18)
  local.writeUInt32LE(data.length, 22)
  local.writeUInt16LE(fileName.length, 26)
  const central = Buffer.alloc(46)
  central.writeUInt32LE(0x02014b50, 0)
  central.writeUInt16LE(20, 6)
  central.writeUInt32LE(crc32(data), 16)
  central.writeUInt32LE(data.length, 20)
  central.writeUInt32LE(data.length, 24)
  central.writeUInt16LE(fileName.length, 28)
  const directoryOffset = local.length + fileName.length + data.length
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(1, 8)
  end.writeUInt16LE(1, 10)
  end.writeUInt32LE(central.length + fileName.length, 12)
  end.writeUInt32LE(directoryOffset, 16)
  return Buffer.concat([local, fileName, data, central, fileName, end])
}

function release(binary: Buffer): {dir: string; zip: string} {
  const dir = tempDir()
  const zipName = `vault-plugin-secrets-hello_0.3.0_${releasePlatform()}.zip`
  const zip = zipOf('vault-plugin-secrets-hello', binary)
  writeFileSync(join(dir, zipName), zip)
  writeFileSync(join(dir, 'vault-plugin-secrets-hello_0.3.0_SHA256SUMS'), `${createHash('sha256').update(zip).digest('hex')}  ${zipName}\n`)
  return {dir, zip: join(dir, zipName)}
}

describe('a release installed from its folder', () => {
  test('the binary comes from the zip bytes that were checked, not from the file read again', async () => {
    const good = randomBytes(64 << 10)
    const {dir, zip} = release(good)
    const checked = await checkRelease(dir)
    // The zip is replaced between the check and the extraction.
    writeFileSync(zip, zipOf('vault-plugin-secrets-hello', randomBytes(64 << 10)))
    const target = join(tempDir(), 'vault-plugin-secrets-hello_v0.3.0')
    await extractRelease(checked, target)
    expect(readFileSync(target).equals(good)).toBe(true)
  })

  test('a staging folder whose process is gone is swept; one of a running process, or anything else, stays', async () => {
    const root = tempDir()
    const gone = spawnSync(process.execPath, ['-e', '']).pid
    for (const name of [`.release-${gone}-abc`, `.release-${process.pid}-def`, '.release-keep', 'node-1']) {
      mkdirSync(join(root, name))
      writeFileSync(join(root, name, 'vault-plugin-secrets-hello'), 'tens of MB')
    }
    await sweepAbandoned(root, ['release'])
    expect(readdirSync(root).sort()).toEqual([`.release-${process.pid}-def`, '.release-keep', 'node-1'])
  })
})
