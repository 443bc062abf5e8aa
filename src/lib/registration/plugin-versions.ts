import {join} from 'node:path'

import {sha256File} from '../project/build.js'
import {compareVersions} from '../versions.js'
import {tuneAndReload} from './mounts.js'
import {reportedPluginDirectory} from './register.js'
import {UserError} from '../errors.js'
import {PLUGIN_TYPE, type PluginType, parsePluginType} from '../project/plugin-types.js'
import type {VaultClient} from '../vault/client.js'
import type {ClusterState} from '../vault/cluster-state.js'

export interface PluginRef {
  type: PluginType
  name: string
}

export interface CatalogVersion {
  version: string
  sha256: string
  command: string
  /** Mount paths (database: `<engine>/config/<connection>`) whose configured version this is. */
  mounts: string[]
  /** On the project's cluster: the nodes whose plugin directory holds this very file. */
  nodes?: string[]
}

export interface PluginVersions extends PluginRef {
  versions: CatalogVersion[]
  /** A version pinned with sys/plugins/pins: it overrides every mount's own version. */
  pinned?: string
}


/** What the catalog holds for a plugin, oldest first, with the mounts configured for each version. */
export async function pluginVersions(client: VaultClient, plugin: PluginRef, cluster?: ClusterState): Promise<PluginVersions> {
  const listed = ((await client.get('sys/plugins/catalog'))?.data as {detailed?: Array<{type: string; name: string; version?: string; builtin?: boolean}>} | undefined)?.detailed ?? []
  const ours = listed.filter((entry) => entry.name === plugin.name && entry.type === plugin.type && !entry.builtin && entry.version)
  const mounts = await mountVersions(client, plugin)
  const versions: CatalogVersion[] = []
  for (const {version} of ours.sort((a, b) => compareVersions(a.version!, b.version!))) {
    const entry = (await client.get(`sys/plugins/catalog/${plugin.type}/${plugin.name}?version=${encodeURIComponent(version!)}`))?.data as {sha256: string; command: string}
    const found: CatalogVersion = {version: version!, sha256: entry.sha256, command: entry.command, mounts: mounts.filter((m) => m.version === version).map((m) => m.path)}
    if (cluster) found.nodes = await nodesHolding(cluster, entry.command, entry.sha256)
    versions.push(found)
  }
  const pin = await client.getIfExists(`sys/plugins/pins/${plugin.type}/${plugin.name}`)
  const pinned = (pin?.data as {version?: string} | undefined)?.version
  return {...plugin, versions, pinned: pinned || undefined}
}

export async function nodesHolding(cluster: ClusterState, command: string, sha256: string): Promise<string[]> {
  const holding: string[] = []
  for (const node of cluster.nodes) {
    if ((await sha256File(join(node.pluginDir, command)).catch(() => undefined)) === sha256) holding.push(node.id)
  }
  return holding
}

interface MountVersion {
  /** Mount path without the trailing slash; database: `<engine>/config/<connection>`. */
  path: string
  version: string
}

async function mountVersions(client: VaultClient, plugin: PluginRef): Promise<MountVersion[]> {
  if (plugin.type === 'database') {
    const engines = Object.entries(((await client.get('sys/mounts'))?.data ?? {}) as Record<string, {type?: string}>).filter(([, m]) => m.type === 'database')
    const found: MountVersion[] = []
    for (const [engine] of engines) {
      const names = ((await client.request('LIST', `${engine}config`).catch(() => undefined))?.data as {keys?: string[]} | undefined)?.keys ?? []
      for (const name of names) {
        const config = (await client.getIfExists(`${engine}config/${name}`))?.data as {plugin_name?: string; plugin_version?: string} | undefined
        if (config?.plugin_name === plugin.name && config.plugin_version) found.push({path: `${engine}config/${name}`, version: config.plugin_version})
      }
    }
    return found
  }
  const mounts = ((await client.get(PLUGIN_TYPE[plugin.type].mountApi))?.data ?? {}) as Record<string, {type?: string; config?: {plugin_version?: string}; running_plugin_version?: string}>
  return Object.entries(mounts)
    .filter(([, mount]) => mount.type === plugin.name)
    .map(([path, mount]) => ({path: path.replace(/\/$/, ''), version: mount.running_plugin_version || mount.config?.plugin_version || ''}))
}

export interface RollbackResult extends PluginRef {
  path: string
  from: string
  to: string
}

/**
 * Tunes one mount (database: one connection) back to an earlier registered version, or the one given, and
 * reloads it: the mount's storage is untouched, so its data is there in either version. On a cluster the
 * target version's binary must be on every node first, or a failover would break the mount.
 */
export async function rollbackPlugin(client: VaultClient, plugin: PluginRef, options: {path: string; to?: string; cluster?: ClusterState}): Promise<RollbackResult> {
  const known = await pluginVersions(client, plugin, options.cluster)
  const path = options.path.replace(/\/+$/, '')
  const mountPath = plugin.type === 'database' ? `${path}/config/${plugin.name}` : path
  const current = known.versions.find((v) => v.mounts.includes(mountPath))?.version
  if (!current) throw new UserError(`${mountPath} does not run a registered version of ${plugin.type}/${plugin.name}`, 'register it first with `vaultkit plugin register`, or pass --path')
  if (known.pinned) {
    throw new UserError(
      `${plugin.type}/${plugin.name} is pinned to ${known.pinned} (sys/plugins/pins), which overrides every mount's version`,
      `delete the pin (\`vault delete sys/plugins/pins/${plugin.type}/${plugin.name}\`) to roll one mount back, or pin another version`,
    )
  }
  const to = options.to ? `v${options.to.replace(/^v/, '')}` : known.versions.filter((v) => compareVersions(v.version, current) < 0).at(-1)?.version
  if (!to) throw new UserError(`No version of ${plugin.name} older than ${current} is registered`, 'register one, or pass --to VERSION')
  const target = known.versions.find((v) => v.version === to)
  if (!target) throw new UserError(`${to} of ${plugin.name} is not in the catalog (it holds ${known.versions.map((v) => v.version).join(', ')})`, 'pass one of those with --to')
  if (options.cluster && target.nodes!.length < options.cluster.nodes.length) {
    const missing = options.cluster.nodes.map((n) => n.id).filter((id) => !target.nodes!.includes(id))
    throw new UserError(`${target.command} (${to}) is not in the plugin directory of ${missing.join(', ')}; nothing was changed`, `register ${to} again with \`vaultkit plugin register\` from a build of that version`)
  }
  if (!options.cluster && to !== current) await checkStillInPlace(client, target)
  if (to !== current) {
    if (plugin.type === 'database') {
      await client.post(`${path}/config/${plugin.name}`, {plugin_version: to})
    } else {
      await tuneAndReload(client, plugin.type, path, to, options.cluster ? 'global' : undefined)
    }
  }
  return {...plugin, path, from: current, to}
}

export interface TargetFlags {
  project: string
  vaultAddr?: string
  type?: string
  name?: string
}

/** The plugin (the project's, or --type/--name), a client for the Vault to ask, and the project's cluster if that is it. */
export async function versionsTarget(flags: TargetFlags): Promise<{plugin: PluginRef; client: VaultClient; cluster?: ClusterState}> {
  const [{readProject}, {VaultClient}, {resolveConnection}, {projectCluster}] = await Promise.all([
    import('../project/project.js'),
    import('../vault/client.js'),
    import('../vault/connection.js'),
    import('../vault/cluster-state.js'),
  ])
  let plugin: PluginRef
  if (flags.name || flags.type) {
    const type = flags.type === undefined ? undefined : parsePluginType(flags.type)
    if (!type || !flags.name) throw new UserError('--type and --name go together', 'pass both, or neither to use the project in the current folder')
    plugin = {type, name: flags.name}
  } else {
    const project = await readProject(flags.project)
    plugin = {type: project.pluginType, name: project.name}
  }
  const cluster = await projectCluster(flags.project, flags.vaultAddr)
  const client = new VaultClient(await resolveConnection({addr: flags.vaultAddr, projectDir: flags.project}))
  return {plugin, client, cluster}
}

/**
 * A single server's plugin directory may hold one file per plugin that every build replaces: the catalog
 * entry of an older version then names a file with another sha256, and a reload onto it would break the
 * mount. Refuse before changing anything. A server that does not show its plugin directory is trusted.
 */
async function checkStillInPlace(client: VaultClient, target: CatalogVersion): Promise<void> {
  const pluginDir = await reportedPluginDirectory(client)
  if (!pluginDir) return
  const file = join(pluginDir, target.command)
  const sha256 = await sha256File(file).catch(() => undefined)
  if (sha256 === target.sha256) return
  throw new UserError(
    `${file} is ${sha256 ? 'no longer the build registered as' : 'missing, registered as'} ${target.version}; nothing was changed`,
    `build ${target.version} again and register it, or keep versions in their own files (\`make register\` names them <binary>_v<version>)`,
  )
}
