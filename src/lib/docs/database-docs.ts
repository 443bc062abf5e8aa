import {UserError} from '../errors.js'
import {loadExeca} from '../exec.js'
import {databaseMounted} from '../registration/register-database.js'
import type {VaultClient} from '../vault/client.js'
import type {OpenAPIDocument, Schema} from './openapi.js'
import {METHODS, jsonSchema} from './openapi.js'

/**
 * One key of `<engine>/config/<name>` a database plugin reads, as its binary prints them with
 * `-connection-settings` (the database kind's ConnectionSettings): dbplugin v5 gives Vault no way to
 * describe a plugin's connection settings, so the plugin says them itself.
 */
export interface ConnectionSetting {
  name: string
  type: 'string' | 'integer' | 'duration'
  required?: boolean
  default?: unknown
  example?: unknown
  sensitive?: boolean
  description: string
}

/** The engine's paths a user of one database plugin calls: its connection, roles and credentials. */
export const DATABASE_ENGINE_PATHS = ['/config/{name}', '/roles/{name}', '/creds/{name}', '/static-roles/{name}', '/static-creds/{name}', '/rotate-root/{name}']

/**
 * The request fields a sample payload carries, for the engine's writes whose full field list would make a
 * poor example (mutually exclusive rotation settings side by side): what a first request needs.
 */
const SAMPLE_FIELDS: Record<string, (settings: ConnectionSetting[]) => string[]> = {
  // The settings a connection needs, or that the plugin gives an example of; the rest keep their defaults.
  'post /config/{name}': (settings) => ['plugin_name', 'allowed_roles', ...settings.filter((s) => s.required || s.example !== undefined || s.sensitive).map((s) => s.name)],
  'post /roles/{name}': () => ['db_name', 'creation_statements', 'default_ttl', 'max_ttl'],
  'post /static-roles/{name}': () => ['db_name', 'username', 'rotation_period'],
}

/**
 * What the binary prints with `-connection-settings`, or undefined when it does not answer so (a plugin
 * not made from the database kind serves go-plugin's "not meant to be executed directly" and exits 1).
 */
export async function readConnectionSettings(binary: string, signal?: AbortSignal): Promise<ConnectionSetting[] | undefined> {
  const execa = await loadExeca()
  const answer = await execa(binary, ['-connection-settings'], {reject: false, timeout: 10_000, cancelSignal: signal, stdin: 'ignore', env: {VAULT_ADDR: '', VAULT_TOKEN: ''}})
  if (answer.timedOut) throw new UserError(`${binary} -connection-settings did not answer in 10 s`, 'make it print the JSON list of its settings and exit, or not take the argument')
  if (answer.isCanceled) return undefined // the caller says the interruption
  if (answer.exitCode === undefined) throw new UserError(`${binary} could not be run (${answer.code ?? answer.signal ?? 'unknown'})`, 'build it again with `vaultkit plugin build`')
  if (answer.exitCode !== 0) return undefined
  let settings: unknown
  try {
    settings = JSON.parse(String(answer.stdout))
  } catch {
    return undefined
  }
  const valid = (s: Partial<ConnectionSetting>) =>
    typeof s?.name === 'string' && /^[\w-]+$/.test(s.name) && ['string', 'integer', 'duration'].includes(s.type ?? '') && typeof s.description === 'string'
  if (!Array.isArray(settings) || !settings.every(valid)) {
    throw new UserError(`${binary} -connection-settings printed something else than a list of settings`, 'print a JSON list of {name, type, description, required, default, example, sensitive}')
  }
  return settings as ConnectionSetting[]
}

/** The database engine's OpenAPI document: read from its mount at `path`, else from one mounted for the read. */
export async function databaseEngineOpenAPI(client: VaultClient, path: string, read: (mountPrefix: string) => Promise<OpenAPIDocument>): Promise<OpenAPIDocument> {
  if (await databaseMounted(client, path)) return read(path)
  // Mounted for the read only: the connections a database engine would hold need a database.
  await client.post(`sys/mounts/${path}`, {type: 'database'})
  let doc: OpenAPIDocument
  try {
    doc = await read(path)
  } catch (error) {
    await client.delete(`sys/mounts/${path}`).catch(() => {})
    throw error
  }
  await client.delete(`sys/mounts/${path}`).catch((error: unknown) => {
    throw new UserError(`the database engine mounted at ${path}/ for the docs could not be removed: ${error instanceof Error ? error.message : String(error)}`, `remove it with \`vault secrets disable ${path}\``)
  })
  return doc
}

/**
 * The reference's document of a database plugin: the engine's paths a user of it calls, its connection
 * settings merged into the request of `config/{name}` (as the plugin's own fields: sensitive ones
 * write-only, since Vault never returns them), and the plugin's name as `plugin_name`'s example.
 */
export function databaseDocument(engine: OpenAPIDocument, plugin: {name: string; version?: string}, settings: ConnectionSetting[] | undefined): OpenAPIDocument {
  const paths = Object.fromEntries(DATABASE_ENGINE_PATHS.filter((path) => engine.paths[path]).map((path) => [path, structuredClone(engine.paths[path]!)]))
  const config = paths['/config/{name}']?.post
  const request = jsonSchema(engine, config?.requestBody)
  if (!config || !request?.properties) throw new UserError('Vault gave no OpenAPI document for the database engine\'s config/{name}', 'check the Vault version (`vaultkit doctor`)')
  // The examples name the connection after the plugin, as `plugin dev` does, and its role my-role.
  for (const [path, item] of Object.entries(paths)) {
    const name = path.startsWith('/config/') || path.startsWith('/rotate-root/') ? plugin.name : 'my-role'
    for (const parameter of [...(item.parameters ?? []), ...METHODS.flatMap((method) => item[method]?.parameters ?? [])]) {
      if (parameter.name === 'name' && parameter.in === 'path') parameter.schema = {...parameter.schema, example: name}
    }
  }
  const fields: Record<string, Schema> = {...structuredClone(request.properties)}
  fields.plugin_name = {...fields.plugin_name, example: plugin.name}
  if (fields.allowed_roles) fields.allowed_roles = {...fields.allowed_roles, example: ['my-role']}
  if (plugin.version && fields.plugin_version) fields.plugin_version = {...fields.plugin_version, example: `v${plugin.version}`}
  for (const setting of settings ?? []) fields[setting.name] = settingSchema(setting)
  const required = [...(request.required ?? []), ...(settings ?? []).filter((s) => s.required).map((s) => s.name)]
  config.requestBody = {...config.requestBody, content: {'application/json': {schema: {type: 'object', properties: fields, ...(required.length ? {required} : {})}}}}
  const roles = jsonSchema(engine, paths['/roles/{name}']?.post?.requestBody)
  if (roles?.properties?.db_name) {
    const schema = structuredClone(roles)
    schema.properties!.db_name = {...schema.properties!.db_name, example: plugin.name}
    paths['/roles/{name}']!.post!.requestBody = {content: {'application/json': {schema}}}
  }
  return {...engine, paths}
}

function settingSchema(setting: ConnectionSetting): Schema {
  const schema: Schema = setting.type === 'duration' ? {type: 'string', format: 'duration'} : {type: setting.type}
  schema.description = setting.description
  if (setting.default !== undefined) schema.default = setting.default
  if (setting.example !== undefined) schema.example = setting.example
  if (setting.sensitive) {
    schema['x-vault-displayAttrs'] = {sensitive: true}
    schema.writeOnly = true
  }
  return schema
}

/** The fields of a database engine write that its sample payload carries (all, for those not listed). */
export function databaseSampleFields(settings: ConnectionSetting[] | undefined) {
  return (method: string, path: string, name: string): boolean => {
    const listed = SAMPLE_FIELDS[`${method} ${path}`]
    return !listed || listed(settings ?? []).includes(name)
  }
}
