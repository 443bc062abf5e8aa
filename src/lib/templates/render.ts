import {readdirSync, readFileSync, realpathSync, statSync} from 'node:fs'
import {join, posix, relative, sep} from 'node:path'

import {UserError, errnoCode} from '../errors.js'
import {renderString, type TemplateContext} from './engine.js'
import {builtinLayers, type Kind, kindLayers} from './kinds.js'
import {manifestError} from './manifest.js'
import {type AnswerValue, holds} from './when.js'

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

const inside = (folder: string, path: string) => path === folder || path.startsWith(`${folder}${sep}`)

// Synchronous file access throughout: a few dozen small files are read faster in one go than through
// the thread pool, and start-up time is most of what `plugin new` costs.
/**
 * The files below `<layer>/files`. A template may not reach outside its own folder: a symlink is followed
 * only to a file inside the layer's folder; one that leads out (or to a folder) is refused.
 */
export function listFiles(layer: string): SourceFile[] {
  const root = join(layer, 'files')
  let entries
  try {
    entries = readdirSync(root, {recursive: true, withFileTypes: true})
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') throw new UserError(`${layer} has no files/ folder`, 'a kind folder holds template.json and files/')
    throw error
  }
  const folder = realpathSync(layer)
  if (!inside(folder, realpathSync(root))) throw new UserError(`${root} is a link out of the kind folder ${folder}`, 'templates may only use files inside their own folder')
  const files: SourceFile[] = []
  for (const entry of entries) {
    const absolute = join(entry.parentPath, entry.name)
    const stored = relative(root, absolute).split(sep).join('/')
    if (entry.isSymbolicLink()) {
      const target = realpathOrUndefined(absolute)
      if (target === undefined || !inside(folder, target)) {
        throw new UserError(`Template file ${stored} is a link to ${target ?? 'nothing'}, outside the kind folder ${folder}`, 'templates may only use files inside their own folder: copy the file in')
      }
      if (!statSync(target).isFile()) throw new UserError(`Template file ${stored} is a link to a folder`, 'copy the folder in instead')
    } else if (!entry.isFile()) continue
    files.push({stored, absolute})
  }
  return files
}

function realpathOrUndefined(path: string): string | undefined {
  try {
    return realpathSync(path)
  } catch {
    return undefined
  }
}

/** The files of a kind's layers (see kindLayers), by output path: a later layer's file replaces an earlier one. */
export function layeredFiles(kind: Kind): Map<string, SourceFile> {
  const byOutput = new Map<string, SourceFile>()
  for (const layer of kindLayers(kind)) {
    for (const file of listFiles(layer)) byOutput.set(file.stored.replace(/\.hbs$/, ''), file)
  }
  return byOutput
}

/** The layered files a `files` entry of the manifest names: the file itself, or everything in the folder. */
function matching(files: Map<string, SourceFile>, path: string): string[] {
  const wanted = path.replace(/\/+$/, '').replace(/\.hbs$/, '')
  return [...files.keys()].filter((key) => key === wanted || key.startsWith(`${wanted}/`))
}

/** Every `files` entry must name something that exists in one of the kind's layers. */
export function checkConditionalFiles(kind: Kind, files = layeredFiles(kind)): void {
  for (const [index, entry] of kind.manifest.files.entries()) {
    if (matching(files, entry.path).length === 0) {
      const layers = kindLayers(kind).map((dir) => `${dir}/files`).join(', ')
      throw manifestError(join(kind.dir, 'template.json'), `files/${index}/path`, `names "${entry.path}", which is in none of the kind's layers (${layers})`)
    }
  }
}

/** The files that make the project for these answers: layered, then each condition of the manifest applied. */
export function selectFiles(kind: Kind, answers: Record<string, AnswerValue>): SourceFile[] {
  const files = layeredFiles(kind)
  checkConditionalFiles(kind, files)
  for (const entry of kind.manifest.files) {
    if (!holds(entry.when, answers)) for (const key of matching(files, entry.path)) files.delete(key)
  }
  return [...files.values()]
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

export async function renderKind(kind: Kind, context: TemplateContext, answers: Record<string, AnswerValue> = {}): Promise<RenderedFile[]> {
  const sources = selectFiles(kind, answers)
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
