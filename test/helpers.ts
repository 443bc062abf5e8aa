import {execFileSync} from 'node:child_process'
import {chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'
import {createServer} from 'node:net'
import {execa} from 'execa'
import {onTestFinished} from 'vitest'

export const REPO = fileURLToPath(new URL('..', import.meta.url))
export const BIN = join(REPO, 'bin/run.js')

/**
 * What a test's own go build, vet, test or staticcheck of a plugin runs with: the settings of `plugin build`
 * and the release (cgo off, -trimpath), so that it reuses their compiled packages instead of compiling the
 * SDK's module tree once more (a minute and a half of CPU on an empty build cache). The plugins have no cgo
 * files, so nothing checked changes.
 */
export const SHIPPED_BUILD_ENV = {CGO_ENABLED: '0', GOFLAGS: '-trimpath'}

/** Runs the built CLI on this Node, without a terminal, colour off. */
export function runCli(args: string[], options: {cwd?: string; env?: Record<string, string>} = {}) {
  return execa(process.execPath, [BIN, ...args], {
    reject: false,
    stdin: 'ignore',
    cwd: options.cwd,
    env: {NO_COLOR: '1', ...options.env},
  })
}

/** A temporary folder removed after the test. */
export function tempDir(prefix = 'vaultkit-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  onTestFinished(() => rmSync(dir, {recursive: true, force: true}))
  return dir
}

/** Every file below `dir`, relative, sorted, "/" separated. */
export function listTree(dir: string): string[] {
  return readdirSync(dir, {recursive: true, withFileTypes: true})
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort()
}

/** A folder nobody may create anything in, root included (root ignores modes, so it gets the immutable bit); `files` are written first. */
export function unwritableDir(files: Record<string, string> = {}): string {
  const dir = tempDir()
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text, {mode: 0o755})
  if (process.getuid?.() === 0) {
    execFileSync('chattr', ['+i', dir])
    onTestFinished(() => {
      execFileSync('chattr', ['-i', dir])
    })
  } else {
    chmodSync(dir, 0o555)
    onTestFinished(() => chmodSync(dir, 0o755))
  }
  return dir
}

/** A folder on a tmpfs of `size` (root mounts it; the tests run as root here and in CI). */
export function smallDisk(size: string): string {
  const dir = tempDir()
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir])
  onTestFinished(() => {
    execFileSync('umount', [dir])
  })
  return dir
}

/** A 127.0.0.1 port nothing listens on (the moment it is returned). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const {port} = probe.address() as {port: number}
      probe.close(() => resolve(port))
    })
  })
}

/** Polls (never a fixed sleep) until `check` gives a value; a check that throws counts as not yet. */
export async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeout = 120_000): Promise<T> {
  const deadline = Date.now() + timeout
  for (;;) {
    const value = await check().catch(() => undefined)
    if (value) return value
    if (Date.now() > deadline) throw new Error(`waited ${timeout / 1000} s for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}
