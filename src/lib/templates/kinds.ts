import {existsSync, readdirSync, realpathSync, statSync} from 'node:fs'
import {join} from 'node:path'

import {UserError, errnoCode} from '../errors.js'
import {PACKAGE_ROOT} from '../paths.js'
import {PLUGIN_TYPE, parsePluginType} from '../project/plugin-types.js'
import {type Manifest, manifestError, readManifest} from './manifest.js'
import {builtinChain} from './shared-layers.js'

/**
 * Templates shipped with vaultkit: `templates/common` under every kind, a folder per kind (holding its
 * template.json), and shared layers that are not kinds themselves.
 */
export const BUILTIN_TEMPLATES_DIR = join(PACKAGE_ROOT, 'templates')

export type KindSource = 'builtin' | 'template-path' | 'config' | 'flag'

export interface Kind {
  manifest: Manifest
  /** The kind's folder: template.json and files/ (symlinks resolved, for external kinds). */
  dir: string
  source: KindSource
  /** Where it was found, for people: "built-in", "VAULTKIT_TEMPLATE_PATH", a config file, "--template". */
  origin: string
}

// Kinds are read with synchronous calls: a handful of small files, read on the way to every `plugin new`,
// come back sooner than through the thread pool.
/** The built-in kinds: every folder of templates/ that holds a template.json. */
export function listKinds(): Kind[] {
  const root = BUILTIN_TEMPLATES_DIR
  const entries = readdirSync(root, {withFileTypes: true})
  const dirs = entries.filter((e) => e.isDirectory() && existsSync(join(root, e.name, 'template.json'))).map((e) => join(root, e.name))
  return checkUnique(dirs.map((dir) => ({dir, manifest: readManifest(join(dir, 'template.json'), {builtin: true}), source: 'builtin', origin: 'built-in'})))
}

/** Reads a kind folder from outside vaultkit; `origin` says who named it, for errors and `template list`. */
export function readExternalKind(given: string, source: KindSource, origin: string): Kind {
  let dir: string
  try {
    dir = realpathSync(given)
    if (!statSync(dir).isDirectory()) throw new UserError(`${given} (from ${origin}) is not a folder`, 'point it at a kind folder holding template.json and files/')
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') throw new UserError(`${given} (from ${origin}) does not exist`, 'point it at a kind folder holding template.json and files/')
    throw error
  }
  return {dir, manifest: readManifest(join(dir, 'template.json')), source, origin}
}

/** An external kind may layer over a built-in one of the same plugin type. */
export function checkExtends(kind: Kind, builtins: Kind[]): void {
  const base = kind.manifest.extends
  if (base === undefined) return
  const file = join(kind.dir, 'template.json')
  const found = builtins.find((k) => k.manifest.name === base)
  if (!found) throw manifestError(file, 'extends', `must name a built-in kind (${builtins.map((k) => k.manifest.name).join(', ')})`)
  if (found.manifest.pluginType !== kind.manifest.pluginType) {
    throw manifestError(file, 'extends', `names the ${base} kind, which makes ${found.manifest.pluginType} plugins, but pluginType is ${kind.manifest.pluginType}`)
  }
}

/** Kind names are what --type takes, so two kinds may never share one. Sorted by name. */
export function checkUnique(kinds: Kind[]): Kind[] {
  const seen = new Map<string, Kind>()
  for (const kind of kinds) {
    const other = seen.get(kind.manifest.name)
    if (other) {
      throw new UserError(
        `Two kinds are named "${kind.manifest.name}" (${other.dir} from ${other.origin}, and ${kind.dir} from ${kind.origin})`,
        'rename one in its template.json',
      )
    }
    seen.set(kind.manifest.name, kind)
  }
  // Kind names are lowercase ASCII: a code-unit order is theirs, and needs no ICU collator at start.
  return kinds.sort((a, b) => (a.manifest.name < b.manifest.name ? -1 : 1))
}

/**
 * A kind's name as the user may type it: its own name, or a plugin type's other word (`secret` for the
 * built-in `secrets`), so `--type` takes the same words in every command.
 */
export function kindName(kinds: Kind[], word: string): string {
  if (kinds.some((k) => k.manifest.name === word)) return word
  const type = parsePluginType(word)
  const alias = type && PLUGIN_TYPE[type].word
  return alias && kinds.some((k) => k.manifest.name === alias) ? alias : word
}

export function findKind(kinds: Kind[], word: string): Kind {
  const name = kindName(kinds, word)
  const kind = kinds.find((k) => k.manifest.name === name)
  if (!kind) {
    throw new UserError(`There is no "${name}" kind`, `pass --type ${kinds.map((k) => k.manifest.name).join('|')}`)
  }
  return kind
}

/**
 * The built-in layers a kind renders from, lowest first: common, then for a built-in kind (or one that
 * extends it) the shared layers under it and that kind. The build precompiled these.
 */
export function builtinLayers(kind: Kind): string[] {
  const builtin = kind.manifest.extends ?? (kind.source === 'builtin' ? kind.manifest.name : undefined)
  return builtin === undefined ? ['common'] : builtinChain(builtin)
}

/** The folders whose files/ make a kind, lowest first: its built-in layers, then its own folder. */
export function kindLayers(kind: Kind): string[] {
  const builtin = builtinLayers(kind).map((layer) => join(BUILTIN_TEMPLATES_DIR, layer))
  return kind.source === 'builtin' ? builtin : [...builtin, kind.dir]
}
