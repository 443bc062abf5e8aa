import {readFile} from 'node:fs/promises'
import {homedir} from 'node:os'
import {join} from 'node:path'

import {UserError, errnoCode} from '../errors.js'
import type {VaultConnection} from './client.js'
import {readState} from './state.js'
import {isOurServer} from './server.js'
import {activeClusterClient} from './cluster.js'
import {projectCluster} from './cluster-state.js'

/** Neither an address nor a running dev server of the project. */
export class NoVault extends UserError {
  constructor() {
    super('There is no Vault to talk to', 'start a dev server with `vaultkit server start`, or set VAULT_ADDR and VAULT_TOKEN')
  }
}

/**
 * A connection and what vaultkit knows of the Vault behind it: the project's dev server (one node, vaultkit's
 * own), the project's cluster, or a Vault given by --vault-addr or VAULT_ADDR (of which nothing is known).
 */
export interface ResolvedConnection extends VaultConnection {
  kind: 'dev-server' | 'cluster' | 'given'
}

export interface ConnectionOptions {
  /** --vault-addr */
  addr?: string
  /** Project whose dev server to use when neither --vault-addr nor VAULT_ADDR says otherwise. */
  projectDir?: string
  env?: NodeJS.ProcessEnv
}

/** As the vault CLI does: flag, then VAULT_ADDR / VAULT_TOKEN / ~/.vault-token; else this project's dev server. */
export async function resolveConnection(options: ConnectionOptions): Promise<ResolvedConnection> {
  const env = options.env ?? process.env
  const extras = {namespace: env.VAULT_NAMESPACE || undefined, caCert: env.VAULT_CACERT || undefined}
  const explicit = options.addr ?? env.VAULT_ADDR
  const cluster = options.projectDir ? await projectCluster(options.projectDir, options.addr, env) : undefined
  if (cluster) {
    // The active node changes on failover: ask which one it is now.
    const client = await activeClusterClient(cluster)
    return {addr: client.addr, token: cluster.token, source: 'the cluster of this project (active node)', kind: 'cluster'}
  }
  const state = options.projectDir ? await readState(options.projectDir) : undefined
  const devServer = state && isOurServer(state) ? state : undefined

  if (!explicit || (devServer && explicit.replace(/\/+$/, '') === devServer.addr && !env.VAULT_TOKEN)) {
    if (!devServer) throw new NoVault()
    // Namespace and CA settings belong to the Vault they were set for, not to this local dev server.
    return {addr: devServer.addr, token: devServer.token, source: 'the dev server of this project', kind: 'dev-server'}
  }
  const token = env.VAULT_TOKEN || (await readTokenFile())
  if (!token) {
    throw new UserError(`No token for Vault at ${explicit}`, 'set VAULT_TOKEN, or run `vault login` to write ~/.vault-token')
  }
  return {addr: explicit.replace(/\/+$/, ''), token, source: options.addr ? '--vault-addr' : 'VAULT_ADDR', kind: 'given', ...extras}
}

async function readTokenFile(): Promise<string | undefined> {
  try {
    return (await readFile(join(homedir(), '.vault-token'), 'utf8')).trim() || undefined
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined
    throw error
  }
}
