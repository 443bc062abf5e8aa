import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {UserError, errnoCode} from '../errors.js'
import {PACKAGE_ROOT} from '../paths.js'
import {PROJECT_FILE, type ProjectDescription, layoutDescription, projectFileText} from '../project/description.js'
import {compareVersions} from '../versions.js'
import type {Answers, AnswerValue} from './questions/types.js'
import type {Kind} from '../templates/kinds.js'
import type {KindReference} from '../templates/origin-kind.js'
import type {RenderedFile} from '../templates/render.js'

/**
 * Where a generated project came from, committed at its root: the kind (built-in, or the folder it was
 * read from) and its version, vaultkit's version, the answers (the same keys an answers file takes; no
 * secret is ever an answer), and the git tree id of the pristine render, the merge base of `plugin upgrade`.
 * The pristine render is every file of the kind as rendered, before `go mod tidy`, without this file.
 */
export const ORIGIN_FILE = PROJECT_FILE

export interface Origin {
  vaultkit: string
  kind: KindReference
  answers: Record<string, AnswerValue>
  /** Git tree id (sha1) of the pristine render. */
  base: string
}

let ownVersion: string | undefined
export function vaultkitVersion(): string {
  ownVersion ??= (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {version: string}).version
  return ownVersion
}

/** The origin of a project rendered from `kind` with `answers`, as the file that records it. */
export function originFile(kind: Kind, answers: Answers, pristine: RenderedFile[], binaryName: string, name: string): RenderedFile {
  const plugin = layoutDescription({binaryName, name, type: kind.manifest.pluginType, module: answers.module})
  const origin: Origin & {plugin: ProjectDescription} = {
    vaultkit: vaultkitVersion(),
    kind: {
      name: kind.manifest.name,
      ...(kind.manifest.version === undefined ? {} : {version: kind.manifest.version}),
      ...(kind.source === 'builtin' ? {builtin: true} : {path: kind.dir}),
    },
    answers: {name: answers.name, module: answers.module, version: answers.version, description: answers.description, ...answers.extra},
    base: treeId(pristine),
    plugin,
  }
  return {path: ORIGIN_FILE, contents: Buffer.from(projectFileText(origin as unknown as Record<string, unknown>)), mode: 0o644}
}

const HEX40 = /^[0-9a-f]{40}$/

/** Reads and checks a project's origin file; every problem is one line saying what to do. */
export function readOrigin(project: string): Origin {
  const file = join(project, ORIGIN_FILE)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') {
      throw new UserError(`${project} is not a vaultkit project (it has no ${ORIGIN_FILE})`, 'run plugin upgrade in a folder made by `vaultkit plugin new` (0.1.0 or later)')
    }
    throw new UserError(`Cannot read ${file} (${errnoCode(error) ?? 'error'})`, 'check its permissions')
  }
  const damaged = (why: string) => new UserError(`${file} is damaged: ${why}`, `restore it with \`git checkout -- ${ORIGIN_FILE}\``)
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    throw damaged(`not valid JSON (${(error as Error).message})`)
  }
  const origin = data as (Partial<Origin> & {plugin?: unknown}) | null
  if (typeof origin !== 'object' || origin === null || Array.isArray(origin)) throw damaged('not a JSON object')
  if (origin.kind === undefined && origin.plugin !== undefined) {
    throw new UserError(
      `${project} was taken into vaultkit by plugin init, not made from a kind, so it has no kind to upgrade from`,
      'plugin upgrade brings a kind\'s changes to projects that `vaultkit plugin new` made; every other command works here',
    )
  }
  if (typeof origin.vaultkit !== 'string' || !parseVersion(origin.vaultkit)) throw damaged('"vaultkit" is not a version')
  if (compareVersions(origin.vaultkit, vaultkitVersion()) > 0) {
    throw new UserError(`${file} was written by vaultkit ${origin.vaultkit}, newer than this one (${vaultkitVersion()})`, `install vaultkit ${origin.vaultkit} or newer, then run plugin upgrade again`)
  }
  const kind = origin.kind
  if (typeof kind !== 'object' || kind === null || typeof kind.name !== 'string' || kind.name === '') throw damaged('"kind.name" is missing')
  if (kind.version !== undefined && (typeof kind.version !== 'string' || !parseVersion(kind.version))) throw damaged('"kind.version" is not a version')
  if (kind.builtin !== true && (typeof kind.path !== 'string' || kind.path === '')) throw damaged('"kind" names neither a built-in kind nor a path')
  const answers = origin.answers
  if (typeof answers !== 'object' || answers === null || Array.isArray(answers)) throw damaged('"answers" is not an object')
  for (const [key, value] of Object.entries(answers)) {
    if (typeof value !== 'string' && typeof value !== 'boolean') throw damaged(`answer "${key}" is neither a string nor true/false`)
  }
  for (const key of ['name', 'module', 'version', 'description']) {
    if (typeof answers[key] !== 'string') throw damaged(`answer "${key}" is missing`)
  }
  if (typeof origin.base !== 'string' || !HEX40.test(origin.base)) throw damaged('"base" is not a git tree id')
  return origin as Origin
}

/** "1.2.3" (a leading v, a pre-release or build part allowed) -> [1, 2, 3]. */
export function parseVersion(version: string): number[] | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/.exec(version)
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined
}


/**
 * The id git gives a tree of these files (`git write-tree` of an index holding exactly them), computed
 * without git, so `--dry-run` and `--no-git` projects record it too, and a stored base can be checked.
 */
export function treeId(files: RenderedFile[]): string {
  const root: Folder = new Map()
  for (const file of files) {
    const segments = file.path.split('/')
    let folder = root
    for (const segment of segments.slice(0, -1)) {
      let next = folder.get(segment)
      if (!(next instanceof Map)) {
        next = new Map()
        folder.set(segment, next)
      }
      folder = next
    }
    folder.set(segments.at(-1)!, file)
  }
  return hashFolder(root)
}

type Folder = Map<string, Folder | RenderedFile>

// node:crypto is reached only here, when a project is rendered, rather than loaded with the module.
const gitObject = (type: string, body: Uint8Array) =>
  process.getBuiltinModule('node:crypto').createHash('sha1').update(`${type} ${body.length}\0`).update(body).digest()

function hashFolder(folder: Folder): string {
  // Git orders tree entries by name, a folder's name compared as if it ended in "/".
  const entries = [...folder.entries()].map(([name, entry]) => ({name, entry, key: entry instanceof Map ? `${name}/` : name}))
  entries.sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)))
  const parts: Uint8Array[] = []
  for (const {name, entry} of entries) {
    const [mode, id] =
      entry instanceof Map ? ['40000', Buffer.from(hashFolder(entry), 'hex')] : [entry.mode & 0o111 ? '100755' : '100644', gitObject('blob', entry.contents)]
    parts.push(Buffer.from(`${mode} ${name}\0`), id)
  }
  return Buffer.from(gitObject('tree', Buffer.concat(parts))).toString('hex')
}
