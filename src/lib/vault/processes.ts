import {existsSync, readFileSync} from 'node:fs'
import {readdir, readFile, readlink} from 'node:fs/promises'

import {errnoCode, UserError} from '../errors.js'
import {loadExeca} from '../exec.js'

/**
 * One process. Where the kernel says (Linux /proc), `exe` is the executable's resolved path
 * (" (deleted)" appended once the file was replaced) and `argv` is exact. Elsewhere `ps` tells only the command
 * line, its words joined by spaces, so a path is matched as the line's start: see `runs`.
 */
export interface ProcessEntry {
  pid: number
  ppid: number
  exe?: string
  argv?: string[]
  command: string
  /** The kernel hid the executable: a process this user may not trace (another user's, or more capable). */
  denied?: string
}

/**
 * Where the process table comes from: /proc where there is one, `ps` (macOS, the BSDs) elsewhere.
 * VAULTKIT_PROCESS_TABLE=ps forces the second on Linux, which is how its tests run.
 */
export function processTableSource(): 'proc' | 'ps' {
  return process.env.VAULTKIT_PROCESS_TABLE !== 'ps' && existsSync('/proc/self/stat') ? 'proc' : 'ps'
}

/** The parent pid in /proc/<pid>/stat: the command name in parentheses may hold spaces, so counted from the last ')'. */
const parentInStat = (stat: string) => Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])

async function procEntry(pid: number): Promise<ProcessEntry | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
    const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0')
    if (argv.at(-1) === '') argv.pop()
    const entry: ProcessEntry = {pid, ppid: parentInStat(stat), argv, command: argv.join(' ')}
    try {
      entry.exe = await readlink(`/proc/${pid}/exe`)
    } catch (error) {
      const code = errnoCode(error)
      if (code === 'EACCES' || code === 'EPERM') entry.denied = code
    }
    return entry
  } catch {
    return undefined // gone meanwhile
  }
}

/**
 * A local Vault (dev server or cluster) is started, watched and stopped with POSIX processes and signals, and
 * its plugins found in a process table: Linux, macOS and the BSDs. Windows has neither `ps` nor /proc, so the
 * commands that run one say so at once. `plugin new`, `build`, `release` and `register --vault-addr` work there.
 */
export function requireLocalServerSupport(platform: NodeJS.Platform = process.platform): void {
  if (platform === 'win32') {
    throw new UserError(
      'vaultkit runs a local Vault (dev server or cluster) on Linux and macOS, not on Windows',
      'use WSL 2, or run Vault elsewhere and `vaultkit plugin register --vault-addr` to it',
    )
  }
}

/** `ps` the POSIX way (macOS and the BSDs too): -ww so no command line is cut at a terminal's width. */
function parsePs(output: string): ProcessEntry[] {
  const entries: ProcessEntry[] = []
  for (const line of output.split('\n')) {
    const match = /^\s*(\d+)\s+(\d+)\s(.*)$/.exec(line)
    if (match) entries.push({pid: Number(match[1]), ppid: Number(match[2]), command: match[3]!.trim()})
  }
  return entries
}

// One -o per column: FreeBSD's ps takes everything after a header's "=" as that header, commas included.
const PS_COLUMNS = ['-o', 'pid=', '-o', 'ppid=', '-o', 'command=']
const PS_ARGS = ['-axww', ...PS_COLUMNS]

/** Every process there is. */
export async function processTable(): Promise<ProcessEntry[]> {
  if (processTableSource() === 'ps') {
    // execa and child_process on first use: a command that finds /proc loads neither.
    const execa = await loadExeca()
    const ps = await execa('ps', PS_ARGS, {reject: false})
    return ps.exitCode === 0 ? parsePs(ps.stdout) : []
  }
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((entry) => /^\d+$/.test(entry)).map(Number)
  const entries = await Promise.all(pids.map((pid) => procEntry(pid)))
  return entries.filter((entry): entry is ProcessEntry => entry !== undefined)
}

/**
 * One process by pid, nothing when none runs, or 'unknown' when `ps` could not be asked (missing, or failed
 * otherwise than by finding no such process). Synchronous: a watchdog asks it.
 */
export function processEntry(pid: number): ProcessEntry | undefined | 'unknown' {
  if (!(pid > 1)) return undefined
  if (processTableSource() === 'ps') {
    const ps = process.getBuiltinModule('node:child_process').spawnSync('ps', ['-ww', ...PS_COLUMNS, '-p', String(pid)], {encoding: 'utf8'})
    if (ps.error || (ps.status !== 0 && ps.status !== 1)) return 'unknown'
    return parsePs(ps.stdout)[0]
  }
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
    if (argv.at(-1) === '') argv.pop()
    return {pid, ppid: parentInStat(readFileSync(`/proc/${pid}/stat`, 'utf8')), argv, command: argv.join(' ')}
  } catch {
    return undefined
  }
}

/** The executable's path as the kernel tells it (/proc), or undefined where `ps` tells only a command line. */
const kernelExe = (entry: ProcessEntry) => entry.exe?.replace(/ \(deleted\)$/, '')

/**
 * The process runs the executable at one of `paths` (as given, or resolved). With /proc only the kernel's
 * word counts: a process whose executable it hides (`denied`) is not taken for one by its command line.
 */
export function runs(entry: ProcessEntry, paths: string[]): boolean {
  if (entry.argv !== undefined) return paths.includes(kernelExe(entry) ?? '')
  return paths.some((path) => entry.command === path || entry.command.startsWith(`${path} `))
}

/** The process runs an executable in `dir`. */
export function runsFrom(entry: ProcessEntry, dir: string): boolean {
  return ((entry.argv !== undefined ? kernelExe(entry) : entry.command) ?? '').startsWith(`${dir}/`)
}

/** The process's arguments hold `word` whole: exact with argv, between spaces in a `ps` line. */
export function hasArgument(entry: ProcessEntry, word: string): boolean {
  if (entry.argv) return entry.argv.includes(word)
  return ` ${entry.command} `.includes(` ${word} `)
}

/**
 * A Vault (or OpenBao) server binary, by its file name. Where the kernel hides a process's executable (a
 * Vault with file capabilities, as HashiCorp's packages install it, or another user's), its argv[0] says.
 */
function isVaultBinary(entry: ProcessEntry): boolean {
  if (entry.argv !== undefined) return /(^|\/)(vault|bao)$/.test(kernelExe(entry) ?? (entry.denied ? (entry.argv[0] ?? '') : ''))
  return /(^|\/)(vault|bao)( |$)/.test(entry.command)
}

/**
 * The pid runs `vault server` with `flag` (its listen address, its config file): ours, not a process that
 * reused the pid. Where `ps` cannot be asked, alive is the best that can be said: taking a live server for
 * gone would start a second one beside it, or forget it running.
 */
export function isVaultServer(pid: number, flag: string): boolean {
  const entry = processEntry(pid)
  if (entry === 'unknown') return isProcessAlive(pid)
  return entry !== undefined && hasArgument(entry, 'server') && hasArgument(entry, flag)
}

/** A process has this pid (another user's counts: the kernel says so by refusing the signal). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return errnoCode(error) === 'EPERM'
  }
}

/** The children of a process. */
export async function childrenOf(parent: number): Promise<ProcessEntry[]> {
  return (await processTable()).filter((entry) => entry.ppid === parent)
}

/**
 * Plugin processes running a binary of `pluginDir` whose Vault is gone: go-plugin does not watch its parent,
 * so a killed Vault (a dev server, a cluster node) leaves them running, adopted by init or a subreaper,
 * serving nobody. Ends those, and no other process.
 */
export async function endOrphanedPlugins(pluginDir: string): Promise<number> {
  const table = await processTable()
  const byPid = new Map(table.map((entry) => [entry.pid, entry]))
  let ended = 0
  for (const plugin of table.filter((entry) => runsFrom(entry, pluginDir))) {
    const parent = byPid.get(plugin.ppid)
    if (parent && isVaultBinary(parent)) continue
    try {
      process.kill(plugin.pid, 'SIGKILL')
      ended++
    } catch {
      // Gone meanwhile.
    }
  }
  return ended
}
