import {realpath} from 'node:fs/promises'
import {basename, dirname, isAbsolute, join, relative} from 'node:path'

import {buildSha256, sha256File} from '../project/build.js'
import {dropRecord, renewRecord} from '../project/build-record.js'
import {UserError} from '../errors.js'
import {type MountAction, ensureMount, readMounts} from './mounts.js'
import {BUILTIN_PLUGIN_NAMES} from '../scaffold/names.js'
import {PLUGIN_TYPE, type PluginType} from '../project/plugin-types.js'
import type {PluginProject} from '../project/project.js'
import {type DatabaseConnection, ensureDatabase, reloadConnection} from './register-database.js'
import type {DatabaseSettings} from '../project/description.js'
import type {ReleaseSignature, TrustedKeys} from './release-install.js'
import {placeBesideBuild} from './versioned-file.js'
import {secondsSince} from '../timing.js'
import {type VaultClient, isChecksumMismatch} from '../vault/client.js'

/** Where the plugin goes once it is in the catalog. */
interface Placement {
  /** Mount path: of the plugin (secrets, auth), or of Vault's database engine (database). Default: the type's. */
  path?: string
  /** Database plugins: connection settings for `<path>/config/<name>`. */
  database?: DatabaseConnection
  /** Mount options given when the mount is enabled (KV's version=2). */
  options?: Record<string, string>
  /** Database plugins: the project's config fields and dev role (.vaultkit.json plugin.database). */
  databaseSettings?: DatabaseSettings
  /** The name of a built-in may be taken: a project's description names it on purpose (a newer KV). */
  allowBuiltinName?: boolean
  /** `global` on a cluster: reload on every node that runs the plugin (Enterprise performance standbys too). */
  reloadScope?: 'global'
  /**
   * Reload even a mount that runs this very build: Vault gives the plugin's log lines a logger at the
   * server's current level only when it starts the plugin (plugin dev raising a reused server's level).
   */
  restart?: boolean
  /** The catalog entry's `env` (KEY=VALUE), which Vault layers over its own environment for the plugin. */
  env?: string[]
  /** Database plugins: the catalog only, the engine's connections left alone (plugin docs needs no database). */
  catalogOnly?: boolean
}

/** What to register: the project's build, a binary on this machine, or one already on the server. */
export type Registration = Placement &
  (
    | {
        from: 'project'
        project: PluginProject
        /** Catalog name; default the project's plugin name. */
        name?: string
        /** The build's sha256, when the caller has just computed it (plugin dev): no need to read it twice. */
        sha256?: string
      }
    | {
        from: 'binary'
        /** A file in the server's plugin directory, on this machine. */
        binary: string
        type: PluginType
        name: string
        /** With the `v`; undefined: the version the binary reports, as Vault resolves it. */
        version?: string
      }
    | {
        from: 'release'
        /** A release folder: this host's binary is checked against its SHA256SUMS and installed into the plugin directory. */
        dir: string
        /** Catalog name; default the release's plugin name. */
        name?: string
        /** Keys the release's signature must be by; none: the signature is not checked (and the result says so). */
        trusted?: TrustedKeys
      }
    | {
        from: 'remote'
        /** Already in the server's plugin directory: nothing is read locally. */
        sha256: string
        command: string
        type: PluginType
        name: string
        version?: string
      }
  )

export interface RegisterResult {
  type: PluginType
  name: string
  /** With the `v`; undefined: registered and mounted unversioned (the plugin reports no version). */
  version?: string
  sha256: string
  command: string
  path: string
  catalog: 'registered' | 'unchanged'
  mount: MountAction
  seconds: number
  /** From a release: whether its signature was checked against a trusted key. */
  signature?: ReleaseSignature
}

/** Where the project's description mounts it, unless the registration says otherwise. */
export function projectPlacement(
  project: PluginProject,
  given: Placement & {name?: string},
): Pick<Placement, 'path' | 'options' | 'databaseSettings' | 'allowBuiltinName'> {
  const {mount, database} = project.description
  const path = given.path ?? mount?.path
  const options = given.options ?? mount?.options
  const databaseSettings = given.databaseSettings ?? database
  return {
    ...(path === undefined ? {} : {path}),
    ...(options === undefined ? {} : {options}),
    ...(databaseSettings === undefined ? {} : {databaseSettings}),
    // The description names a built-in on purpose (an external build of it); another name is checked as usual.
    allowBuiltinName: (given.name ?? project.name) === project.name,
  }
}

/** What the catalog entry holds, once the registration is resolved. */
interface CatalogEntry {
  type: PluginType
  name: string
  version?: string
  sha256: string
  command: string
  env?: string[]
  path: string
  database?: DatabaseConnection
  /** Mount options (KV's version=2), from the project's description. */
  options?: Record<string, string>
  databaseSettings?: DatabaseSettings
  allowBuiltinName?: boolean
  signature?: ReleaseSignature
}

/** catalog entry -> mount enabled, or tuned to the new version and reloaded; a second run changes nothing. */
export async function registerPlugin(client: VaultClient, registration: Registration): Promise<RegisterResult> {
  try {
    return await registerResolved(client, registration)
  } catch (error) {
    // The recorded sha256 was wrong (a build landed while it was taken): the next register reads the file.
    if (registration.from === 'project' && isChecksumMismatch(error)) await dropRecord(registration.project.dir)
    throw error
  }
}

async function registerResolved(client: VaultClient, registration: Registration): Promise<RegisterResult> {
  const started = performance.now()
  const resolved = await resolve(client, registration)
  // A mount path as Vault lists it, less its slash: `database/` and `database` are one engine.
  const entry = {...resolved, path: resolved.path.replace(/\/+$/, '')}
  if (BUILTIN_PLUGIN_NAMES.has(entry.name) && !entry.allowBuiltinName) {
    throw new UserError(`"${entry.name}" would shadow Vault's builtin ${entry.name} plugin`, 'register it under another name')
  }
  // Read while the catalog is written (Vault runs the plugin then, to check its version): a round trip less.
  const mounts = entry.type === 'database' ? undefined : readMounts(client, entry.type)
  mounts?.catch(() => {}) // a failed catalog write is the error to report; ensureMount awaits this one
  const previous = await readCatalogEntry(client, entry.type, entry.name, entry.version)
  const {version, catalog} = await writeCatalog(client, entry, previous)
  let mount: MountAction
  try {
    mount =
      entry.type === 'database' && registration.catalogOnly
        ? catalog === 'registered' || registration.restart
          ? await reloadConnection(client, entry.path, entry.name)
          : 'unchanged'
        : entry.type === 'database'
        ? await ensureDatabase(client, {
            path: entry.path,
            name: entry.name,
            version,
            connection: entry.database ?? {},
            settings: entry.databaseSettings,
            catalogChanged: catalog === 'registered' || registration.restart === true,
          })
        : await ensureMount(client, {type: entry.type, name: entry.name, version, sha256: entry.sha256, path: entry.path, options: entry.options, reloadScope: registration.reloadScope, restart: registration.restart}, mounts)
  } catch (error) {
    // A register that fails takes back what it wrote: the catalog holds what it held before.
    // (Unless Vault filed it under a version the binary reports, whose earlier entry was not read.)
    if (catalog === 'registered' && version === entry.version) await restoreCatalogEntry(client, entry, version, previous).catch(() => {})
    throw error
  }
  const {database: _, options: __, databaseSettings: ___, allowBuiltinName: ____, env: _____, ...shown} = entry
  return {...shown, version, catalog, mount, seconds: secondsSince(started)}
}

type CatalogRecord = {sha256: string; command: string; args?: string[]; env?: string[]}

/** The catalog's entry of this name at this version (none: the unversioned one); undefined when there is none. */
async function readCatalogEntry(client: VaultClient, type: PluginType, name: string, version: string | undefined): Promise<CatalogRecord | undefined> {
  const found = (await client.getIfExists(`sys/plugins/catalog/${type}/${name}?version=${encodeURIComponent(version ?? '')}`))?.data as Partial<CatalogRecord> | undefined
  return found?.sha256 && found.command !== undefined ? (found as CatalogRecord) : undefined
}

/**
 * The catalog as it was: the previous entry written back, or this one deleted. An entry for the very same
 * file (a rebuild of the same version, an unversioned plugin) cannot be put back, since the file now holds
 * the new build and its old sha256 would never match: it is left, and the next register replaces it.
 */
async function restoreCatalogEntry(client: VaultClient, entry: CatalogEntry, version: string | undefined, previous: CatalogRecord | undefined): Promise<void> {
  const path = `sys/plugins/catalog/${entry.type}/${entry.name}`
  if (!previous) await client.delete(`${path}?version=${encodeURIComponent(version ?? '')}`)
  else if (previous.command !== entry.command) await client.post(path, {...previous, ...(version ? {version} : {})})
}

async function resolve(client: VaultClient, registration: Registration): Promise<CatalogEntry> {
  const placed = (type: PluginType, name: string) => ({
    type,
    name,
    path: registration.path ?? PLUGIN_TYPE[type].defaultPath(name),
    database: registration.database,
    ...(registration.options ? {options: registration.options} : {}),
    ...(registration.databaseSettings ? {databaseSettings: registration.databaseSettings} : {}),
    allowBuiltinName: registration.allowBuiltinName,
    ...(registration.env ? {env: registration.env} : {}),
  })
  switch (registration.from) {
    case 'project': {
      const {project} = registration
      const binary = join(project.pluginDir, project.binaryName)
      const {local, pluginDir} = await localBinary(client, binary, 'build it first with `vaultkit plugin build`')
      const {sha256, identity} = await buildSha256(project.dir, binary, registration.sha256)
      const version = project.version === undefined ? undefined : `v${project.version}`
      // Registered under <binary>_v<version> (a hard link beside the build): a later build leaves it, so a
      // rollback finds it. Only in the project's own plugin directory: another Vault's is not vaultkit's to write.
      // An unversioned plugin has one entry, the build itself.
      const own = version !== undefined && (await isOwnPluginDirectory(pluginDir, project.pluginDir))
      const {command, placed: linked} = own ? await placeBesideBuild(local, version) : {command: project.binaryName, placed: false}
      // A new link changes the build's ctime: the recorded sha256 is renewed (if the file is still the one
      // whose sha256 was taken), so the next register need not hash.
      if (linked && identity) await renewRecord(project.dir, binary, sha256, identity)
      return {...placed(project.pluginType, registration.name ?? project.name), ...projectPlacement(project, registration), version, sha256, command}
    }
    case 'binary': {
      const {local} = await localBinary(client, registration.binary, 'check the path, or build it first')
      return {...placed(registration.type, registration.name), version: registration.version, sha256: await sha256File(local), command: basename(registration.binary)}
    }
    case 'release': {
      const installed = await (await import('./release-install.js')).installFromRelease(client, registration.dir, registration.trusted)
      const {local} = await localBinary(client, installed.binary, 'check the plugin directory')
      const {signature} = installed
      return {...placed(installed.type, registration.name ?? installed.name), version: installed.version, sha256: await sha256File(local), command: basename(local), signature}
    }
    case 'remote':
      if (!/^[0-9a-f]{64}$/i.test(registration.sha256)) {
        throw new UserError(`"${registration.sha256}" is not a hex SHA-256`, 'give the 64 hex digits that `sha256sum` prints')
      }
      // Vault reports sha256s in lowercase: compared with what mounts run, an uppercase one would never match.
      return {...placed(registration.type, registration.name), version: registration.version, sha256: registration.sha256.toLowerCase(), command: registration.command}
  }
}

/**
 * Register unless the catalog already holds this build. Without a version, Vault files the entry under the
 * version the binary reports; read it back, since the mount is pinned to it. A plugin that reports none is
 * registered and mounted unversioned, as `vault plugin register` without -version does.
 */
async function writeCatalog(client: VaultClient, entry: CatalogEntry, known: CatalogRecord | undefined): Promise<{version?: string; catalog: RegisterResult['catalog']}> {
  const catalogPath = `sys/plugins/catalog/${entry.type}/${entry.name}`
  // An entry with an env is always written: Vault does not show the env it holds, so it cannot be compared.
  const same = known?.sha256 === entry.sha256 && known?.command === entry.command && !entry.env
  const env = entry.env ? {env: entry.env} : {}
  if (entry.version !== undefined) {
    if (same) return {version: entry.version, catalog: 'unchanged'}
    await client.post(catalogPath, {sha256: entry.sha256, command: entry.command, version: entry.version, ...env})
    return {version: entry.version, catalog: 'registered'}
  }
  await client.post(catalogPath, {sha256: entry.sha256, command: entry.command, ...env})
  const detailed = ((await client.get('sys/plugins/catalog'))?.data as {detailed?: CatalogListing[]} | undefined)?.detailed ?? []
  const version = detailed.find((p) => !p.builtin && p.type === entry.type && p.name === entry.name && p.sha256 === entry.sha256)?.version
  return {version: version || undefined, catalog: same ? 'unchanged' : 'registered'}
}

interface CatalogListing {
  type: string
  name: string
  version?: string
  sha256?: string
  builtin?: boolean
}

/** The binary, resolved, and the server's plugin directory (resolved; undefined when it does not show it). */
async function localBinary(client: VaultClient, given: string, missingHint: string): Promise<{local: string; pluginDir?: string}> {
  const resolved = await realpath(given).catch(() => {
    throw new UserError(`${given} does not exist`, missingHint)
  })
  return {local: resolved, pluginDir: await checkInPluginDirectory(client, given, resolved)}
}

/** The server's reported plugin directory is the project's (a dev server vaultkit runs), not merely trusted. */
export async function isOwnPluginDirectory(reported: string | undefined, projectPluginDir: string): Promise<boolean> {
  if (reported === undefined) return false
  const real = async (dir: string) => realpath(dir).catch(() => dir)
  return (await real(reported)) === (await real(projectPluginDir))
}

/**
 * Vault runs only files inside its plugin_directory, compared after resolving symlinks; say so before
 * Vault fails with a less helpful message. Servers that do not show their config (no sudo) are trusted.
 */
async function checkInPluginDirectory(client: VaultClient, given: string, resolved: string): Promise<string | undefined> {
  const configured = await reportedPluginDirectory(client)
  if (!configured) return undefined
  const pluginDir = await realpath(configured).catch(() => configured)
  const inside = (path: string) => {
    const rel = relative(pluginDir, path)
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)
  }
  if (!inside(resolved)) {
    const why = inside(dirname(given)) || dirname(given) === pluginDir ? 'is a symlink that points outside' : 'is outside'
    throw new UserError(`${given} ${why} the server's plugin directory ${pluginDir}`, 'build or copy the binary into that directory (no symlinks out of it)')
  }
  if (dirname(resolved) !== pluginDir) {
    throw new UserError(`${given} is in a subfolder of the plugin directory ${pluginDir}`, 'put it directly in that directory')
  }
  return pluginDir
}

/**
 * The plugin directory a server reports in its sanitized config; undefined when it does not show its config
 * (a token without sudo); an error when it has none, since no external plugin can run there.
 */
export async function reportedPluginDirectory(client: VaultClient): Promise<string | undefined> {
  const config = await client.get('sys/config/state/sanitized').catch(() => undefined)
  const configured = (config?.data as {plugin_directory?: string} | undefined)?.plugin_directory
  if (config && !configured) {
    throw new UserError(`Vault at ${client.addr} has no plugin directory configured`, 'set plugin_directory in its config and restart it')
  }
  return configured
}
