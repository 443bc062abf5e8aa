import {access} from 'node:fs/promises'
import {join} from 'node:path'

import {UserError} from '../errors.js'
import {readProject} from '../project/project.js'
import {type LogFilter, followPluginLogs} from '../vault/plugin-logs.js'
import {readState, stateDir} from '../vault/state.js'

export interface ShowLogsOptions {
  projectDir: string
  follow: boolean
  filter: LogFilter
  print: (line: string) => void
  /** Resolves when following should end (Ctrl-C). */
  stop: Promise<void>
}

/** The plugin's lines of the project's dev server log: all of it, then (with follow) as it grows. */
export async function showPluginLogs(options: ShowLogsOptions): Promise<void> {
  const project = await readProject(options.projectDir)
  // The running server's log; after it stopped, the log it left.
  const file = (await readState(project.dir))?.logFile ?? join(stateDir(project.dir), 'vault.log')
  if (!(await access(file).then(() => true, () => false))) {
    throw new UserError(`There is no dev server log at ${file}`, 'start the dev server with `vaultkit plugin dev` or `vaultkit server start`')
  }
  const follower = followPluginLogs({...options.filter, file, binaryName: project.binaryName, from: 0, follow: options.follow, print: options.print})
  if (options.follow) await Promise.race([options.stop, follower.done])
  await follower.close()
}
