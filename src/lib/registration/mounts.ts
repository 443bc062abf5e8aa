import {UserError} from '../errors.js'
import {PLUGIN_TYPE, type PluginType} from '../project/plugin-types.js'
import type {VaultClient} from '../vault/client.js'

/** What registering did to the mount (or, for a database plugin, to its config in the database engine). */
export type MountAction = 'enabled' | 'upgraded' | 'reloaded' | 'unchanged'

export interface MountTarget {
  type: Exclude<PluginType, 'database'>
  /** Catalog name, which is the mount's type. */
  name: string
  /** With the `v`; undefined: mounted unversioned. */
  version?: string
  sha256: string
  path: string
  /** The mount's options (KV's version=2), given when it is enabled. */
  options?: Record<string, string>
  reloadScope?: 'global'
  /** Reload even when the mount runs this very build. */
  restart?: boolean
}

export type MountListing = Record<string, {type?: string; running_plugin_version?: string; running_sha256?: string}>

/** sys/mounts or sys/auth: each mount (`path/`) with what it runs. */
export async function readMounts(client: VaultClient, type: MountTarget['type']): Promise<MountListing> {
  return ((await client.get(PLUGIN_TYPE[type].mountApi))?.data ?? {}) as MountListing
}

/**
 * Enable the mount; or tune it to the new version and reload it; or, for the same build, leave it be.
 * `listing`: the mounts, when the caller asked for them already.
 */
export async function ensureMount(client: VaultClient, target: MountTarget, listing = readMounts(client, target.type)): Promise<MountAction> {
  const {mountApi} = PLUGIN_TYPE[target.type]
  const mounts = await listing
  const path = target.path.replace(/\/+$/, '')
  const mounted = mounts[`${path}/`]
  if (!mounted) {
    await client.post(`${mountApi}/${path}`, {type: target.name, config: target.version ? {plugin_version: target.version} : {}, ...(target.options ? {options: target.options} : {})})
    await checkRunsBuild(client, target, path)
    return 'enabled'
  }
  if (mounted.type !== target.name) {
    throw new UserError(`${path}/ is already a mount of "${mounted.type}"`, 'pass another --path, or disable that mount first')
  }
  // An unversioned mount shows no running_plugin_version (or an empty one).
  const running = mounted.running_plugin_version || undefined
  if (running === target.version && mounted.running_sha256 === target.sha256 && !target.restart) return 'unchanged'
  const upgraded = running !== target.version && target.version !== undefined
  await tuneAndReload(client, target.type, path, upgraded ? target.version : undefined, target.reloadScope)
  return upgraded ? 'upgraded' : 'reloaded'
}

/**
 * The new mount runs this build, not a built-in of the same name (Vault's core serves kv itself, whatever the
 * catalog holds): otherwise it is disabled again, and the one line says why.
 */
async function checkRunsBuild(client: VaultClient, target: MountTarget, path: string): Promise<void> {
  const running = (await readMounts(client, target.type))[`${path}/`]?.running_sha256
  if (running === target.sha256) return
  await client.delete(`${PLUGIN_TYPE[target.type].mountApi}/${path}`).catch(() => {})
  throw new UserError(
    `${path}/ runs Vault's built-in ${target.name}, not this build: Vault serves "${target.name}" itself whatever the catalog holds`,
    `register the plugin under another name (plugin.name in .vaultkit.json, or --name)`,
  )
}

/** The mount tuned onto `version` (none: a new build of the version it runs), then reloaded; on a cluster with scope=global. */
export async function tuneAndReload(client: VaultClient, type: MountTarget['type'], path: string, version: string | undefined, scope?: 'global'): Promise<void> {
  const {mountApi, requestPath} = PLUGIN_TYPE[type]
  if (version !== undefined) await client.post(`${mountApi}/${path}/tune`, {plugin_version: version})
  await client.post('sys/plugins/reload/backend', {mounts: [requestPath(path)], scope})
}
