import {mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join, relative, sep} from 'node:path'

import {UserError, errnoCode} from '../errors.js'
import {loadExeca, run} from '../exec.js'
import {errorLine} from '../steps.js'
import type {RenderedFile} from '../templates/render.js'

// The pristine render of a project (its merge base) is kept as a git commit under a ref of the project's
// own repository: git keeps every object a ref reaches, it costs a few kilobytes (the blobs mostly equal
// committed ones), and it needs neither the old kind nor an old vaultkit. The commit is written without
// touching the index, the work tree or HEAD, and with vaultkit as its author, so no git identity is needed.

const IDENTITY = {
  GIT_AUTHOR_NAME: 'vaultkit',
  GIT_AUTHOR_EMAIL: 'vaultkit@localhost',
  GIT_COMMITTER_NAME: 'vaultkit',
  GIT_COMMITTER_EMAIL: 'vaultkit@localhost',
}

export interface GitResult {
  exitCode: number
  stdout: string
  all: string
}

/** git in `cwd`; ENOENT (no git) is a UserError. */
export async function git(cwd: string, args: string[], options: {input?: string; env?: Record<string, string>} = {}): Promise<GitResult> {
  const result = await run('git', args, {cwd, input: options.input, env: options.env})
  if (errnoCode(result) === 'ENOENT') throw new UserError('git was not found on PATH', 'install git: plugin upgrade merges with it')
  return {exitCode: result.exitCode ?? 1, stdout: result.stdout, all: result.all ?? ''}
}

async function gitOk(cwd: string, args: string[], what: string, options: {input?: string; env?: Record<string, string>} = {}): Promise<string> {
  const result = await git(cwd, args, options)
  if (result.exitCode !== 0) throw new UserError(`git ${what} failed: ${errorLine(result.all) || `exit ${result.exitCode}`}`, 'check the repository with `git status`')
  return result.stdout.trim()
}

/** The repository's top folder, or undefined when `project` is in none. */
export async function repositoryRoot(project: string): Promise<string | undefined> {
  const result = await git(project, ['rev-parse', '--show-toplevel'])
  return result.exitCode === 0 ? result.stdout.trim() : undefined
}

/**
 * refs/vaultkit/base for a project at the top of its repository; a project inside a larger repository
 * (plugin new does not nest repositories) gets one ref per folder.
 */
export function baseRef(root: string, project: string): string {
  // git names the top folder with links resolved: so must the project be, or /tmp/x and /private/tmp/x differ.
  const inside = relative(root, realpathSync(project)).split(sep).join('/')
  return inside === '' ? 'refs/vaultkit/base' : `refs/vaultkit/base-${process.getBuiltinModule('node:crypto').createHash('sha1').update(inside).digest('hex').slice(0, 12)}`
}

/** The commit a ref points at, or undefined. */
export async function resolveRef(project: string, ref: string): Promise<string | undefined> {
  const result = await git(project, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])
  return result.exitCode === 0 ? result.stdout.trim() : undefined
}

/**
 * Writes `files` as a commit (parent: the ref's current commit) and returns it with its tree id; the ref
 * itself moves only with `moveRef`, so an upgrade can write its new base before it knows it will apply.
 */
export async function writeBase(project: string, ref: string, files: RenderedFile[], message: string): Promise<{commit: string; tree: string; parent?: string}> {
  const scratch = mkdtempSync(join(tmpdir(), 'vaultkit-base-'))
  try {
    for (const file of files) {
      const path = join(scratch, 'files', file.path)
      mkdirSync(dirname(path), {recursive: true})
      writeFileSync(path, file.contents)
    }
    const paths = files.map((file) => join(scratch, 'files', file.path)).join('\n')
    // --no-filters: the render's bytes, whatever .gitattributes says; the ids then match treeId().
    const blobs = (await gitOk(project, ['hash-object', '-w', '--no-filters', '--stdin-paths'], 'hash-object', {input: `${paths}\n`})).split('\n')
    const index = files.map((file, i) => `${file.mode & 0o111 ? '100755' : '100644'} ${blobs[i]}\t${file.path}`).join('\n')
    const env = {GIT_INDEX_FILE: join(scratch, 'index')}
    await gitOk(project, ['update-index', '--add', '--index-info'], 'update-index', {input: `${index}\n`, env})
    const tree = await gitOk(project, ['write-tree'], 'write-tree', {env})
    const parent = await resolveRef(project, ref)
    const commit = await gitOk(project, ['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-m', message], 'commit-tree', {env: {...IDENTITY}})
    return {commit, tree, parent}
  } finally {
    rmSync(scratch, {recursive: true, force: true})
  }
}

/** Points `ref` at `commit` if it still points at `expected` (none: it must not exist). */
export async function moveRef(project: string, ref: string, commit: string | undefined, expected: string | undefined): Promise<void> {
  const old = expected ?? '0'.repeat(40)
  if (commit === undefined) await gitOk(project, ['update-ref', '-d', ref, old], 'update-ref')
  else await gitOk(project, ['update-ref', '-m', 'vaultkit: pristine render', ref, commit, old], 'update-ref')
}

/** Every file of a tree (or `commit:folder`), with contents and mode, by path; undefined when git lacks it. */
export async function readTree(repository: string, treeish: string): Promise<Map<string, RenderedFile> | undefined> {
  const type = await git(repository, ['cat-file', '-t', treeish])
  if (type.exitCode !== 0 || !['tree', 'commit'].includes(type.stdout.trim())) return undefined
  const listing = await gitOk(repository, ['ls-tree', '-r', '-z', '--full-tree', treeish], 'ls-tree')
  const entries = listing
    .split('\0')
    .filter(Boolean)
    .map((line) => {
      const [info, path] = line.split('\t') as [string, string]
      const [mode, kind, id] = info.split(' ') as [string, string, string]
      return {mode, kind, id, path}
    })
    .filter((entry) => entry.kind === 'blob')
  // One `cat-file --batch` for all blobs: "<id> blob <size>\n<bytes>\n" each. Bytes, not text (a kind may
  // ship an image), so execa itself rather than exec.run.
  const execa = await loadExeca()
  const batch = await execa('git', ['cat-file', '--batch'], {cwd: repository, input: `${entries.map((e) => e.id).join('\n')}\n`, encoding: 'buffer', stripFinalNewline: false})
  const out = Buffer.from(batch.stdout)
  const files = new Map<string, RenderedFile>()
  let at = 0
  for (const entry of entries) {
    const header = out.subarray(at, out.indexOf(10, at)).toString()
    const size = Number(header.split(' ')[2])
    const start = at + header.length + 1
    files.set(entry.path, {path: entry.path, contents: Buffer.from(out.subarray(start, start + size)), mode: entry.mode === '100755' ? 0o755 : 0o644})
    at = start + size + 1
  }
  return files
}
