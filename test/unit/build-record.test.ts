import {createHash, randomBytes} from 'node:crypto'
import {chmodSync, linkSync, readFileSync, renameSync, utimesSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'

import {buildSha256, sha256File} from '../../src/lib/project/build.js'
import {dropRecord, fileIdentity, recordBuild, recordedSha256, renewRecord} from '../../src/lib/project/build-record.js'
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
    await recordBuild(project, file, 'a'.repeat(64), await fileIdentity(file))
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
    await recordBuild(project, file, 'b'.repeat(64), await fileIdentity(file))
    change(file)
    expect(await recordedSha256(project, file)).toBeUndefined()
  })

  test('a project folder that cannot be written costs the hash later, not an error', async () => {
    const project = unwritableDir()
    const file = join(tempDir(), 'plugin')
    writeFileSync(file, 'build')
    await recordBuild(project, file, 'c'.repeat(64), await fileIdentity(file))
    expect(await recordedSha256(project, file)).toBeUndefined()
  })

  // `go build -o` renames a new file over the build while vaultkit reads the old one.
  const replace = (file: string, bytes: string) => {
    writeFileSync(`${file}.new`, bytes)
    renameSync(`${file}.new`, file)
  }

  test('a file replaced while it was hashed is not recorded under the sha256 of the old bytes', async () => {
    const {project, file} = built()
    const before = await fileIdentity(file)
    replace(file, 'second build')
    expect(await recordBuild(project, file, 'd'.repeat(64), before)).toBe(false)
    expect(await recordedSha256(project, file)).toBeUndefined()
  })

  test('renewed after a link (only the ctime changed), but never for another file', async () => {
    const {project, file} = built()
    const checked = await fileIdentity(file)
    await recordBuild(project, file, 'e'.repeat(64), checked)
    linkSync(file, `${file}_v0.1.0`)
    expect(await recordedSha256(project, file)).toBeUndefined()
    await renewRecord(project, file, 'e'.repeat(64), checked)
    expect(await recordedSha256(project, file)).toBe('e'.repeat(64))
    // A build landed after the sha256 was checked: the old sha256 is not renewed for the new inode.
    replace(file, 'second build')
    await renewRecord(project, file, 'e'.repeat(64), checked)
    expect(await recordedSha256(project, file)).toBeUndefined()
  })

  test('the build sha256: the recorded one while the file is the same, else read again and recorded', async () => {
    const {project, file} = built()
    // A planted record is used as it is: proof that a register does not read the file then.
    await recordBuild(project, file, 'f'.repeat(64), await fileIdentity(file))
    expect((await buildSha256(project, file)).sha256).toBe('f'.repeat(64))
    replace(file, 'second build')
    const read = await buildSha256(project, file)
    expect(read.sha256).toBe(sha256(Buffer.from('second build')))
    expect(await recordedSha256(project, file)).toBe(read.sha256)
    // plugin dev's sha256, taken from its build: the identity only when the record agrees with it.
    expect((await buildSha256(project, file, read.sha256)).identity).toEqual(await fileIdentity(file))
    expect((await buildSha256(project, file, 'f'.repeat(64))).identity).toBeUndefined()
    await dropRecord(project)
    expect(await recordedSha256(project, file)).toBeUndefined()
  })
})

test("a staged build of a process that is gone is removed; a live process's, the build and others are kept", async () => {
  const {mkdtempSync, readdirSync, writeFileSync} = await import('node:fs')
  const {tmpdir} = await import('node:os')
  const {sweepAbandoned} = await import('../../src/lib/abandoned.js')
  const dir = mkdtempSync(join(tmpdir(), 'vaultkit-staged-'))
  // Named as buildPlugin stages a build; 2^22 is above Linux's largest pid: no process has it.
  for (const name of ['p', 'p_v0.1.0', `.build-${process.pid}-p`, `.build-${2 ** 22}-p`, `.release-${2 ** 22}-p`]) writeFileSync(join(dir, name), '')
  await sweepAbandoned(dir, ['build'])
  expect(readdirSync(dir).sort()).toEqual([`.build-${process.pid}-p`, `.release-${2 ** 22}-p`, 'p', 'p_v0.1.0'])
})
