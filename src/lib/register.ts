import {realpath} from 'node:fs/promises'
import {basename, dirname, relative, isAbsolute} from 'node:path'

import {sha256File} from './build.js'
import {UserError} from './errors.js'
import {BUILTIN_PLUGIN_NAMES} from './names.js'
import {type DatabaseConnection, ensureDatabase} from './register-database.js'
import type {PluginType} from './templates/manifest.js'
import type {VaultClient} from './vault/client.js'

export interface RegisterOptions {
  type: PluginType
  /** Catalog name. */
  name: string
  /** With the `v`. */
  version: string
  /** Local binary: its sha256 is computed and its place checked against the server's plugin directory. */
  binary?: string
  /** With `command` and no `binary`: a remote binary already in the server's plugin directory. */
  sha256?: string
  command?: string
  /** Mount path: of the plugin (secrets, auth), or of Vault's database engine (database). */
  path: string
  /** Database plugins: connection settings for `<path>/config/<name>`. */
  database?: DatabaseConnection
}

export type MountAction = 'enabled' | 'upgraded' | 'reloaded' | 'unchanged'

export interface RegisterResult {
  type: PluginType
  name: string
  version: string
  sha256: string
  command: string
  path: string
  catalog: 'registered' | 'unchanged'
  mount: MountAction
  seconds: number
}

const MOUNT_API: Record<Exclude<PluginType, 'database'>, string> = {secret: 'sys/mounts', auth: 'sys/auth'}

/** catalog entry -> mount enabled, or tuned to the new version and reloaded; a second run changes nothing. */
export async function registerPlugin(client: VaultClient, options: RegisterOptions): Promise<RegisterResult> {
  const started = performance.now()
  if (BUILTIN_PLUGIN_NAMES.has(options.name)) {
    throw new UserError(`"${options.name}" would shadow Vault's builtin ${options.name} plugin`, 'register it under another --name')
  }
  const {sha256, command} = await identify(client, options)
  const catalogPath = `sys/plugins/catalog/${options.type}/${options.name}`
  const current = await client.getIfExists(`${catalogPath}?version=${encodeURIComponent(options.version)}`)
  const known = current?.data as {sha256?: string; command?: string} | undefined
  let catalog: RegisterResult['catalog'] = 'unchanged'
  if (known?.sha256 !== sha256 || known?.command !== command) {
    await client.post(catalogPath, {sha256, command, version: options.version})
    catalog = 'registered'
  }
  const mount =
    options.type === 'database'
      ? await ensureDatabase(client, {...options, connection: options.database ?? {}, catalogChanged: catalog === 'registered'})
      : await ensureMount(client, options, sha256)
  return {
    type: options.type,
    name: options.name,
    version: options.version,
    sha256,
    command,
    path: options.path,
    catalog,
    mount,
    seconds: Math.round((performance.now() - started) / 10) / 100,
  }
}

async function identify(client: VaultClient, options: RegisterOptions): Promise<{sha256: string; command: string}> {
  if (options.sha256 !== undefined && !/^[0-9a-f]{64}$/.test(options.sha256)) {
    throw new UserError('--sha256 is not a hex SHA-256', 'pass the 64 hex digits that `sha256sum` prints')
  }
  if (!options.binary) {
    if (options.sha256 && options.command) return {sha256: options.sha256, command: options.command}
    throw new UserError('Nothing to register', 'pass --binary, or --sha256 with --command')
  }
  const binary = await realpath(options.binary).catch(() => {
    throw new UserError(`${options.binary} does not exist`, 'build it first with `vaultkit plugin build`')
  })
  await checkInPluginDirectory(client, options.binary, binary)
  // A sha256 given with a local binary is one the caller just computed (plugin dev): no need to read it twice.
  return {sha256: options.sha256 ?? (await sha256File(binary)), command: options.command ?? basename(options.binary)}
}

/**
 * Vault runs only files inside its plugin_directory, compared after resolving symlinks; say so before
 * Vault fails with a less helpful message. Servers that do not show their config (no sudo) are trusted.
 */
async function checkInPluginDirectory(client: VaultClient, given: string, resolved: string): Promise<void> {
  const config = await client.get('sys/config/state/sanitized').catch(() => undefined)
  const configured = (config?.data as {plugin_directory?: string} | undefined)?.plugin_directory
  if (config && !configured) {
    throw new UserError(`Vault at ${client.addr} has no plugin directory configured`, "set plugin_directory in its config and restart it")
  }
  if (!configured) return
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
}

async function ensureMount(client: VaultClient, options: RegisterOptions, sha256: string): Promise<MountAction> {
  const api = MOUNT_API[options.type as Exclude<PluginType, 'database'>]
  const mounts = ((await client.get(api))?.data ?? {}) as Record<string, {type?: string; running_plugin_version?: string; running_sha256?: string}>
  const mounted = mounts[`${options.path.replace(/\/+$/, '')}/`]
  if (!mounted) {
    await client.post(`${api}/${options.path}`, {type: options.name, config: {plugin_version: options.version}})
    return 'enabled'
  }
  if (mounted.type !== options.name) {
    throw new UserError(`${options.path}/ is already a mount of "${mounted.type}"`, 'pass another --path, or disable that mount first')
  }
  if (mounted.running_plugin_version === options.version && mounted.running_sha256 === sha256) return 'unchanged'
  const upgraded = mounted.running_plugin_version !== options.version
  if (upgraded) await client.post(`${api}/${options.path}/tune`, {plugin_version: options.version})
  // Reload names mounts by their full path: auth methods live under auth/.
  const fullPath = options.type === 'auth' ? `auth/${options.path}` : options.path
  await client.post('sys/plugins/reload/backend', {mounts: [fullPath]})
  return upgraded ? 'upgraded' : 'reloaded'
}


export interface RegistrationFlags {
  project: string
  binary?: string
  sha256?: string
  command?: string
  type?: string
  name?: string
  version?: string
  path?: string
  database?: DatabaseConnection
}

const TYPES: Record<string, PluginType> = {secret: 'secret', secrets: 'secret', auth: 'auth', database: 'database'}

/** What to register: the project's own build, or a binary named by flags (local, or remote by sha256). */
export async function registrationFromFlags(flags: RegistrationFlags): Promise<RegisterOptions> {
  const external = flags.binary !== undefined || flags.sha256 !== undefined
  if (!external) {
    const {readProject} = await import('./project.js')
    const project = await readProject(flags.project)
    return {
      type: project.pluginType,
      name: flags.name ?? project.name,
      version: `v${project.version}`,
      binary: `${project.pluginDir}/${project.binaryName}`,
      path: flags.path ?? defaultPath(project.pluginType, flags.name ?? project.name),
      database: flags.database,
    }
  }
  if (flags.sha256 !== undefined && flags.command === undefined) {
    throw new UserError('--sha256 needs --command', 'pass the file name of the binary in the server\'s plugin directory')
  }
  const type = flags.type === undefined ? undefined : TYPES[flags.type]
  if (!type) throw new UserError(`--type ${flags.type ?? 'is missing'}`, 'pass --type secret, auth or database')
  if (!flags.name) throw new UserError('--name is missing', 'pass the catalog name to register the plugin under')
  // Vault files an unversioned registration under the version the binary reports; say it up front instead.
  if (!flags.version) throw new UserError('--plugin-version is missing', 'pass the version the binary reports, such as 1.0.0')
  const version = `v${flags.version.replace(/^v/, '')}`
  return {
    type,
    name: flags.name,
    version,
    binary: flags.binary,
    sha256: flags.sha256,
    command: flags.command,
    path: flags.path ?? defaultPath(type, flags.name),
    database: flags.database,
  }
}

/** A secrets engine or auth method mounts at its name; a database plugin lives under the database engine. */
export const defaultPath = (type: PluginType, name: string) => (type === 'database' ? 'database' : name)
