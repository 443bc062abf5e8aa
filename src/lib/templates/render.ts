import {readdirSync, readFileSync, statSync} from 'node:fs'
import {basename, dirname, join, posix, relative, sep} from 'node:path'

import {UserError} from '../errors.js'
import {renderString, type TemplateContext} from './engine.js'
import {BUILTIN_TEMPLATES_DIR, COMMON_DIR, type Kind} from './kinds.js'

export interface RenderedFile {
  /** Path inside the project, with "/" separators. */
  path: string
  contents: Buffer
  mode: number
}

export type {TemplateContext} from './engine.js'

interface SourceFile {
  /** Path below files/, "/" separated, as stored. */
  stored: string
  absolute: string
}

// Synchronous file access throughout: a few dozen small files are read faster in one go than through
// the thread pool, and start-up time is most of what `plugin new` costs.
function listFiles(root: string): SourceFile[] {
  const entries = readdirSync(root, {recursive: true, withFileTypes: true})
  return entries
    .filter((e) => e.isFile())
    .map((e) => {
      const absolute = join(e.parentPath, e.name)
      return {stored: relative(root, absolute).split(sep).join('/'), absolute}
    })
}

/** The layers of a kind, lowest first: common, then the kind. A later layer's file replaces an earlier one. */
export function layeredFiles(kind: Kind): SourceFile[] {
  const byOutput = new Map<string, SourceFile>()
  for (const layer of [COMMON_DIR, kind.dir]) {
    for (const file of listFiles(join(layer, 'files'))) byOutput.set(file.stored.replace(/\.hbs$/, ''), file)
  }
  return [...byOutput.values()]
}

/**
 * Where a stored file lands: `{{...}}` rendered in each segment, a leading "_" turned into "." (so dotfiles
 * survive npm packing), ".hbs" dropped. A result that would leave the project is refused.
 */
export async function outputPath(stored: string, context: TemplateContext, layers: readonly string[] = []): Promise<string> {
  const segments = await Promise.all(
    stored.replace(/\.hbs$/, '').split('/').map(async (segment) => {
      const rendered = segment.includes('{{') ? await renderString(segment, context, stored, layers) : segment
      return rendered.startsWith('_') ? `.${rendered.slice(1)}` : rendered
    }),
  )
  const path = segments.join('/')
  if (segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('\\')) || posix.normalize(path) !== path) {
    throw new UserError(`Template file ${stored} renders to "${path}", which is outside the project`, 'fix its name')
  }
  return path
}

/** The names of the built-in layers a kind renders from, whose templates the build precompiled. */
export function builtinLayers(kind: Kind): string[] {
  return [COMMON_DIR, kind.dir].filter((dir) => dirname(dir) === BUILTIN_TEMPLATES_DIR).map((dir) => basename(dir))
}

export async function renderKind(kind: Kind, context: TemplateContext): Promise<RenderedFile[]> {
  const sources = layeredFiles(kind)
  const layers = builtinLayers(kind)
  const files = await Promise.all(
    sources.map(async (source): Promise<RenderedFile> => {
      const raw = readFileSync(source.absolute)
      const info = statSync(source.absolute)
      const contents = source.stored.endsWith('.hbs')
        ? Buffer.from(await renderString(raw.toString('utf8'), context, source.stored, layers))
        : raw
      return {path: await outputPath(source.stored, context, layers), contents, mode: info.mode & 0o777}
    }),
  )
  const seen = new Set<string>()
  for (const file of files) {
    if (seen.has(file.path)) throw new UserError(`Two template files render to ${file.path}`, 'rename one of them')
    seen.add(file.path)
  }
  // Code-unit order, as `ls` in the C locale and `git ls-files` list them.
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}
