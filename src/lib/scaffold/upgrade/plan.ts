import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'

import {git} from '../git-base.js'
import type {RenderedFile} from '../../templates/render.js'
import {loadExeca} from '../../exec.js'
import {mergeGoMod} from './go-mod-merge.js'

/**
 * What an upgrade does to one file, from three versions of it: base (the pristine render it was made
 * from), ours (the project now) and theirs (the kind rendered now).
 * - same: nothing to do (also: the kind changed nothing and neither did you, or you both made one change)
 * - update: you never changed it; the kind did          - add: new in the kind
 * - remove: the kind dropped it and you never changed it
 * - keep: only you changed it (or deleted it), or the kind dropped a file you changed
 * - merge: both changed it, merged cleanly               - conflict: both changed it; markers written
 */
export type FileAction = 'same' | 'update' | 'add' | 'remove' | 'keep' | 'merge' | 'conflict'

export interface PlannedFile {
  path: string
  action: FileAction
  detail?: string
  /** The file's new state: contents and mode to write, null to delete it, undefined to leave it alone. */
  next?: {contents: Buffer; mode: number} | null
}

export interface Sides {
  base: Map<string, RenderedFile>
  theirs: Map<string, RenderedFile>
  /** The project's file at a path now, undefined when there is none. */
  ours: (path: string) => RenderedFile | undefined
  /** Conflict marker label of the kind's side, e.g. "secrets 1.1.0". */
  theirsLabel: string
}

const executable = (file: RenderedFile) => (file.mode & 0o111) !== 0
const sameFile = (a: RenderedFile, b: RenderedFile) => a.contents.equals(b.contents) && executable(a) === executable(b)

/** Every path the kind renders now or rendered then, in code-unit order, with what to do to it. */
export async function planFiles(sides: Sides): Promise<PlannedFile[]> {
  const paths = [...new Set([...sides.base.keys(), ...sides.theirs.keys()])].sort((a, b) => (a < b ? -1 : 1))
  const merger = new Merger(sides.theirsLabel)
  try {
    const plan: PlannedFile[] = []
    for (const path of paths) plan.push(await planFile(path, sides.base.get(path), sides.theirs.get(path), sides.ours(path), merger))
    return plan
  } finally {
    merger.close()
  }
}

async function planFile(path: string, base: RenderedFile | undefined, theirs: RenderedFile | undefined, ours: RenderedFile | undefined, merger: Merger): Promise<PlannedFile> {
  const write = (file: RenderedFile) => ({contents: file.contents, mode: file.mode & 0o777})
  if (theirs === undefined) {
    // The kind dropped it: gone only if you never changed it.
    if (ours === undefined) return {path, action: 'same'}
    if (base !== undefined && sameFile(ours, base)) return {path, action: 'remove', next: null}
    return {path, action: 'keep', detail: 'the kind dropped it; you changed it'}
  }
  if (ours === undefined) {
    if (base === undefined) return {path, action: 'add', next: write(theirs)}
    if (sameFile(base, theirs)) return {path, action: 'keep', detail: 'you deleted it'}
    return {path, action: 'conflict', detail: 'you deleted it; the kind changed it (not restored)'}
  }
  if (sameFile(ours, theirs)) return {path, action: 'same'}
  if (base !== undefined && sameFile(ours, base)) return {path, action: 'update', next: write(theirs)}
  if (base !== undefined && sameFile(base, theirs)) return {path, action: 'keep'}
  // Both sides changed it (or both added it): merge the contents; an executable bit follows whoever changed it.
  const mode = base !== undefined && executable(ours) === executable(base) ? theirs.mode : ours.mode
  const goMod = path === 'go.mod' && base !== undefined ? mergeGoMod(ours.contents.toString('utf8'), base.contents.toString('utf8'), theirs.contents.toString('utf8')) : undefined
  if (goMod !== undefined) {
    const contents = Buffer.from(goMod)
    return contents.equals(ours.contents) ? {path, action: 'same'} : {path, action: 'merge', next: {contents, mode: mode & 0o777}}
  }
  const merged = await merger.merge(ours.contents, base?.contents ?? Buffer.alloc(0), theirs.contents)
  const added = base === undefined ? 'both you and the kind added it' : undefined
  if (merged === undefined) return {path, action: 'conflict', detail: `${added ?? 'both changed it'}; not text, so yours is kept`}
  if (merged.conflicts > 0) {
    const detail = `${merged.conflicts} conflict${merged.conflicts === 1 ? '' : 's'}${added ? `; ${added}` : ''}`
    return {path, action: 'conflict', detail, next: {contents: merged.contents, mode: mode & 0o777}}
  }
  if (merged.contents.equals(ours.contents) && mode === ours.mode) return {path, action: 'same'}
  return {path, action: 'merge', next: {contents: merged.contents, mode: mode & 0o777}}
}

/** `git merge-file`: git's own per-file three-way merge, conflict markers and all. */
class Merger {
  private readonly dir = mkdtempSync(join(tmpdir(), 'vaultkit-merge-'))

  constructor(private readonly theirsLabel: string) {}

  async merge(ours: Buffer, base: Buffer, theirs: Buffer): Promise<{contents: Buffer; conflicts: number} | undefined> {
    const [o, b, t] = ['ours', 'base', 'theirs'].map((name) => join(this.dir, name)) as [string, string, string]
    writeFileSync(o, ours)
    writeFileSync(b, base)
    writeFileSync(t, theirs)
    const execa = await loadExeca()
    const args = ['merge-file', '-p', '-L', 'yours', '-L', 'base', '-L', this.theirsLabel, o, b, t]
    // Bytes as git wrote them (exec.run gives text, and trims the final newline).
    const result = await execa('git', args, {reject: false, encoding: 'buffer', stripFinalNewline: false})
    // 0: clean; 1..127: that many conflicts; otherwise (binary files, say) no merge at all.
    if (result.exitCode === undefined || result.exitCode < 0 || result.exitCode > 127) return undefined
    return {contents: Buffer.from(result.stdout), conflicts: result.exitCode}
  }

  close() {
    rmSync(this.dir, {recursive: true, force: true})
  }
}

/** `git diff --no-index` of what an upgrade would change, for --dry-run. */
export async function planDiff(plan: PlannedFile[], ours: (path: string) => RenderedFile | undefined): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'vaultkit-diff-'))
  try {
    const put = (side: string, path: string, contents: Buffer) => {
      const file = join(dir, side, path)
      mkdirSync(dirname(file), {recursive: true})
      writeFileSync(file, contents)
    }
    mkdirSync(join(dir, 'a'))
    mkdirSync(join(dir, 'b'))
    for (const file of plan) {
      if (file.next === undefined) continue
      const now = ours(file.path)
      if (now) put('a', file.path, now.contents)
      if (file.next) put('b', file.path, file.next.contents)
    }
    const result = await git(dir, ['-c', 'core.quotepath=off', 'diff', '--no-index', '--no-color', '--no-prefix', 'a', 'b'])
    return result.stdout
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}
