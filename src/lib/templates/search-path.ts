import {existsSync, readdirSync} from 'node:fs'
import {homedir} from 'node:os'
import {dirname, isAbsolute, join, resolve} from 'node:path'

import {UserError, errnoCode} from '../errors.js'
import {readJsonFile} from '../json-file.js'
import {checkExtends, checkUnique, type Kind, type KindSource, listKinds, readExternalKind} from './kinds.js'

export interface DiscoverOptions {
  /** --template DIR: one kind folder. */
  template?: string
  /** Read VAULTKIT_TEMPLATE_PATH and the config file (not for `template test`, which tests one folder alone). */
  searchPath?: boolean
  env?: NodeJS.ProcessEnv
}

interface SearchFolder {
  dir: string
  source: KindSource
  origin: string
}

/** ~/.config/vaultkit/config.json, or under $XDG_CONFIG_HOME. */
export function configFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'vaultkit', 'config.json')
}

/**
 * One string field of the config file (e.g. "releasesUrl"), undefined when the file or the field is absent.
 * It lives with the config's other reader so that both stay in the chunk plugin new already loads.
 */
export function configString(key: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const file = configFile(env)
  const value = (readJsonFile(file) as Record<string, unknown> | undefined | null)?.[key]
  if (value !== undefined && (typeof value !== 'string' || value === '')) {
    throw new UserError(`${file}: field "${key}" must be a non-empty string`, `fix or remove "${key}" in that file`)
  }
  return value
}

/**
 * A list of files in the config file (e.g. "trustedKeys"), `~` expanded and relative paths read from the
 * config file's folder; empty when the file or the field is absent.
 */
export function configFiles(key: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const file = configFile(env)
  const value = (readJsonFile(file) as Record<string, unknown> | undefined | null)?.[key] ?? []
  if (!Array.isArray(value) || value.some((p) => typeof p !== 'string' || p === '')) {
    throw new UserError(`${file}: field "${key}" must be a list of files`, `e.g. {"${key}": ["~/keys/release.asc"]}`)
  }
  return (value as string[]).map((path) => {
    const expanded = expandHome(path)
    return isAbsolute(expanded) ? expanded : resolve(dirname(file), expanded)
  })
}

const expandHome = (path: string) => (path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path)

/** VAULTKIT_TEMPLATE_PATH (colon-separated) first, then the config file's "templatePath" list. */
export function searchFolders(env: NodeJS.ProcessEnv = process.env): SearchFolder[] {
  const fromEnv = (env.VAULTKIT_TEMPLATE_PATH ?? '').split(':').filter(Boolean)
  const folders: SearchFolder[] = fromEnv.map((dir) => ({dir: resolve(expandHome(dir)), source: 'template-path', origin: 'VAULTKIT_TEMPLATE_PATH'}))
  const file = configFile(env)
  const config = readJsonFile(file)
  if (config === undefined) return folders
  const templatePath = (config as {templatePath?: unknown} | null)?.templatePath ?? []
  if (!Array.isArray(templatePath) || templatePath.some((p) => typeof p !== 'string' || p === '')) {
    throw new UserError(`${file}: field "templatePath" must be a list of folders`, 'e.g. {"templatePath": ["~/vault-kinds"]}')
  }
  for (const dir of templatePath as string[]) {
    const expanded = expandHome(dir)
    folders.push({dir: isAbsolute(expanded) ? expanded : resolve(dirname(file), expanded), source: 'config', origin: file})
  }
  return folders
}

/** A search folder is a kind itself (it holds template.json), or holds kind folders. */
function kindsIn(folder: SearchFolder): Kind[] {
  if (existsSync(join(folder.dir, 'template.json'))) return [readExternalKind(folder.dir, folder.source, folder.origin)]
  let entries
  try {
    entries = readdirSync(folder.dir, {withFileTypes: true})
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') throw new UserError(`${folder.dir} (from ${folder.origin}) does not exist`, `create it, or remove it from ${folder.origin}`)
    throw error
  }
  const dirs = entries.filter((e) => (e.isDirectory() || e.isSymbolicLink()) && existsSync(join(folder.dir, e.name, 'template.json')))
  return dirs.map((e) => readExternalKind(join(folder.dir, e.name), folder.source, folder.origin))
}

/** Built-in kinds, then those of the search path, then --template; names unique across all. */
export function discoverKinds(options: DiscoverOptions = {}): {kinds: Kind[]; selected?: Kind} {
  const builtins = listKinds()
  const external: Kind[] = []
  if (options.searchPath !== false) {
    for (const folder of searchFolders(options.env)) external.push(...kindsIn(folder))
  }
  let selected: Kind | undefined
  if (options.template !== undefined) {
    selected = readExternalKind(options.template, 'flag', '--template')
    external.unshift(selected)
  }
  // A folder named twice (on the path and by --template, say) is one kind, not two.
  const unique = external.filter((kind, index) => external.findIndex((k) => k.dir === kind.dir) === index)
  for (const kind of unique) checkExtends(kind, builtins)
  return {kinds: checkUnique([...builtins, ...unique]), selected}
}
