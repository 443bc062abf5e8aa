import {readdir} from 'node:fs/promises'
import {join} from 'node:path'

import {UserError} from '../errors.js'
import {PACKAGE_ROOT} from '../paths.js'
import {type Manifest, readManifest} from './manifest.js'

/** Templates shipped with vaultkit: `templates/common` under every kind, one folder per kind. */
export const BUILTIN_TEMPLATES_DIR = join(PACKAGE_ROOT, 'templates')
export const COMMON_DIR = join(BUILTIN_TEMPLATES_DIR, 'common')

export interface Kind {
  manifest: Manifest
  /** The kind's folder: template.json and files/. */
  dir: string
  source: 'builtin'
}

export async function listKinds(root = BUILTIN_TEMPLATES_DIR): Promise<Kind[]> {
  const entries = await readdir(root, {withFileTypes: true})
  const dirs = entries.filter((e) => e.isDirectory() && e.name !== 'common').map((e) => join(root, e.name))
  const kinds = await Promise.all(
    dirs.map(async (dir): Promise<Kind> => ({dir, manifest: await readManifest(join(dir, 'template.json')), source: 'builtin'})),
  )
  const seen = new Map<string, string>()
  for (const kind of kinds) {
    const other = seen.get(kind.manifest.name)
    if (other) throw new UserError(`Two kinds are named "${kind.manifest.name}" (${other} and ${kind.dir})`, 'rename one in its template.json')
    seen.set(kind.manifest.name, kind.dir)
  }
  return kinds.sort((a, b) => a.manifest.name.localeCompare(b.manifest.name))
}

export function findKind(kinds: Kind[], name: string): Kind {
  const kind = kinds.find((k) => k.manifest.name === name)
  if (!kind) {
    throw new UserError(`There is no "${name}" kind`, `pass --type ${kinds.map((k) => k.manifest.name).join('|')}`)
  }
  return kind
}
