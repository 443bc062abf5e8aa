import {readdir, rm} from 'node:fs/promises'
import {join} from 'node:path'

import {isProcessAlive} from './vault/processes.js'

/**
 * A download, build or extraction killed outright (SIGKILL, a power cut) leaves its staging folder, named
 * `.<kind>-<pid>-…`: remove those in `root` whose process is gone.
 */
export async function sweepAbandoned(root: string, kinds: string[]): Promise<void> {
  const pattern = new RegExp(`^\\.(?:${kinds.join('|')})-(\\d+)-`)
  for (const name of await readdir(root).catch(() => [])) {
    const pid = Number(pattern.exec(name)?.[1])
    if (pid && !isProcessAlive(pid)) await rm(join(root, name), {recursive: true, force: true})
  }
}
