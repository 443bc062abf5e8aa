import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {beforeEach, describe, expect, test} from 'vitest'

import {writeProject} from '../../src/lib/scaffold/write.js'

const file = (path: string, text = path, mode = 0o644) => ({path, contents: Buffer.from(text), mode})

let root: string
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'vaultkit-scaffold-'))
})

describe('writeProject', () => {
  test('writes every file with its mode, and nothing beside the project', async () => {
    await writeProject(join(root, 'p'), [file('a.txt'), file('d/e/f.sh', '#!/bin/sh', 0o755)])
    expect(readFileSync(join(root, 'p/d/e/f.sh'), 'utf8')).toBe('#!/bin/sh')
    expect(statSync(join(root, 'p/d/e/f.sh')).mode & 0o777).toBe(0o755)
    expect(statSync(join(root, 'p')).mode & 0o777).toBe(0o755)
    expect(readdirSync(root)).toEqual(['p'])
  })

  test('creates missing parents', async () => {
    await writeProject(join(root, 'x/y/p'), [file('a.txt')])
    expect(existsSync(join(root, 'x/y/p/a.txt'))).toBe(true)
  })

  test('fills an existing empty directory', async () => {
    mkdirSync(join(root, 'p'))
    await writeProject(join(root, 'p'), [file('a.txt')])
    expect(readdirSync(join(root, 'p'))).toEqual(['a.txt'])
  })

  test('refuses a directory that is not empty and leaves it as it was', async () => {
    mkdirSync(join(root, 'p'))
    writeFileSync(join(root, 'p/keep.txt'), 'mine')
    await expect(writeProject(join(root, 'p'), [file('keep.txt', 'theirs')])).rejects.toThrow(/already exists and is not empty/)
    expect(readdirSync(join(root, 'p'))).toEqual(['keep.txt'])
    expect(readFileSync(join(root, 'p/keep.txt'), 'utf8')).toBe('mine')
  })

  test('a failure half way leaves no project, no staging folder and no parents it made', async () => {
    // "a" as a file, then "a/b" needs "a" as a folder: the second write fails after the first succeeded.
    await expect(writeProject(join(root, 'new/p'), [file('a'), file('a/b')])).rejects.toThrow()
    expect(readdirSync(root)).toEqual([])
  })
})
