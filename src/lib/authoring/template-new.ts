import {readFileSync, statSync} from 'node:fs'
import {resolve} from 'node:path'

import {UserError} from '../errors.js'
import {checkTarget, writeProject} from '../scaffold/write.js'
import {kindLayers, kindName} from '../templates/kinds.js'
import type {Manifest} from '../templates/manifest.js'
import {listFiles, type RenderedFile} from '../templates/render.js'
import {discoverKinds} from '../templates/search-path.js'

export interface NewKindOptions {
  name: string
  /** The kind to start from (default: secrets). */
  from: string
  /** Where to create it (default: ./NAME). */
  dir?: string
  description?: string
}

export interface NewKindResult {
  name: string
  from: string
  directory: string
  files: {path: string; size: number}[]
}

const KIND_NAME = /^[a-z][a-z0-9-]{0,39}$/

/**
 * A new kind folder: the manifest of `from` under a new name, and a copy of the files `from` does not get
 * from common (its own, and for a built-in kind the shared layer under it), so every file is there to edit.
 * The common layer is not copied: every kind gets it, so fixes to it in vaultkit reach this kind too, and a
 * copied file of the same path would replace it anyway. A kind that extends another keeps its `extends`,
 * so only its own files are copied.
 */
export async function newKind(options: NewKindOptions): Promise<NewKindResult> {
  if (!KIND_NAME.test(options.name)) {
    throw new UserError(`"${options.name}" is not a kind name`, 'use lowercase letters, digits and hyphens, starting with a letter, such as "acme-secrets"')
  }
  const {kinds} = discoverKinds()
  const clash = kinds.find((k) => k.manifest.name === options.name)
  if (clash) throw new UserError(`There is already a "${options.name}" kind (${clash.dir}, ${clash.origin})`, 'choose another name')
  const from = kinds.find((k) => k.manifest.name === kindName(kinds, options.from))
  if (!from) throw new UserError(`There is no "${options.from}" kind`, `pass --from ${kinds.map((k) => k.manifest.name).join('|')}`)
  const directory = resolve(options.dir ?? options.name)
  checkTarget(directory)

  const manifest: Manifest = {
    ...from.manifest,
    name: options.name,
    description: options.description ?? `${from.manifest.description} (started from the ${from.manifest.name} kind)`,
    version: '0.1.0',
  }
  const copied = new Map<string, RenderedFile>()
  for (const layer of from.source === 'builtin' ? kindLayers(from).slice(1) : [from.dir]) {
    for (const {stored, absolute} of listFiles(layer)) {
      copied.set(stored, {path: `files/${stored}`, contents: readFileSync(absolute), mode: statSync(absolute).mode & 0o777})
    }
  }
  const files: RenderedFile[] = [
    {path: 'template.json', contents: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), mode: 0o644},
    ...[...copied.values()].sort((a, b) => (a.path < b.path ? -1 : 1)),
  ]
  await writeProject(directory, files)
  return {name: options.name, from: from.manifest.name, directory, files: files.map((f) => ({path: f.path, size: f.contents.length}))}
}
