import {type ChildProcess, spawn} from 'node:child_process'
import {copyFileSync, mkdirSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, afterEach, beforeAll, describe, expect, test} from 'vitest'

import {until} from '../helpers.js'
import {childrenOf, endOrphanedPlugins, isVaultServer, processTable, processTableSource, runs, runsFrom} from '../../src/lib/vault/processes.js'

// Real processes, looked at through /proc and through `ps` (forced, as on macOS): the same answers from both.
// A space in the folder: a `ps` line joins words with spaces, so paths are matched from the line's start.
const dir = mkdtempSync(join(tmpdir(), 'vaultkit processes-'))
const pluginDir = join(dir, 'plugins')
const vault = join(dir, 'vault')
const plugin = join(pluginDir, 'vault-plugin-secrets-x')
const config = join(dir, 'node 1', 'vault.hcl')
const started: ChildProcess[] = []

function start(command: string, args: string[]): ChildProcess {
  const child = spawn(command, args, {stdio: 'ignore'})
  started.push(child)
  return child
}

const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null

beforeAll(() => {
  mkdirSync(pluginDir)
  // A "vault" (a shell under that name) with server arguments, and a "plugin" (sleep under a plugin's name).
  copyFileSync('/bin/sh', vault)
  copyFileSync('/bin/sleep', plugin)
})

afterEach(() => {
  for (const child of started.splice(0)) child.kill('SIGKILL')
})

afterAll(() => {
  rmSync(dir, {recursive: true, force: true})
})

describe.each(['proc', 'ps'])('the %s process table', (table) => {
  beforeAll(() => {
    process.env.VAULTKIT_PROCESS_TABLE = table
  })
  afterAll(() => {
    delete process.env.VAULTKIT_PROCESS_TABLE
  })

  test('is the one asked for', () => {
    expect(processTableSource()).toBe(table)
  })

  test('a child: its parent, and the executable it runs, by path and by folder', async () => {
    const child = start(plugin, ['60'])
    await until('the child in the table', async () => (await processTable()).some((entry) => entry.pid === child.pid))
    const entry = (await processTable()).find((e) => e.pid === child.pid)!
    expect(entry.ppid).toBe(process.pid)
    expect(runs(entry, [plugin])).toBe(true)
    expect(runs(entry, [`${plugin}-other`])).toBe(false)
    expect(runs(entry, [join(dir, 'plugins-x')])).toBe(false)
    expect(runsFrom(entry, pluginDir)).toBe(true)
    expect(runsFrom(entry, dir.slice(0, -1))).toBe(false)
    expect((await childrenOf(process.pid)).map((e) => e.pid)).toContain(child.pid)
  })

  test('a Vault server is told by its arguments, whole: another config, or a process that reused the pid, is not it', async () => {
    const server = start(vault, ['-c', 'sleep 60; :', 'server', `-config=${config}`])
    await until('the server in the table', async () => (await processTable()).some((entry) => entry.pid === server.pid))
    expect(isVaultServer(server.pid!, `-config=${config}`)).toBe(true)
    expect(isVaultServer(server.pid!, `-config=${join(dir, 'node 1', 'vault')}`)).toBe(false)
    expect(isVaultServer(server.pid!, '-config=vault.hcl')).toBe(false)
    expect(isVaultServer(process.pid, `-config=${config}`)).toBe(false)
    expect(isVaultServer(2 ** 22 + 1, `-config=${config}`)).toBe(false)
  })

  test('where the table cannot be read (no ps on PATH), a live pid is taken for the server rather than for gone', async () => {
    const dead = start('true', [])
    await until('it to exit', async () => !alive(dead))
    const path = process.env.PATH
    process.env.PATH = join(dir, 'no-such-folder')
    try {
      if (table === 'ps') expect(isVaultServer(process.pid, `-config=${config}`)).toBe(true)
      else expect(isVaultServer(process.pid, `-config=${config}`)).toBe(false)
      expect(isVaultServer(dead.pid!, `-config=${config}`)).toBe(false)
    } finally {
      process.env.PATH = path
    }
  })

  test('orphaned plugins are ended; one whose parent is a Vault is not, nor any other process', async () => {
    // A plugin started by a "vault", and one whose parent is not a Vault (as once its Vault was killed).
    const served = start(vault, ['-c', `"${plugin}" 60 & wait`])
    const orphan = start(plugin, ['60'])
    const other = start('sleep', ['60'])
    await until('the served plugin', async () => (await childrenOf(served.pid!)).some((entry) => runs(entry, [plugin])))
    const [servedPlugin] = await childrenOf(served.pid!)
    try {
      expect(await endOrphanedPlugins(pluginDir)).toBe(1)
      await until('the orphan to end', async () => !alive(orphan))
      expect((await childrenOf(served.pid!)).map((e) => e.pid)).toEqual([servedPlugin!.pid])
      expect(alive(served) && alive(other)).toBe(true)
      expect(await endOrphanedPlugins(pluginDir)).toBe(0)
    } finally {
      // Killing its "vault" would leave it an orphan for the next test to find.
      process.kill(servedPlugin!.pid, 'SIGKILL')
    }
  })
})
