import {readdir, readFile, readlink} from 'node:fs/promises'

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
