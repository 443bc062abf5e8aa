import {createHash, randomBytes} from 'node:crypto'
import {chmodSync, readFileSync, renameSync, utimesSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'

import {sha256File} from '../../src/lib/project/build.js'
import {recordBuild, recordedSha256} from '../../src/lib/project/build-record.js'
import {tempDir, unwritableDir} from '../helpers.js'

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex')

describe('sha256File', () => {
  test.each([
    ['empty', 0],
    ['smaller than a chunk', 1000],
    ['exactly two chunks', 8 << 20],
    ['two chunks and a bit', (8 << 20) + 17],
  ])('%s: the same digest as hashing the whole file', async (_name, size) => {
    const file = join(tempDir(), 'binary')
    const data = randomBytes(size)
    writeFileSync(file, data)
    expect(await sha256File(file)).toBe(sha256(data))
  })

  test('a missing file is an error, not a digest', async () => {
    await expect(sha256File(join(tempDir(), 'missing'))).rejects.toThrow(/ENOENT/)
  })
})

describe('the sha256 recorded at build time', () => {
  const built = () => {
    const project = tempDir()
    const file = join(project, 'plugin')
    writeFileSync(file, 'first build')
    return {project, file}
  }

  test('is given back while the file is the one that was hashed', async () => {
    const {project, file} = built()
    await recordBuild(project, file, 'a'.repeat(64))
    expect(await recordedSha256(project, file)).toBe('a'.repeat(64))
    expect(await recordedSha256(project, join(project, 'other'))).toBeUndefined()
  })

  test.each([
    ['rewritten in place with the same size', (file: string) => writeFileSync(file, 'other build')],
    ['rewritten, then given its old times back', (file: string) => {
      const before = new Date(Date.now() - 60_000)
      utimesSync(file, before, before)
      writeFileSync(file, 'other build')
      utimesSync(file, before, before)
    }],
    ['replaced by a rename', (file: string) => {
      writeFileSync(`${file}.new`, readFileSync(file))
      renameSync(`${file}.new`, file)
    }],
    ['only its mode changed', (file: string) => chmodSync(file, 0o700)],
  ])('is not trusted once the file was %s', async (_name, change) => {
    const {project, file} = built()
    const before = new Date(Date.now() - 120_000)
    utimesSync(file, before, before)
    await recordBuild(project, file, 'b'.repeat(64))
    change(file)
    expect(await recordedSha256(project, file)).toBeUndefined()
  })

  test('a project folder that cannot be written costs the hash later, not an error', async () => {
    const project = unwritableDir()
    const file = join(tempDir(), 'plugin')
    writeFileSync(file, 'build')
    await recordBuild(project, file, 'c'.repeat(64))
    expect(await recordedSha256(project, file)).toBeUndefined()
  })
})
