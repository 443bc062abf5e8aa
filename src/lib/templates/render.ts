import Handlebars from 'handlebars'
import {readdir, readFile, stat} from 'node:fs/promises'
import {join, posix, relative, sep} from 'node:path'

import {UserError} from '../errors.js'
import {helpers} from './helpers.js'
import {COMMON_DIR, type Kind} from './kinds.js'

export interface RenderedFile {
  /** Path inside the project, with "/" separators. */
  path: string
  contents: Buffer
  mode: number
}

export type TemplateContext = Record<string, unknown>

const handlebars = Handlebars.create()
for (const [name, helper] of Object.entries(helpers)) {
  handlebars.registerHelper(name, (...args: unknown[]) => (helper as (...a: unknown[]) => unknown)(...args.slice(0, -1)))
}

/** Renders one template string; strict, so a missing answer is an error rather than an empty string. */
export function renderString(template: string, context: TemplateContext, origin: string): string {
  try {
    return handlebars.compile(template, {noEscape: true, strict: true})(context)
  } catch (error) {
    throw new UserError(`Template ${origin} failed to render: ${(error as Error).message.split('\n')[0]}`, 'fix the template')
  }
}

interface SourceFile {
  /** Path below files/, "/" separated, as stored. */
  stored: string
  absolute: string
}

async function listFiles(root: string): Promise<SourceFile[]> {
  const entries = await readdir(root, {recursive: true, withFileTypes: true})
  return entries
    .filter((e) => e.isFile())
    .map((e) => {
      const absolute = join(e.parentPath, e.name)
      return {stored: relative(root, absolute).split(sep).join('/'), absolute}
    })
}

/** The layers of a kind, lowest first: common, then the kind. A later layer's file replaces an earlier one. */
export async function layeredFiles(kind: Kind): Promise<SourceFile[]> {
  const byOutput = new Map<string, SourceFile>()
  for (const layer of [COMMON_DIR, kind.dir]) {
    for (const file of await listFiles(join(layer, 'files'))) byOutput.set(file.stored.replace(/\.hbs$/, ''), file)
  }
  return [...byOutput.values()]
}

/**
 * Where a stored file lands: `{{...}}` rendered in each segment, a leading "_" turned into "." (so dotfiles
 * survive npm packing), ".hbs" dropped. A result that would leave the project is refused.
 */
export function outputPath(stored: string, context: TemplateContext): string {
  const segments = stored.replace(/\.hbs$/, '').split('/').map((segment) => {
    const rendered = segment.includes('{{') ? renderString(segment, context, stored) : segment
    return rendered.startsWith('_') ? `.${rendered.slice(1)}` : rendered
  })
  const path = segments.join('/')
  if (segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('\\')) || posix.normalize(path) !== path) {
    throw new UserError(`Template file ${stored} renders to "${path}", which is outside the project`, 'fix its name')
  }
  return path
}

export async function renderKind(kind: Kind, context: TemplateContext): Promise<RenderedFile[]> {
  const sources = await layeredFiles(kind)
  const files = await Promise.all(
    sources.map(async (source): Promise<RenderedFile> => {
      const [raw, info] = await Promise.all([readFile(source.absolute), stat(source.absolute)])
      const contents = source.stored.endsWith('.hbs')
        ? Buffer.from(renderString(raw.toString('utf8'), context, source.stored))
        : raw
      return {path: outputPath(source.stored, context), contents, mode: info.mode & 0o777}
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
