import {lstatSync, readFileSync} from 'node:fs'
import {resolve} from 'node:path'

import {UserError} from '../../errors.js'
import {baseRef, git, moveRef, readTree, repositoryRoot, resolveRef, writeBase} from '../git-base.js'
import {renderProject} from '../new-project.js'
import {ORIGIN_FILE, type Origin, readOrigin, treeId, vaultkitVersion} from '../origin.js'
import {projectFileText, readProjectFile} from '../../project/description.js'
import {type Ask, type ResolveOptions, resolveAnswers} from '../questions/resolve.js'
import type {StepResult} from '../../steps.js'
import type {RenderedFile} from '../../templates/render.js'
import {applyChanges} from './apply.js'
import {locateKind} from './locate-kind.js'
import {type FileAction, planDiff, planFiles} from './plan.js'

export interface UpgradeOptions extends ResolveOptions {
  /** The project folder (holding .vaultkit.json). */
  project: string
  dryRun: boolean
  allowDirty: boolean
  /** Refuse unless the kind found is at this version. */
  kindVersion?: string
  /** --template DIR: where the kind is now. */
  template?: string
  /** Answers to questions (--answer KEY=VALUE), over the recorded ones. */
  answers?: Record<string, string>
  /** Run `go mod tidy` when go.mod changes (default: yes). */
  tidy?: boolean
  ask?: Ask
  /** Told the plan before anything is written. */
  onPlanned?: (result: UpgradeResult) => void
  onStepStart?: (step: string) => void
  onStepDone?: (step: StepResult) => void
}

export interface UpgradeResult {
  dryRun: boolean
  project: string
  kind: string
  from: {kindVersion?: string; vaultkit: string}
  to: {kindVersion?: string; vaultkit: string}
  /** The pristine render the project is now based on. */
  base: string
  /** Every file the upgrade changes or has something to say about (not those it leaves as they are). */
  files: {path: string; action: FileAction; detail?: string}[]
  conflicts: string[]
  steps: StepResult[]
  /** --dry-run: what would change, as `git diff`. */
  diff?: string
}

/**
 * The new origin, with the project's description as the author left it: what they changed in `plugin`
 * (mount options, build tags, smoke) stays, and fields they never had come from the kind.
 */
function keepDescription(project: string, rendered: RenderedFile): RenderedFile {
  const existing = readProjectFile(project)?.plugin
  if (typeof existing !== 'object' || existing === null || Array.isArray(existing)) return rendered
  const fresh = JSON.parse(rendered.contents.toString('utf8')) as Record<string, unknown>
  const merged = {...fresh, plugin: {...(fresh.plugin as Record<string, unknown>), ...existing}}
  return {...rendered, contents: Buffer.from(projectFileText(merged))}
}

/** origin -> base, ours, theirs -> a plan per file -> staged -> applied (or, with --dry-run, printed). */
export async function upgradeProject(options: UpgradeOptions): Promise<UpgradeResult> {
  const project = resolve(options.project)
  const origin = readOrigin(project)
  const root = await repositoryRoot(project)
  if (root === undefined) {
    throw new UserError(
      `${project} is not in a git repository, so its pristine render was not kept (made with --no-git?)`,
      'plugin upgrade needs it as the merge base, so only projects made with git (the default of plugin new) can be upgraded',
    )
  }
  if (!options.allowDirty && !options.dryRun) await refuseDirty(project)

  const {kind, kinds} = locateKind(origin, options)
  const given = givenFromOrigin(origin, kind.manifest.questions.map((q) => q.name))
  for (const key of Object.keys(options.answers ?? {})) delete given.from[key]
  given.extra = {...given.extra, ...options.answers}
  const answers = await resolveAnswers(given, options, {kinds}, options.ask)
  const {files, pristine} = await renderProject(answers, kinds)
  const newOrigin = keepDescription(project, files.find((file) => file.path === ORIGIN_FILE)!)
  const theirs = new Map(pristine.map((file) => [file.path, file]))

  const ref = baseRef(root, project)
  // A clone lacks the ref unless fetched; when the kind renders just what the project was made from, that
  // render is the base (the id proves it), and there is nothing to upgrade.
  const base = (await readTree(project, origin.base)) ?? (treeId(pristine) === origin.base ? theirs : undefined)
  if (base === undefined) {
    throw new UserError(
      `The pristine render ${origin.base.slice(0, 12)} this project was made from is not in its git repository`,
      `fetch it where the project was made (\`git fetch <remote> ${ref}:${ref}\`, after \`git push <remote> ${ref}\` there)`,
    )
  }
  const ours = (path: string) => readOurs(project, path)
  const label = `${kind.manifest.name} ${kind.manifest.version ?? ''}`.trim()
  const plan = await planFiles({base, theirs, ours, theirsLabel: label})
  const changes = plan.filter((file) => file.next !== undefined).map((file) => ({path: file.path, next: file.next!}))
  if (!readOurs(project, ORIGIN_FILE)?.contents.equals(newOrigin.contents)) changes.push({path: ORIGIN_FILE, next: {contents: newOrigin.contents, mode: 0o644}})
  const conflicts = plan.filter((file) => file.action === 'conflict').map((file) => file.path)

  const result: UpgradeResult = {
    dryRun: options.dryRun,
    project,
    kind: kind.manifest.name,
    from: {kindVersion: origin.kind.version, vaultkit: origin.vaultkit},
    to: {kindVersion: kind.manifest.version, vaultkit: vaultkitVersion()},
    base: treeId(pristine),
    files: plan.filter((file) => file.action !== 'same').map(({path, action, detail}) => ({path, action, ...(detail ? {detail} : {})})),
    conflicts,
    steps: [],
  }
  const goModChanges = changes.some((change) => change.path === 'go.mod')
  const tidy = (options.tidy ?? true) && goModChanges && conflicts.length === 0
  if (options.dryRun) {
    result.diff = await planDiff(plan, ours)
    if (goModChanges) result.steps.push({step: 'go mod tidy', status: 'skipped', detail: 'dry run'})
    options.onPlanned?.(result)
    return result
  }
  options.onPlanned?.(result)
  if (changes.length === 0) return result

  // The new base is written first (objects only); the ref moves with the files, or not at all.
  const stored = await writeBase(project, ref, pristine, `vaultkit: pristine render of the ${label} kind`)
  if (stored.tree !== result.base) throw new Error(`git stored the pristine render as ${stored.tree}, not ${result.base}`)
  const current = await resolveRef(project, ref)
  const applied = await applyChanges(project, changes, {
    tidy,
    commit: () => moveRef(project, ref, stored.commit, current),
    rollback: () => moveRef(project, ref, current, stored.commit),
    onStepStart: options.onStepStart,
    onStepDone: options.onStepDone,
  })
  result.steps.push(...applied.steps)
  if (goModChanges && conflicts.length > 0) {
    result.steps.push({step: 'go mod tidy', status: 'skipped', detail: 'resolve the conflicts first', fix: 'then run `go mod tidy`'})
  }
  for (const change of applied.changes) {
    if (!result.files.some((file) => file.path === change.path) && change.path !== ORIGIN_FILE) {
      result.files.push({path: change.path, action: change.next ? 'update' : 'remove', detail: 'by go mod tidy'})
    }
  }
  return result
}

/** The origin's answers as given ones: the kind's questions it no longer asks are dropped, new ones asked. */
function givenFromOrigin(origin: Origin, questions: string[]) {
  const {name, module, version, description, ...extra} = origin.answers as Record<string, string>
  const kept = Object.fromEntries(Object.entries(origin.answers).filter(([key]) => key in extra && questions.includes(key)))
  const from = Object.fromEntries(Object.keys(origin.answers).map((key) => [key, ORIGIN_FILE]))
  return {type: origin.kind.name, name, module, version, description, dir: '.', extra: kept, from}
}

/** The project's file at `path`, or undefined (a folder or link there counts as a file of its own). */
function readOurs(project: string, path: string): RenderedFile | undefined {
  const absolute = resolve(project, path)
  let info
  try {
    info = lstatSync(absolute)
  } catch {
    return undefined
  }
  if (!info.isFile()) throw new UserError(`${path} in the project is not a regular file`, 'the kind renders a file there: move it away, then upgrade again')
  return {path, contents: readFileSync(absolute), mode: info.mode & 0o777}
}

/** Uncommitted changes (untracked files too) would mix with the upgrade's: refuse before touching anything. */
async function refuseDirty(project: string) {
  const status = await git(project, ['status', '--porcelain', '-z', '--untracked-files=all', '--', '.'])
  const dirty = status.stdout.split('\0').filter(Boolean)
  if (dirty.length === 0) return
  const first = dirty[0]!.slice(3)
  throw new UserError(
    `The project has uncommitted changes (${dirty.length} file${dirty.length === 1 ? '' : 's'}, such as ${first})`,
    'commit or stash them first, so the upgrade can be reviewed and undone on its own; or pass --allow-dirty',
  )
}
