import {rm} from 'node:fs/promises'
import {join} from 'node:path'

import {UserError} from '../errors.js'
import {readStateFile, stateDir, writeStateFile} from './state.js'

/**
 * A local raft cluster of a project, in `<project>/.vaultkit/cluster.json` beside the dev server's
 * `server.json`, whose format stays as it was: whatever reads that file keeps working, and a project runs
 * one or the other, never both.
 */
export interface ClusterState {
  /** The root token from sys/init: the file is 0600 and never printed unless asked. */
  token: string
  /** The single Shamir share (1 share, threshold 1): a local cluster, not a production seal. */
  unsealKey: string
  nodes: ClusterNode[]
  vaultBin: string
  startedAt: string
}

export interface ClusterNode {
  /** `node-1`: raft node_id, and the name of its folder under .vaultkit/. */
  id: string
  apiPort: number
  clusterPort: number
  /** 0 until started. */
  pid: number
  /** Its own folder: config, raft data, plugin directory, log. */
  dir: string
  configFile: string
  pluginDir: string
  logFile: string
}

export const nodeAddr = (node: Pick<ClusterNode, 'apiPort'>) => `http://127.0.0.1:${node.apiPort}`

const clusterFile = (projectDir: string) => join(stateDir(projectDir), 'cluster.json')

/**
 * The project's cluster, when it is the Vault to talk to: no address given, or VAULT_ADDR naming one of its
 * nodes (as `server env` sets it). --vault-addr always means a Vault vaultkit does not run for this project.
 */
export async function projectCluster(projectDir: string, flagAddr: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<ClusterState | undefined> {
  if (flagAddr) return undefined
  const cluster = await readClusterState(projectDir)
  const fromEnv = env.VAULT_ADDR?.replace(/\/+$/, '')
  if (!cluster || !fromEnv) return cluster
  return cluster.nodes.some((node) => nodeAddr(node) === fromEnv) ? cluster : undefined
}

export async function readClusterState(projectDir: string): Promise<ClusterState | undefined> {
  const file = clusterFile(projectDir)
  const state = (await readStateFile(file)) as Partial<ClusterState> | null | undefined
  if (state === undefined) return undefined
  const nodesOk = Array.isArray(state?.nodes) && state.nodes.every((n) => typeof n?.id === 'string' && typeof n.apiPort === 'number' && typeof n.pid === 'number')
  if (!state || !nodesOk || typeof state.token !== 'string' || typeof state.unsealKey !== 'string') {
    throw new UserError(
      `${file} is damaged: it does not say which cluster runs`,
      'stop the vault processes of this project by hand, delete .vaultkit/cluster.json and the node-* folders, then run `vaultkit server start --nodes 3`',
    )
  }
  return state as ClusterState
}

export async function writeClusterState(projectDir: string, state: ClusterState): Promise<void> {
  await writeStateFile(clusterFile(projectDir), state)
}

/**
 * The state file and every node's folder (config, raft data, plugins, log): a stopped cluster is gone. A
 * start that failed keeps the folders, so that its logs can be read; the next start clears them.
 */
export async function removeCluster(projectDir: string, state: ClusterState | undefined, keepFolders = false): Promise<void> {
  await rm(clusterFile(projectDir), {force: true})
  if (keepFolders) return
  for (const node of state?.nodes ?? []) await rm(node.dir, {recursive: true, force: true})
}
