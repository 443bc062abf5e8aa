import {mkdir, rm, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {UserError} from '../errors.js'
import {endOrphanedPlugins, requireLocalServerSupport} from './processes.js'
import type {PluginProject} from '../project/project.js'
import type {VaultClient} from './client.js'
import {freePorts, nodeConfig, planNodes, portIsFree} from './cluster-config.js'
import {isOurNode, nodeClient, nodeHealth, nodeRole, type NodeRole, offerUnsealKey, settledRole, spawnNode, stopNode} from './cluster-node.js'
import {type ClusterNode, type ClusterState, nodeAddr, readClusterState, removeCluster, writeClusterState} from './cluster-state.js'
import {lastLogLine} from './server.js'
import {makeStateDir} from './state.js'

export interface ClusterStartResult {
  state: ClusterState
  alreadyRunning: boolean
  /** Nodes that were down (started again) or sealed (unsealed) and are back. */
  restored: string[]
}

export interface ClusterOptions {
  project: PluginProject
  vaultBin: string
  nodes: number
  onProgress?: (line: string) => void
}

// Several Vault processes on a shared machine start slowly: generous, but always polled, never slept.
const START_TIMEOUT = 180_000

/**
 * A raft HA cluster of `nodes` Vault processes on 127.0.0.1 for the project: started, initialised (one
 * unseal share), unsealed, and waited for until one node is active and the others are voting standbys.
 * Idempotent: a running cluster is reused; nodes that died are started again and unsealed.
 */
export async function startCluster(options: ClusterOptions): Promise<ClusterStartResult> {
  requireLocalServerSupport()
  const existing = await readClusterState(options.project.dir)
  if (existing) {
    if (existing.nodes.length !== options.nodes) {
      throw new UserError(
        `A ${existing.nodes.length}-node cluster of this project is recorded in .vaultkit/cluster.json`,
        `use it (\`vaultkit server start --nodes ${existing.nodes.length}\`), or \`vaultkit server stop\` it first`,
      )
    }
    return restoreCluster(options.project.dir, existing, options.onProgress)
  }
  return createCluster(options)
}

async function createCluster({project, vaultBin, nodes: count, onProgress = () => {}}: ClusterOptions): Promise<ClusterStartResult> {
  const dir = await makeStateDir(project.dir)
  const nodes = planNodes(dir, await freePorts(count * 2))
  const state: ClusterState = {token: '', unsealKey: '', nodes, vaultBin, startedAt: new Date().toISOString()}
  for (const node of nodes) {
    await rm(node.dir, {recursive: true, force: true}) // what a failed start left for its logs
    await mkdir(node.pluginDir, {recursive: true, mode: 0o700})
    await mkdir(join(node.dir, 'raft'), {mode: 0o700})
    await writeFile(node.configFile, nodeConfig(node), {mode: 0o600})
  }
  const exits = new Map<string, Promise<string>>()
  for (const node of nodes) {
    const spawned = await spawnNode(node, vaultBin, project.dir)
    node.pid = spawned.pid
    exits.set(node.id, spawned.exited)
  }
  // Recorded before waiting, so an interrupted start still leaves a cluster that `server stop` can end.
  await writeClusterState(project.dir, state)
  onProgress(`started ${count} Vault nodes (${nodes.map((n) => n.apiPort).join(', ')}); initialising ${nodes[0]!.id}`)
  try {
    await waitFor('every node to answer', async () => {
      await failIfExited(nodes, exits)
      return (await Promise.all(nodes.map(nodeHealth))).every(Boolean)
    })
    const init = (await nodeClient(nodes[0]!, '').request('PUT', 'sys/init', {secret_shares: 1, secret_threshold: 1})) ?? {}
    state.unsealKey = String((init.keys_base64 as string[] | undefined)?.[0] ?? '')
    state.token = String(init.root_token ?? '')
    if (!state.unsealKey || !state.token) throw new UserError('Vault answered sys/init without an unseal key or root token', `see ${nodes[0]!.logFile}`)
    await writeClusterState(project.dir, state)
    await unsealAll(state, [nodes[0]!], exits)
    // Autopilot makes a joined node a voter once it has been stable for 10 s; on one machine 2 s will do.
    const leader = nodeClient(nodes[0]!, state.token, state.unsealKey)
    await waitFor(`${nodes[0]!.id} to become active`, () =>
      leader.post('sys/storage/raft/autopilot/configuration', {server_stabilization_time: '2s'}).then(
        () => true,
        () => false,
      ),
    )
    onProgress(`${nodes[0]!.id} is active; the others join it`)
    await unsealAll(state, nodes.slice(1), exits)
    await waitForQuorum(state, exits, onProgress)
  } catch (error) {
    // Half a cluster is of no use: end what was started; keep only the logs.
    await stopCluster(project.dir, true)
    throw error
  }
  return {state, alreadyRunning: false, restored: []}
}

async function restoreCluster(projectDir: string, state: ClusterState, onProgress: (line: string) => void = () => {}): Promise<ClusterStartResult> {
  const roles = await Promise.all(state.nodes.map(settledRole))
  const restored: string[] = []
  const exits = new Map<string, Promise<string>>()
  for (const [i, node] of state.nodes.entries()) {
    if (roles[i] !== 'down') continue
    if (isOurNode(node)) await stopNode(node) // alive but not answering: end it rather than run two
    for (const port of [node.apiPort, node.clusterPort]) {
      if (!(await portIsFree(port))) {
        throw new UserError(
          `${node.id} is down and its port 127.0.0.1:${port} is now taken by another process`,
          'free that port and run `vaultkit server start` again; or `vaultkit server stop` and start a new cluster',
        )
      }
    }
    const spawned = await spawnNode(node, state.vaultBin, projectDir)
    node.pid = spawned.pid
    exits.set(node.id, spawned.exited)
    restored.push(node.id)
  }
  if (restored.length > 0) {
    await writeClusterState(projectDir, state)
    onProgress(`started ${restored.join(', ')} again`)
  }
  const sealed = state.nodes.filter((_, i) => roles[i] === 'sealed')
  restored.push(...sealed.map((node) => node.id))
  await waitFor('the restarted nodes to answer', async () => {
    await failIfExited(state.nodes, exits)
    return (await Promise.all(state.nodes.map(nodeHealth))).every(Boolean)
  })
  await unsealAll(state, state.nodes, exits)
  await waitForQuorum(state, exits, onProgress)
  return {state, alreadyRunning: restored.length === 0, restored}
}

/** How long a node asked to join gets before it is asked again (the leader's challenge may have been lost). */
const REJOIN_MS = 5000
/** Join requests a node may fail before its error is the start's. */
const JOIN_ATTEMPTS = 4

/**
 * Offers the key to each sealed node until it is unsealed. A node not yet in the raft cluster (a new one, or
 * one whose start was cut short) is first asked to join the active node: it takes the leader's challenge and
 * answers it with the key (`vault operator raft join`, then `vault operator unseal`).
 */
async function unsealAll(state: ClusterState, nodes: ClusterNode[], exits: Map<string, Promise<string>>): Promise<void> {
  const asked = new Map<string, {at: number; failures: number}>()
  await waitFor(`${nodes.map((n) => n.id).join(', ')} to unseal`, async () => {
    await failIfExited(nodes, exits)
    const healths = await Promise.all(nodes.map(nodeHealth))
    let sealed = 0
    for (const [i, node] of nodes.entries()) {
      const health = healths[i]
      if (health?.sealed === false) continue
      sealed++
      const last = asked.get(node.id)
      if (health && !health.initialized && (!last || Date.now() - last.at > REJOIN_MS)) await askToJoin(state, node, asked)
      await offerUnsealKey(node, state.token, state.unsealKey)
    }
    return sealed === 0
  })
}

/** One join request of `node` to the active node, once there is one; a node that keeps failing fails the start. */
async function askToJoin(state: ClusterState, node: ClusterNode, asked: Map<string, {at: number; failures: number}>): Promise<void> {
  const roles = await Promise.all(state.nodes.map(nodeRole))
  const leader = state.nodes[roles.indexOf('active')]
  if (!leader) return // elected a moment later: asked then
  const failures = asked.get(node.id)?.failures ?? 0
  try {
    const answer = await nodeClient(node, '').request('PUT', 'sys/storage/raft/join', {leader_api_addr: nodeAddr(leader)})
    if (answer?.joined !== true) throw new UserError(`answered ${JSON.stringify(answer)}`)
    asked.set(node.id, {at: Date.now(), failures})
  } catch (error) {
    if (!(error instanceof UserError)) throw error
    if (failures + 1 >= JOIN_ATTEMPTS) throw new UserError(`${node.id} cannot join the raft cluster of ${leader.id}: ${error.message}`, `see ${node.logFile}`)
    asked.set(node.id, {at: Date.now(), failures: failures + 1})
  }
}

/** One active node, the others standbys, and all of them voters in its raft configuration (so failover works). */
async function waitForQuorum(state: ClusterState, exits: Map<string, Promise<string>>, onProgress: (line: string) => void): Promise<void> {
  let reported = ''
  await waitFor('one active node and every other one a voting standby', async () => {
    await failIfExited(state.nodes, exits)
    const roles = await Promise.all(state.nodes.map(nodeRole))
    const active = state.nodes[roles.indexOf('active')]
    if (!active || roles.filter((r) => r === 'standby').length !== state.nodes.length - 1) return false
    const servers = await raftServers(nodeClient(active, state.token, state.unsealKey)).catch(() => [])
    const voters = servers.filter((s) => s.voter).length
    const line = `raft: ${voters} of ${state.nodes.length} nodes voting`
    if (line !== reported) {
      reported = line
      onProgress(line)
    }
    return voters === state.nodes.length
  })
}

export interface RaftServer {
  node_id: string
  address: string
  leader: boolean
  voter: boolean
}

export async function raftServers(client: VaultClient): Promise<RaftServer[]> {
  const answer = await client.get('sys/storage/raft/configuration')
  return ((answer?.data as {config?: {servers?: RaftServer[]}} | undefined)?.config?.servers ?? []) as RaftServer[]
}

async function failIfExited(nodes: ClusterNode[], exits: Map<string, Promise<string>>): Promise<void> {
  for (const node of nodes) {
    const exit = exits.get(node.id)
    const outcome = exit && (await Promise.race([exit, Promise.resolve(undefined)]))
    if (outcome) throw new UserError(`Vault ${node.id} exited at start (${outcome}): ${await lastLogLine(node.logFile)}`, `see ${node.logFile}`)
  }
}

async function waitFor(what: string, ready: () => Promise<boolean>, timeout = START_TIMEOUT): Promise<void> {
  const deadline = Date.now() + timeout
  while (!(await ready())) {
    if (Date.now() > deadline) throw new UserError(`Waited ${timeout / 1000} s for ${what}`, 'see the vault.log of each node under .vaultkit/node-*')
    await new Promise((r) => setTimeout(r, 250))
  }
}

/** Ends every node of the project's cluster, and removes its folders; only processes that are its nodes. */
export async function stopCluster(projectDir: string, keepFolders = false): Promise<{stopped: string[]; state?: ClusterState}> {
  const state = await readClusterState(projectDir)
  if (!state) return {stopped: []}
  const ended = await Promise.all(state.nodes.map(stopNode))
  for (const node of state.nodes) await endOrphanedPlugins(node.pluginDir)
  const stopped = state.nodes.filter((_, i) => ended[i]).map((node) => node.id)
  await removeCluster(projectDir, state, keepFolders)
  return {stopped, state}
}

export interface NodeStatus {
  id: string
  addr: string
  pid: number
  role: NodeRole
  pluginDir: string
  logFile: string
}

export async function clusterNodes(state: ClusterState): Promise<NodeStatus[]> {
  const roles = await Promise.all(state.nodes.map(nodeRole))
  return state.nodes.map((node, i) => ({id: node.id, addr: nodeAddr(node), pid: node.pid, role: roles[i]!, pluginDir: node.pluginDir, logFile: node.logFile}))
}

/** A client for the node that is active now (it changes on failover), or a clear error when none is. */
export async function activeClusterClient(state: ClusterState): Promise<VaultClient> {
  const roles = await Promise.all(state.nodes.map(nodeRole))
  const active = state.nodes[roles.indexOf('active')]
  if (!active) {
    throw new UserError(
      `No node of the project's cluster is active (${state.nodes.map((n, i) => `${n.id} ${roles[i]}`).join(', ')})`,
      'run `vaultkit server start` to restart and unseal its nodes',
    )
  }
  return nodeClient(active, state.token, state.unsealKey)
}
