import {UserError} from '../errors.js'
import type {PluginProject} from '../project/project.js'
import {activeClusterClient, clusterNodes, type NodeStatus, startCluster, stopCluster} from './cluster.js'
import {nodeHealth} from './cluster-node.js'
import {readClusterState} from './cluster-state.js'
import {devServerStatus, isOurServer, startDevServer, stopDevServer} from './server.js'
import {readState} from './state.js'

/** What a project runs: its dev server, or its raft cluster, as one shape with a list of nodes. */
export interface ProjectServerStatus {
  kind: 'dev' | 'cluster'
  running: boolean
  /** Where to send requests now: the dev server, or the cluster's active node. */
  addr?: string
  token?: string
  version?: string
  vaultBin?: string
  nodes: NodeStatus[]
}

export async function projectServerStatus(projectDir: string): Promise<ProjectServerStatus> {
  const cluster = await readClusterState(projectDir)
  if (cluster) {
    const nodes = await clusterNodes(cluster)
    const active = nodes.find((node) => node.role === 'active')
    const answering = cluster.nodes.find((_, i) => nodes[i]!.role !== 'down')
    const version = answering && (await nodeHealth(answering))?.version
    return {kind: 'cluster', running: Boolean(active), addr: active?.addr, token: cluster.token, version, vaultBin: cluster.vaultBin, nodes}
  }
  const dev = await devServerStatus(projectDir)
  const state = dev.state
  const node: NodeStatus[] = state
    ? [{id: 'dev', addr: state.addr, pid: state.pid, role: !dev.running ? 'down' : dev.sealed ? 'sealed' : 'active', pluginDir: state.pluginDir, logFile: state.logFile}]
    : []
  return {kind: 'dev', running: dev.running && !dev.sealed, addr: state?.addr, token: state?.token, version: dev.version, vaultBin: state?.vaultBin, nodes: node}
}

export interface ProjectStartResult {
  kind: 'dev' | 'cluster'
  alreadyRunning: boolean
  restored: string[]
  addr: string
  token: string
  nodes: NodeStatus[]
}

/**
 * `server start`: with `nodes` above 1 a raft cluster, with 1 the dev server; without it, whatever the
 * project already runs (else the dev server). A project never runs both.
 */
export async function startProjectServer(project: PluginProject, vaultBin: string, nodes: number | undefined, onProgress?: (line: string) => void): Promise<ProjectStartResult> {
  const cluster = await readClusterState(project.dir)
  const dev = await readState(project.dir)
  const devRunning = Boolean(dev && isOurServer(dev))
  if ((nodes ?? (cluster ? cluster.nodes.length : 1)) > 1) {
    if (devRunning) {
      throw new UserError('The dev server of this project is running', 'stop it (`vaultkit server stop`) before starting a cluster')
    }
    const started = await startCluster({project, vaultBin, nodes: nodes ?? cluster!.nodes.length, onProgress})
    const client = await activeClusterClient(started.state)
    return {kind: 'cluster', alreadyRunning: started.alreadyRunning, restored: started.restored, addr: client.addr, token: started.state.token, nodes: await clusterNodes(started.state)}
  }
  if (cluster) {
    throw new UserError(`A ${cluster.nodes.length}-node cluster of this project is recorded`, 'stop it (`vaultkit server stop`) before starting a dev server')
  }
  const {state, alreadyRunning} = await startDevServer(project, vaultBin)
  const node: NodeStatus = {id: 'dev', addr: state.addr, pid: state.pid, role: 'active', pluginDir: state.pluginDir, logFile: state.logFile}
  return {kind: 'dev', alreadyRunning, restored: [], addr: state.addr, token: state.token, nodes: [node]}
}

/** Stops whichever the project runs. */
export async function stopProjectServer(projectDir: string): Promise<{kind: 'dev' | 'cluster'; stopped: string[]}> {
  if (await readClusterState(projectDir)) return {kind: 'cluster', stopped: (await stopCluster(projectDir)).stopped}
  const {stopped, state} = await stopDevServer(projectDir)
  return {kind: 'dev', stopped: stopped ? [`dev server ${state!.addr} (pid ${state!.pid})`] : []}
}
