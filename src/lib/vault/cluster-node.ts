import {closeSync, openSync} from 'node:fs'

import {UserError} from '../errors.js'
import {VaultClient, VaultError} from './client.js'
import {type ClusterNode, nodeAddr} from './cluster-state.js'
import {isProcessAlive, isVaultServer} from './processes.js'
import {HEALTH_EVEN_SEALED, withoutVaultVariables} from './server.js'

export type NodeRole = 'active' | 'standby' | 'sealed' | 'down'

/** The pid is this node's vault, not a process that reused the pid. */
export function isOurNode(node: ClusterNode): boolean {
  return isVaultServer(node.pid, `-config=${node.configFile}`)
}

export interface SpawnedNode {
  pid: number
  /** Resolves with how the process ended, if it ends while this command runs. */
  exited: Promise<string>
}

/** Starts one node's `vault server -config`, detached; its log is appended to, so a restart keeps history. */
export async function spawnNode(node: ClusterNode, vaultBin: string, cwd: string): Promise<SpawnedNode> {
  const log = openSync(node.logFile, 'a', 0o600)
  // child_process on first use: commands that only talk to a running cluster do not load it.
  const child = process.getBuiltinModule('node:child_process').spawn(vaultBin, ['server', `-config=${node.configFile}`], {
    cwd,
    detached: true,
    stdio: ['ignore', log, log],
    env: withoutVaultVariables(process.env),
  })
  closeSync(log)
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ? `killed by ${signal}` : `exit code ${code}`))
    child.once('error', (error) => resolve(error.message))
  })
  child.unref()
  if (!child.pid) throw new UserError(`Vault could not be started for ${node.id}: ${await exited}`, `check ${vaultBin} runs`)
  return {pid: child.pid, exited}
}

export function nodeClient(node: ClusterNode, token: string, unsealKey?: string, timeoutMs?: number): VaultClient {
  const client = new VaultClient({addr: nodeAddr(node), token, source: `cluster ${node.id}`, timeoutMs})
  client.hide(unsealKey)
  return client
}

export interface NodeHealth {
  initialized: boolean
  sealed: boolean
  standby: boolean
  version: string
}

/** A node answers sys/health at once unless it is busy (an election holds its state lock) or stopped. */
const HEALTH_TIMEOUT = 5000

/** sys/health of one node, whatever its state; undefined when nothing answers in a few seconds. */
export async function nodeHealth(node: ClusterNode): Promise<NodeHealth | undefined> {
  try {
    const health = (await nodeClient(node, '', undefined, HEALTH_TIMEOUT).get(HEALTH_EVEN_SEALED)) ?? {}
    return {initialized: Boolean(health.initialized), sealed: Boolean(health.sealed), standby: Boolean(health.standby), version: String(health.version ?? '')}
  } catch {
    return undefined
  }
}

export async function nodeRole(node: ClusterNode): Promise<NodeRole> {
  if (!isOurNode(node)) return 'down'
  const health = await nodeHealth(node)
  if (!health) return 'down'
  if (health.sealed || !health.initialized) return 'sealed'
  return health.standby ? 'standby' : 'active'
}

/** How long a node of ours that runs but does not answer gets before it is taken for down. */
const ANSWER_GRACE = 15_000

/**
 * The role of a node, for a decision that acts on a down one (start it again, leave it out): a node of ours
 * that runs but does not answer, as a standby may not during an election, is asked again for a few seconds.
 */
export async function settledRole(node: ClusterNode): Promise<NodeRole> {
  const deadline = Date.now() + ANSWER_GRACE
  let role = await nodeRole(node)
  while (role === 'down' && isOurNode(node) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250))
    role = await nodeRole(node)
  }
  return role
}

/**
 * Gives a sealed node the unseal key. A node still joining the cluster may not take it yet, so the caller
 * polls; a key the node refuses is a damaged state file.
 */
export async function offerUnsealKey(node: ClusterNode, token: string, unsealKey: string): Promise<void> {
  try {
    await nodeClient(node, token, unsealKey).request('PUT', 'sys/unseal', {key: unsealKey})
  } catch (error) {
    if (!(error instanceof VaultError)) return
    if (/invalid key|unseal failed|message authentication failed|cipher/i.test(error.errors.join(' '))) {
      throw new UserError(
        `The unseal key in .vaultkit/cluster.json does not unseal ${node.id} (${nodeAddr(node)}): the state file is damaged`,
        'restore the file; or `vaultkit server stop` and `vaultkit server start --nodes N` for a new, empty cluster',
      )
    }
  }
}

/** Ends one node, politely first. */
export async function stopNode(node: ClusterNode): Promise<boolean> {
  if (!isOurNode(node)) return false
  process.kill(node.pid, 'SIGTERM')
  const deadline = Date.now() + 20_000
  while (isProcessAlive(node.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
  if (isProcessAlive(node.pid)) process.kill(node.pid, 'SIGKILL')
  return true
}
