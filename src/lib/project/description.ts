import {writeFile, rename, rm} from 'node:fs/promises'
import {join} from 'node:path'

import {UserError} from '../errors.js'
import {readJsonFile} from '../json-file.js'
import {checkSmoke, type SmokeDeclaration} from '../templates/smoke-spec.js'
import {PLUGIN_TYPES, type PluginType} from './plugin-types.js'

// The one description of a project, the `plugin` object of .vaultkit.json: written by `plugin new` and
// `plugin init`, read by every command (and by the project's Go release program, which reads the same
// fields). Conventions such as "the binary is the folder under cmd/" are only what `init` proposes.

export const PROJECT_FILE = '.vaultkit.json'

/**
 * Where the plugin's version comes from:
 * - `file`: a Go file that sets `Version = "x.y.z"` (vaultkit's version/version.go); builds also stamp it;
 * - `value`: the build sets `variable` (if any) with -ldflags -X to this value, and it is registered under it
 *   (Vault takes any version for a plugin that reports none);
 * - `git-tag`: the same, from the nearest vX.Y.Z tag of the checked-out commit (`git describe`) at build time;
 * - `none`: the plugin reports no version; it is registered and mounted unversioned, as the vault CLI allows.
 */
export type VersionSource =
  | {from: 'file'; file: string; variable: string}
  | {from: 'value'; value: string; variable?: string}
  | {from: 'git-tag'; variable?: string}
  | {from: 'none'}

export interface BuildSettings {
  /** `go build -tags`. */
  tags: string[]
  /** More -ldflags, e.g. `-X pkg.Commit=abc`; the version's -X is added by vaultkit. */
  ldflags: string[]
  /** CGO_ENABLED=1 (default off: a static binary that runs on any Linux). */
  cgo: boolean
}

export interface ProjectDescription {
  /** The main package, as `go build` takes it: `./cmd/vault-plugin-secrets-kv`. */
  main: string
  /** The file name of the build, and the catalog command. */
  binary: string
  type: PluginType
  /** Catalog name, and the default mount path of secrets and auth plugins. */
  name: string
  version: VersionSource
  build: BuildSettings
  /** Relative to the project, or absolute. */
  pluginDirectory: string
  /** Where and how it is mounted: `options` are the mount's (KV takes version=2). */
  mount?: {path?: string; options?: Record<string, string>}
  /** The requests sent after each reload, in template.json's form; absent: the kind's, or none. */
  smoke?: SmokeDeclaration
  /**
   * Database plugins: what Vault's database engine is configured with, beyond plugin_name and the
   * credentials (`--db-username`, and the password from VAULTKIT_DB_PASSWORD, never this file), and the
   * dev role's fields (creation_statements in the plugin's own language).
   */
  database?: DatabaseSettings
}

export interface DatabaseSettings {
  config?: Record<string, unknown>
  role?: Record<string, unknown>
}

/** Config fields of Vault's database engine and its plugins that hold secrets. */
const SECRET_CONFIG_FIELDS = new Set(['password', 'root_password', 'private_key', 'client_secret', 'secret', 'token', 'tls_private_key', 'private_key_pem'])

const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/

/** What `plugin new` records for a project in vaultkit's layout: the defaults `plugin init` proposes for one too. */
export function layoutDescription(names: {binaryName: string; name: string; type: PluginType; module: string}): ProjectDescription {
  return {
    main: `./cmd/${names.binaryName}`,
    binary: names.binaryName,
    type: names.type,
    name: names.name,
    version: {from: 'file', file: 'version/version.go', variable: `${names.module}/version.Version`},
    build: {tags: [], ldflags: [], cgo: false},
    pluginDirectory: './vault/plugins',
  }
}

/** The whole file as JSON (undefined when there is none): `plugin` beside the origin fields of generated projects. */
export function readProjectFile(dir: string): Record<string, unknown> | undefined {
  const data = readJsonFile(join(dir, PROJECT_FILE))
  if (data === undefined) return undefined
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new UserError(`${join(dir, PROJECT_FILE)} is not a JSON object`, `fix it, or move it away and run \`vaultkit plugin init\``)
  }
  return data as Record<string, unknown>
}

/** The `plugin` object, checked; undefined when the file or the object is missing. Every problem is one line naming the field. */
export function readDescription(dir: string): ProjectDescription | undefined {
  const data = readProjectFile(dir)
  if (data?.plugin === undefined) return undefined
  return checkDescription(data.plugin, join(dir, PROJECT_FILE))
}

export function checkDescription(value: unknown, file: string): ProjectDescription {
  const fail = (field: string, problem: string) => new UserError(`${file}: plugin.${field} ${problem}`, `fix it, or run \`vaultkit plugin init --force\` to detect it again`)
  const object = (v: unknown, field: string) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw fail(field, 'is not an object')
    return v as Record<string, unknown>
  }
  const text = (v: unknown, field: string) => {
    if (typeof v !== 'string' || v === '') throw fail(field, 'is not a non-empty string')
    return v
  }
  const plugin = object(value, '').valueOf() as Record<string, unknown>
  const type = text(plugin.type, 'type')
  if (!(PLUGIN_TYPES as readonly string[]).includes(type)) throw fail('type', `is "${type}", not one of ${PLUGIN_TYPES.join(', ')}`)
  const main = text(plugin.main, 'main')
  if (!main.startsWith('.')) throw fail('main', `is "${main}": give the package's folder from the project root, such as ./cmd/${String(plugin.binary ?? 'x')}`)
  const binary = text(plugin.binary, 'binary')
  if (!/^[A-Za-z0-9._-]+$/.test(binary)) throw fail('binary', `is "${binary}", not a file name`)
  const name = text(plugin.name, 'name')
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(name)) throw fail('name', `is "${name}": lowercase letters, digits, - and _`)

  const v = object(plugin.version, 'version')
  const optionalVariable = (variable: unknown) => (variable === undefined || variable === '' ? {} : {variable: text(variable, 'version.variable')})
  let version: VersionSource
  switch (v.from) {
    case 'file':
      version = {from: 'file', file: text(v.file, 'version.file'), variable: text(v.variable, 'version.variable')}
      break
    case 'value': {
      const given = text(v.value, 'version.value').replace(/^v/, '')
      if (!SEMVER.test(given)) throw fail('version.value', `is "${given}", not a version such as 1.2.3`)
      version = {from: 'value', value: given, ...optionalVariable(v.variable)}
      break
    }
    case 'git-tag':
      version = {from: 'git-tag', ...optionalVariable(v.variable)}
      break
    case 'none':
      version = {from: 'none'}
      break
    default:
      throw fail('version.from', 'is not one of file, value, git-tag, none')
  }

  const b = plugin.build === undefined ? {} : object(plugin.build, 'build')
  const strings = (list: unknown, field: string) => {
    if (list === undefined) return []
    if (!Array.isArray(list) || list.some((item) => typeof item !== 'string')) throw fail(field, 'is not a list of strings')
    return list as string[]
  }
  if (b.cgo !== undefined && typeof b.cgo !== 'boolean') throw fail('build.cgo', 'is not true or false')
  const build: BuildSettings = {tags: strings(b.tags, 'build.tags'), ldflags: strings(b.ldflags, 'build.ldflags'), cgo: b.cgo === true}

  const description: ProjectDescription = {main, binary, type: type as PluginType, name, version, build, pluginDirectory: text(plugin.pluginDirectory, 'pluginDirectory')}
  if (plugin.mount !== undefined) {
    const m = object(plugin.mount, 'mount')
    const options = m.options === undefined ? undefined : object(m.options, 'mount.options')
    for (const [key, option] of Object.entries(options ?? {})) if (typeof option !== 'string') throw fail(`mount.options.${key}`, 'is not a string')
    description.mount = {
      ...(m.path === undefined ? {} : {path: text(m.path, 'mount.path').replace(/^\/+|\/+$/g, '')}),
      ...(options === undefined ? {} : {options: options as Record<string, string>}),
    }
  }
  if (plugin.database !== undefined) {
    const d = object(plugin.database, 'database')
    const config = d.config === undefined ? undefined : object(d.config, 'database.config')
    const role = d.role === undefined ? undefined : object(d.role, 'database.role')
    for (const [key, value] of Object.entries(config ?? {})) {
      const secret = SECRET_CONFIG_FIELDS.has(key) || (typeof value === 'string' && /:\/\/[^/@\s{}]+:[^/@\s{}]+@/.test(value))
      if (secret) throw fail(`database.config.${key}`, 'holds a secret, which does not belong in a committed file: give the password in VAULTKIT_DB_PASSWORD (or --db-password), and {{username}}:{{password}} in a URL')
    }
    description.database = {...(config ? {config} : {}), ...(role ? {role} : {})}
  }
  if (plugin.smoke !== undefined) {
    const smoke = object(plugin.smoke, 'smoke')
    if (!Array.isArray(smoke.requests)) throw fail('smoke.requests', 'is not a list')
    checkSmoke(smoke as unknown as SmokeDeclaration, (field, problem) => fail(field, problem))
    description.smoke = smoke as unknown as SmokeDeclaration
  }
  return description
}

/**
 * Writes `plugin` into .vaultkit.json, keeping every other field of the file (the origin of a generated
 * project, or what a user added) and every field of `plugin` vaultkit does not know. Written beside and
 * renamed over, so the file is never half-written.
 */
export async function writeDescription(dir: string, description: ProjectDescription, existing = readProjectFile(dir) ?? {}): Promise<string> {
  const text = describedFileText(description, existing)
  const file = join(dir, PROJECT_FILE)
  const partial = `${file}.${process.pid}.partial`
  try {
    await writeFile(partial, text)
    await rename(partial, file)
  } finally {
    await rm(partial, {force: true})
  }
  return text
}

const DESCRIBED = new Set(['main', 'binary', 'type', 'name', 'version', 'build', 'pluginDirectory', 'mount', 'smoke', 'database'])

/** What a `plugin` object holds beyond the fields vaultkit describes: kept when the description is written again. */
export function unknownFields(plugin: unknown): Record<string, unknown> {
  if (typeof plugin !== 'object' || plugin === null || Array.isArray(plugin)) return {}
  return Object.fromEntries(Object.entries(plugin).filter(([key]) => !DESCRIBED.has(key)))
}

/** The file with `description` as its `plugin`, the rest of `existing` (and unknown fields of its `plugin`) kept. */
export function describedFileText(description: ProjectDescription, existing: Record<string, unknown>): string {
  return projectFileText({...existing, plugin: {...unknownFields(existing.plugin), ...description}})
}

/** The file's text: two-space JSON with a final newline, as plugin new writes it; fields left undefined are dropped. */
export const projectFileText = (data: Record<string, unknown>) => `${JSON.stringify(data, null, 2)}\n`
