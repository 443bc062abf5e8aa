import {access} from 'node:fs/promises'
import {join} from 'node:path'

import {UserError} from '../errors.js'
import {readProject} from '../project/project.js'
import {type LogFilter, followPluginLogs} from '../vault/plugin-logs.js'
import {readClusterState} from '../vault/cluster-state.js'
import {readState, stateDir} from '../vault/state.js'

export interface ShowLogsOptions {
  projectDir: string
  follow: boolean
  filter: LogFilter
  print: (line: string) => void
  /** Resolves when following should end (Ctrl-C). */
  stop: Promise<void>
}

/**
 * The plugin's lines of the project's dev server log: all of it, then (with follow) as it grows. On the
 * project's cluster, every node's log, each line prefixed with its node's id.
 */
export async function showPluginLogs(options: ShowLogsOptions): Promise<void> {
  const project = await readProject(options.projectDir)
  const cluster = await readClusterState(project.dir)
  const read = {...options.filter, binaryName: project.binaryName, follow: options.follow, print: options.print}
  const follower = cluster
    ? await (await import('../vault/cluster-logs.js')).followNodeLogs(cluster.nodes, {...read, fromEnd: false})
    : followPluginLogs({...read, file: await devServerLog(project.dir), from: 0})
  if (options.follow) await Promise.race([options.stop, follower.done])
  await follower.close()
}

/** The running server's log; after it stopped, the log it left. */
async function devServerLog(projectDir: string): Promise<string> {
  const file = (await readState(projectDir))?.logFile ?? join(stateDir(projectDir), 'vault.log')
  if (!(await access(file).then(() => true, () => false))) {
    throw new UserError(`There is no dev server log at ${file}`, 'start the dev server with `vaultkit plugin dev` or `vaultkit server start`')
  }
  return file
}
