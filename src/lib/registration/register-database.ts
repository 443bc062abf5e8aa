import {UserError} from '../errors.js'
import type {DatabaseSettings} from '../project/description.js'
import type {MountAction} from './mounts.js'
import type {VaultClient} from '../vault/client.js'

/** Connection settings for the database plugin's config; given by flags, never printed. */
export interface DatabaseConnection {
  connectionUrl?: string
  username?: string
  password?: string
}

export interface DatabaseTarget {
  /** Mount path of Vault's database secrets engine. */
  path: string
  /** Catalog name of the plugin; also the name of its config and of the dev role. */
  name: string
  /** With the `v`; undefined: the unversioned entry. */
  version?: string
  connection: DatabaseConnection
  /** The project's own settings (.vaultkit.json plugin.database): config fields and the dev role's. */
  settings?: DatabaseSettings
  /** The catalog entry changed (a new build): running connections must restart on it. */
  catalogChanged: boolean
}

/** Whether Vault's database engine is mounted at `path`; a mount of another engine there is one line. */
export async function databaseMounted(client: VaultClient, path: string): Promise<boolean> {
  const mounts = ((await client.get('sys/mounts'))?.data ?? {}) as Record<string, {type?: string}>
  const type = mounts[`${path}/`]?.type
  if (type && type !== 'database') throw new UserError(`${path}/ is already a mount of "${type}"`, 'pass another --path for the database engine')
  return type === 'database'
}

/**
 * A new build of a database plugin put into the catalog alone (plugin docs): a connection that runs the
 * plugin restarts on it, since a later register of the same build would find nothing changed.
 */
export async function reloadConnection(client: VaultClient, path: string, name: string): Promise<MountAction> {
  if (!(await databaseMounted(client, path)) || !(await client.getIfExists(`${path}/config/${name}`))) return 'unchanged'
  await client.post(`${path}/reload/${name}`)
  return 'reloaded'
}

// PostgreSQL, the database kind's default: a login role that expires with its lease.
export const DEV_ROLE_CREATION_STATEMENTS = [
  `CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';`,
  `GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{{name}}";`,
]

/**
 * The database engine mounted, `config/<name>` pointing at the plugin and version, a dev role: the database
 * counterpart of enabling a mount. An upgrade rewrites plugin_version; a new build of the same version reloads.
 */
export async function ensureDatabase(client: VaultClient, target: DatabaseTarget): Promise<MountAction> {
  client.hide(target.connection.password)
  if (!(await databaseMounted(client, target.path))) await client.post(`sys/mounts/${target.path}`, {type: 'database'})

  const configPath = `${target.path}/config/${target.name}`
  const existing = (await client.getIfExists(configPath))?.data as {plugin_version?: string} | undefined
  const {connectionUrl, username, password} = target.connection
  const config = Object.keys(target.settings?.config ?? {}).length > 0 ? target.settings?.config : undefined
  // A password alone (VAULTKIT_DB_PASSWORD left in the shell) is not a new connection to configure.
  const given = connectionUrl !== undefined || username !== undefined
  let action: MountAction
  if (!existing || given) {
    if (!connectionUrl && !config) {
      throw new UserError(
        `${configPath} does not exist yet, and no connection settings were given`,
        'pass --connection-url (with {{username}} and {{password}}), --db-username and --db-password (or VAULTKIT_DB_PASSWORD)',
      )
    }
    await client.post(configPath, {
      ...config,
      plugin_name: target.name,
      ...(target.version ? {plugin_version: target.version} : {}),
      // Flags and the environment win over the project's settings; what is not given is left out.
      ...(connectionUrl === undefined ? {} : {connection_url: connectionUrl}),
      ...(username === undefined ? {} : {username}),
      ...(password === undefined ? {} : {password}),
      allowed_roles: [target.name],
      verify_connection: true,
    })
    action = !existing ? 'enabled' : (existing.plugin_version || undefined) === target.version ? 'reloaded' : 'upgraded'
    if (action === 'reloaded' && target.catalogChanged) await client.post(`${target.path}/reload/${target.name}`)
  } else if ((existing.plugin_version || undefined) !== target.version) {
    // An update keeps the stored connection details; only the version changes.
    await client.post(configPath, {plugin_version: target.version})
    action = 'upgraded'
  } else if (target.catalogChanged) {
    await client.post(`${target.path}/reload/${target.name}`)
    action = 'reloaded'
  } else {
    action = 'unchanged'
  }

  const rolePath = `${target.path}/roles/${target.name}`
  const role = await client.getIfExists(rolePath)
  if (!role) {
    await client.post(rolePath, {db_name: target.name, creation_statements: DEV_ROLE_CREATION_STATEMENTS, default_ttl: '1h', max_ttl: '24h', ...target.settings?.role})
  }
  return action
}
