import {createServer, type Server} from 'node:net'
import {join} from 'node:path'

import {UserError} from '../errors.js'
import {type ClusterNode, nodeAddr} from './cluster-state.js'

export const CLUSTER_SIZES = [3, 5] as const

/** Each node's folder under .vaultkit/, with ports for its api and cluster addresses. */
export function planNodes(stateDir: string, ports: number[]): ClusterNode[] {
  const count = ports.length / 2
  return Array.from({length: count}, (_, i) => {
    const id = `node-${i + 1}`
    const dir = join(stateDir, id)
    return {
      id,
      apiPort: ports[2 * i]!,
      clusterPort: ports[2 * i + 1]!,
      pid: 0,
      dir,
      configFile: join(dir, 'vault.hcl'),
      pluginDir: join(dir, 'plugins'),
      logFile: join(dir, 'vault.log'),
    }
  })
}

/**
 * A node's config: raft storage, a plain-HTTP listener on 127.0.0.1 (the cluster port speaks TLS of its own),
 * its own plugin directory. Not dev mode: it starts sealed and uninitialised. No retry_join: vaultkit joins
 * each node to the first once that one is active (retry_join tries every 2 s, and a join asked for while its
 * own attempt runs can leave a node sealed for good).
 */
export function nodeConfig(node: ClusterNode): string {
  return `# Written by vaultkit server start: a local test cluster, not for production.
storage "raft" {
  path    = ${JSON.stringify(join(node.dir, 'raft'))}
  node_id = ${JSON.stringify(node.id)}
  # Elections in about a second rather than five: failover on one machine need not wait for slow networks.
  performance_multiplier = 1
  # Autopilot looks at the servers every 10 s by default, so a joined node waited that long to vote.
  autopilot_reconcile_interval = "1s"
  autopilot_update_interval    = "500ms"
}

listener "tcp" {
  address         = "127.0.0.1:${node.apiPort}"
  cluster_address = "127.0.0.1:${node.clusterPort}"
  tls_disable     = true
}

api_addr         = ${JSON.stringify(nodeAddr(node))}
cluster_addr     = "https://127.0.0.1:${node.clusterPort}"
plugin_directory = ${JSON.stringify(node.pluginDir)}
disable_mlock    = true
ui               = false
`
}

/** `count` distinct ports free on 127.0.0.1: all held open at once, so none is handed out twice. */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = []
  try {
    for (let i = 0; i < count; i++) {
      servers.push(
        await new Promise<Server>((resolve, reject) => {
          const server = createServer()
          server.once('error', reject)
          server.listen(0, '127.0.0.1', () => resolve(server))
        }),
      )
    }
    return servers.map((server) => (server.address() as {port: number}).port)
  } catch {
    throw new UserError(`No ${count} free ports on 127.0.0.1`, 'stop some local servers and try again')
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))))
  }
}

/** The port is free now: a node restarted on a port someone else took would fail in a less clear way. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}
