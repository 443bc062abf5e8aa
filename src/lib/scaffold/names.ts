import {PLUGIN_TYPE, type PluginType, splitBinaryName} from '../project/plugin-types.js'

export const MAX_NAME_LENGTH = 40

/**
 * Plugins and mounts that ship inside Vault (helper/builtinplugins of Vault 1.20, deprecated and removed
 * ones included). Registering an external plugin under one of these names replaces the builtin for every
 * mount that uses it; and even across types (a secrets engine called userpass) the name misleads. So one
 * list, for every kind.
 */
export const BUILTIN_PLUGIN_NAMES = new Set([
  // secrets engines and system mounts
  'ad', 'alicloud', 'aws', 'azure', 'consul', 'cubbyhole', 'database', 'gcp', 'gcpkms', 'identity', 'kmip',
  'keymgmt', 'kubernetes', 'kv', 'ldap', 'mongodbatlas', 'nomad', 'openldap', 'pki', 'rabbitmq', 'ssh', 'sys',
  'system', 'terraform', 'totp', 'transform', 'transit',
  // auth methods
  'app-id', 'approle', 'centrify', 'cert', 'cf', 'github', 'jwt', 'kerberos', 'oci', 'oidc', 'okta', 'pcf',
  'radius', 'saml', 'token', 'userpass',
  // database plugins
  'cassandra', 'couchbase', 'elasticsearch', 'hana', 'influxdb', 'mongodb', 'mssql', 'mysql', 'mysql-aurora',
  'mysql-legacy', 'mysql-rds', 'postgresql', 'redis', 'redis-elasticache', 'redshift', 'snowflake',
])

/**
 * Names Vault's core serves itself, whatever the catalog holds: a mount of `kv` always runs the kv built
 * into Vault (vault/core.go puts these beside, not in, the plugin catalog). An external build of KV must be
 * registered under another name. Other built-ins (pki, jwt, redis...) are shadowed by an external plugin.
 */
export const CORE_BACKEND_NAMES = new Set(['kv', 'database', 'cubbyhole', 'system', 'sys', 'identity', 'plugin', 'token'])

const NAME_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/

const GO_KEYWORDS = new Set([
  'break', 'case', 'chan', 'const', 'continue', 'default', 'defer', 'else', 'fallthrough', 'for', 'func', 'go',
  'goto', 'if', 'import', 'interface', 'map', 'package', 'range', 'return', 'select', 'struct', 'switch', 'type',
  'var',
])

export interface PluginNames {
  /** Short name: catalog name and default mount path, e.g. `hello`. */
  name: string
  /** Binary, directory and repository name, e.g. `vault-plugin-secrets-hello`. */
  binaryName: string
  /** Package name of the project's root Go package, e.g. `hello`. */
  goPackage: string
}

/** Returns why `input` cannot name a plugin of `type`, or undefined when it can. */
export function validatePluginName(input: string, type: PluginType): string | undefined {
  const raw = input.trim()
  if (raw === '') return 'The plugin name is empty: pass a name such as "hello"'
  const otherType = splitBinaryName(raw)?.type
  if (otherType && otherType !== type) {
    const other = PLUGIN_TYPE[otherType]
    return `"${raw}" is named as a ${otherType} plugin but the kind makes a ${type} plugin: drop the "${other.binaryPrefix}" prefix or pick the ${other.word} kind`
  }
  const name = shortName(raw, type)
  if (name.includes('/') || name.includes('\\') || name.includes('..')) {
    return `"${raw}" is a path, not a plugin name: pass a name such as "hello", and --dir to choose where it goes`
  }
  if (name.length > MAX_NAME_LENGTH) {
    return `The plugin name is ${name.length} characters long: keep it to ${MAX_NAME_LENGTH} or fewer`
  }
  if (!NAME_PATTERN.test(name)) {
    return `"${raw}" is not a valid plugin name: use lowercase letters, digits and single hyphens, starting with a letter (such as "my-plugin")`
  }
  if (BUILTIN_PLUGIN_NAMES.has(name)) {
    return `"${name}" would shadow Vault's builtin ${name} plugin: choose another name, such as "${name}-custom"`
  }
  return undefined
}

/** `hello` and `vault-plugin-secrets-hello` both name the plugin `hello`. */
function shortName(input: string, type: PluginType): string {
  const prefix = PLUGIN_TYPE[type].binaryPrefix
  return input.startsWith(prefix) ? input.slice(prefix.length) : input
}

/** Derives every name of a plugin from a validated input. */
export function pluginNames(input: string, type: PluginType): PluginNames {
  const name = shortName(input.trim(), type)
  const compact = name.replaceAll('-', '')
  return {
    name,
    binaryName: PLUGIN_TYPE[type].binaryPrefix + name,
    goPackage: GO_KEYWORDS.has(compact) || compact === 'main' ? `${compact}plugin` : compact,
  }
}

export function defaultModulePath(binaryName: string): string {
  return `example.com/${binaryName}`
}

// The rules of golang.org/x/mod/module.CheckPath, which `go mod` applies to a module path, less "~":
// Go accepts it there, then refuses to build the package directories it names.
const MODULE_ELEMENT = /^[A-Za-z0-9._-]+$/
const FIRST_ELEMENT = /^[a-z0-9.-]+$/
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\.|$)/i

/** Returns why `path` is not a Go module path that `go mod` accepts, or undefined when it is. */
export function validateModulePath(path: string): string | undefined {
  const hint = 'use a path such as github.com/acme/vault-plugin-secrets-hello'
  if (path.trim() === '') return `The Go module path is empty: ${hint}`
  if (/\s/.test(path)) return `The Go module path "${path}" contains white space: ${hint}`
  if (path.length > 200) return `The Go module path is ${path.length} characters long: keep it under 200`
  const elements = path.split('/')
  for (const element of elements) {
    if (element === '' || element === '.' || element === '..') {
      return `The Go module path "${path}" has an empty, "." or ".." element: ${hint}`
    }
    if (!MODULE_ELEMENT.test(element)) {
      return `The Go module path "${path}" has a character Go does not allow in "${element}": use letters, digits and - . _`
    }
    if (element.startsWith('.') || element.endsWith('.') || element.startsWith('-')) {
      return `The Go module path element "${element}" may not start with "." or "-", or end with ".": ${hint}`
    }
    if (WINDOWS_RESERVED.test(element)) {
      return `The Go module path element "${element}" is a name Windows reserves, which Go refuses: ${hint}`
    }
  }
  const first = elements[0]!
  if (!FIRST_ELEMENT.test(first) || !first.includes('.')) {
    return `The Go module path "${path}" must start with a lowercase domain such as example.com (Go keeps dotless first elements for the standard library): ${hint}`
  }
  return undefined
}

