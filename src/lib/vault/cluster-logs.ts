import {stat} from 'node:fs/promises'

import type {ClusterNode} from './cluster-state.js'
import {type Follower, type PluginLogOptions, followPluginLogs} from './plugin-logs.js'

export interface NodeLogOptions extends Omit<PluginLogOptions, 'file' | 'from'> {
  /** From the end of each log (the dev loop: what happens from now on), or from the top. */
  fromEnd: boolean
}

/**
 * A plugin's lines in the logs of every node of a cluster, each line prefixed with its node's id: the
 * active node runs the plugin, and after a failover another one does. Without follow, node after node (so
 * each node's lines stay together); with follow, all of them at once as they are written.
 */
export async function followNodeLogs(nodes: ClusterNode[], options: NodeLogOptions): Promise<Follower> {
  const width = Math.max(...nodes.map((node) => node.id.length))
  const start = async (node: ClusterNode) => {
    const from = options.fromEnd ? ((await stat(node.logFile).catch(() => undefined))?.size ?? 0) : 0
    return followPluginLogs({...options, file: node.logFile, from, print: (text) => options.print(`${node.id.padEnd(width)}  ${text}`)})
  }
  if (!options.follow) {
    const done = (async () => {
      for (const node of nodes) await (await start(node)).done
    })()
    return {done, flush: () => done, close: () => done}
  }
  const followers = await Promise.all(nodes.map(start))
  const all = (each: (follower: Follower) => Promise<void>) => Promise.all(followers.map(each)).then(() => {})
  return {done: all((f) => f.done), flush: () => all((f) => f.flush()), close: () => all((f) => f.close())}
}
