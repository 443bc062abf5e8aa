import {join} from 'node:path'

import {UserError} from '../errors.js'
import type {PluginProject} from '../project/project.js'
import type {DeployTarget} from '../registration/deploy.js'
import type {RegisterResult} from '../registration/register.js'
import {PluginSaid} from './round-failure.js'
import {startCluster} from '../vault/cluster.js'
import {followNodeLogs} from '../vault/cluster-logs.js'
import {nodeClient, nodeRole} from '../vault/cluster-node.js'
import {type ClusterState, readClusterState} from '../vault/cluster-state.js'
import {type Follower, type LogFilter, setServerLogLevel} from '../vault/plugin-logs.js'

export interface ClusterSessionOptions {
  project: PluginProject
  logs: LogFilter
  log: (line: string) => void
}

/**
 * The project's raft cluster (`server start --nodes N`) as a `plugin dev` loop runs against it: nodes that
 * died are started again and unsealed at the start, every node's log is followed (the plugin runs on the
 * active node, and after a failover on another one), and the cluster is left running at the end: it keeps
 * its data, unlike a dev server, and `server stop` ends it.
 */
export class ClusterSession {
  /** A loop never starts (or stops) a cluster; it only brings back nodes of one. */
  readonly startedHere = false
  private readonly said = new PluginSaid()
  private follower?: Follower
  /** The node last set to the loop's log level: a node that becomes active later is set at its first round. */
  private levelSetOn?: string
  private constructor(
    public state: ClusterState,
    private readonly options: ClusterSessionOptions,
  ) {}

  static async open(options: ClusterSessionOptions, recorded: ClusterState): Promise<ClusterSession> {
    const {state, restored} = await startCluster({project: options.project, vaultBin: recorded.vaultBin, nodes: recorded.nodes.length, onProgress: options.log})
    if (restored.length > 0) options.log(`Brought back ${restored.join(', ')} of the project's cluster`)
    const session = new ClusterSession(state, options)
    await session.logAtLoopLevel().catch(() => {})
    const {project, logs, log} = options
    session.follower = await followNodeLogs(state.nodes, {...logs, binaryName: project.binaryName, fromEnd: true, follow: true, print: log, onPluginLine: session.said.remember})
    return session
  }

  /**
   * Where this round deploys: the cluster as its state file says now, since `server start` in another
   * terminal may have brought nodes back under new pids while the loop ran.
   */
  async currentTarget(): Promise<DeployTarget> {
    this.state = (await readClusterState(this.options.project.dir)) ?? this.state
    await this.logAtLoopLevel().catch(() => {})
    return {cluster: this.state}
  }

  /**
   * Raw plugin stderr (a panic) reaches a node's log at debug only, and the active node is the one running
   * the plugin: after a failover, the new active node is set too.
   */
  private async logAtLoopLevel(): Promise<void> {
    const roles = await Promise.all(this.state.nodes.map(nodeRole))
    const active = this.state.nodes[roles.indexOf('active')]
    if (!active || active.id === this.levelSetOn) return
    await setServerLogLevel(nodeClient(active, this.state.token), this.options.logs.level)
    this.levelSetOn = active.id
  }

  /** The active node's Vault and the plugin's versioned file in its plugin directory: where Delve attaches. */
  async pluginHost(registered: Pick<RegisterResult, 'command'>): Promise<{vaultPid: number; binary: string}> {
    const roles = await Promise.all(this.state.nodes.map(nodeRole))
    const active = this.state.nodes[roles.indexOf('active')]
    if (!active) {
      throw new UserError(
        `No node of the project's cluster is active to attach the debugger to (${this.state.nodes.map((n, i) => `${n.id} ${roles[i]}`).join(', ')})`,
        'run `vaultkit server start` to restart and unseal its nodes; the next save attaches again',
      )
    }
    return {vaultPid: active.pid, binary: join(active.pluginDir, registered.command)}
  }

  async describeFailure(error: UserError, since: number): Promise<string> {
    await this.follower?.flush()
    return this.said.describeFailure(error, since)
  }

  async close(): Promise<void> {
    await this.follower?.close()
  }

  /** A second Ctrl-C: nothing to stop, since a loop never stops the cluster. */
  async forceClose(): Promise<void> {}
}
