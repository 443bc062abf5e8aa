import {readdir, readFile, readlink} from 'node:fs/promises'

import {errnoCode} from '../errors.js'

export interface ProcessInfo {
  pid: number
  ppid: number
  /** The executable's path, as the kernel reports it (" (deleted)" appended once the file was replaced). */
  exe: string
}

/** The processes of this user whose executable path passes `accept` (Linux /proc; elsewhere none). */
export async function processesWhere(accept: (exe: string) => boolean): Promise<ProcessInfo[]> {
  const found: ProcessInfo[] = []
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const exe = await readlink(`/proc/${entry}/exe`)
      if (!accept(exe)) continue
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8')
      // The command name in parentheses may hold spaces; the parent pid is the second field after it.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      found.push({pid: Number(entry), ppid, exe})
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found
}

/**
 * The children of a process, each with its executable, or the error that kept it from this user: the kernel
 * hides the executable of a process this user may not trace (another user's, or one with more capabilities).
 */
export async function childrenOf(parent: number): Promise<{pid: number; exe?: string; denied?: string}[]> {
  const children: {pid: number; exe?: string; denied?: string}[] = []
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '')
    if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== parent) continue
    try {
      children.push({pid: Number(entry), exe: await readlink(`/proc/${entry}/exe`)})
    } catch (error) {
      const code = errnoCode(error)
      if (code === 'EACCES' || code === 'EPERM') children.push({pid: Number(entry), denied: code})
    }
  }
  return children
}

/**
 * Plugin processes running a binary of `pluginDir` whose Vault is gone: go-plugin does not watch its parent,
 * so a killed Vault (a dev server, a cluster node) leaves them running, adopted by init or a subreaper,
 * serving nobody. Ends those, and no other process.
 */
export async function endOrphanedPlugins(pluginDir: string): Promise<number> {
  let ended = 0
  for (const plugin of await processesWhere((exe) => exe.startsWith(`${pluginDir}/`))) {
    const parent = await readlink(`/proc/${plugin.ppid}/exe`).catch(() => '')
    if (/\/(vault|bao)$/.test(parent)) continue
    try {
      process.kill(plugin.pid, 'SIGKILL')
      ended++
    } catch {
      // Gone meanwhile.
    }
  }
  return ended
}
