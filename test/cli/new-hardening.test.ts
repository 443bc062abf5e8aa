import {mkdirSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'
import {describe, expect, test} from 'vitest'

import {BIN, listTree, smallDisk, tempDir} from '../helpers.js'

const GOLDEN = join(import.meta.dirname, '../golden/secrets')
const quiet = ['--no-tidy', '--no-git']
// Each file write is slowed (test/fixtures/slow-writes.js), so two runs started together overlap for sure.
const SLOW = ['--import', join(import.meta.dirname, '../fixtures/slow-writes.js')]

const newProject = (cwd: string, args: string[], slow = false) =>
  execa(process.execPath, [...(slow ? SLOW : []), BIN, 'plugin', 'new', 'hello', '--yes', ...quiet, ...args], {cwd, reject: false, env: {NO_COLOR: '1'}})

describe('plugin new on a full disk', () => {
  test('a disk too small for the project: one line that says so, nothing left behind', async () => {
    const disk = smallDisk('24k')
    const result = await newProject(disk, ['--dir', join(disk, 'plugins', 'hello')])
    expect(result.exitCode).toBe(1)
    expect(result.stderr.trim()).toBe(`Error: Cannot write in ${join(disk, 'plugins')}: the disk is full (ENOSPC): free some space or choose another --dir; nothing was left behind`)
    expect(readdirSync(disk)).toEqual([])
  })

  test('into an existing empty folder on a full disk: the folder is left as it was, empty', async () => {
    const disk = smallDisk('24k')
    const result = await newProject(disk, ['--dir', '.'])
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toMatch(/the disk is full \(ENOSPC\)/)
    expect(readdirSync(disk)).toEqual([])
  })
})

describe('two plugin new into the same folder at once', () => {
  test.each([
    ['a new folder', false],
    ['an existing empty folder', true],
  ])('%s: one run writes the project, the other is refused, nothing is mixed', async (_label, existing) => {
    const cwd = tempDir()
    const target = join(cwd, 'vault-plugin-secrets-hello')
    if (existing) mkdirSync(target)
    const [a, b] = await Promise.all([newProject(cwd, [], true), newProject(cwd, [], true)])
    const codes = [a.exitCode, b.exitCode].sort()
    expect(codes, `${a.stderr}\n${b.stderr}`).toEqual([0, 1])
    const refused = a.exitCode === 1 ? a : b
    expect(refused.stderr.trim()).toMatch(
      new RegExp(`^Error: (${target} already exists and is not empty: choose another --dir, or move it away first|Another vaultkit is writing a project into ${target}: wait for it to finish, or choose another --dir)$`),
    )
    expect(listTree(target)).toEqual(listTree(GOLDEN))
    expect(readdirSync(cwd)).toEqual(['vault-plugin-secrets-hello'])
    // No lock or staging folder left; .vaultkit.json is the project's own record of its origin.
    expect(readdirSync(target).filter((e) => e !== '.vaultkit.json' && (e.startsWith('.vaultkit') || e.includes('.vaultkit-')))).toEqual([])
  })
})
