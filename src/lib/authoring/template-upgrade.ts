import {mkdirSync, writeFileSync} from 'node:fs'
import {dirname, join, relative, sep} from 'node:path'

import {UserError} from '../errors.js'
import {baseRef, git, moveRef, readTree, repositoryRoot, writeBase} from '../scaffold/git-base.js'
import {goModTidy} from '../go.js'
import {renderProject} from '../scaffold/new-project.js'
import {resolveAnswers} from '../scaffold/questions/resolve.js'
import type {GivenAnswers} from '../scaffold/questions/types.js'
import {writeProject} from '../scaffold/write.js'
import type {StepResult} from '../steps.js'
import {checkExtends, type Kind, listKinds, readExternalKind} from '../templates/kinds.js'
import {upgradeProject} from '../scaffold/upgrade/upgrade.js'
import {goVersions} from '../versions.js'

// `template test` also plays a user of the kind's previous version: it makes a project from that version
// (tidied and committed, as plugin new does), upgrades it to the kind under test, and fails on a conflict.
// Nobody edited that project, so a conflict there is one every user of the old version will meet.

export type PreviousKind = {kind: Kind; where: string} | {missing: string}

const IDENTITY = {GIT_AUTHOR_NAME: 'vaultkit', GIT_AUTHOR_EMAIL: 'vaultkit@localhost', GIT_COMMITTER_NAME: 'vaultkit', GIT_COMMITTER_EMAIL: 'vaultkit@localhost'}

/**
 * The kind's previous version: --from-version DIR, else from the git history of the kind's folder (the
 * newest commit whose template.json has another version), extracted into `scratch`.
 */
export async function previousKind(kind: Kind, scratch: string, fromVersion?: string): Promise<PreviousKind> {
  if (fromVersion !== undefined) {
    const old = readExternalKind(fromVersion, 'flag', '--from-version')
    checkExtends(old, listKinds())
    return {kind: old, where: fromVersion}
  }
  const root = await repositoryRoot(kind.dir)
  if (root === undefined) return {missing: 'the kind folder has no git history: pass --from-version DIR, a copy of the previous version'}
  const inside = relative(root, kind.dir).split(sep).join('/')
  const manifestPath = inside === '' ? 'template.json' : `${inside}/template.json`
  const log = await git(root, ['log', '--format=%H', '--', manifestPath])
  for (const commit of log.stdout.split('\n').filter(Boolean)) {
    const shown = await git(root, ['show', `${commit}:${manifestPath}`])
    let version: unknown
    try {
      version = (JSON.parse(shown.stdout) as {version?: unknown}).version
    } catch {
      continue
    }
    if (version === kind.manifest.version) continue
    const files = await readTree(root, `${commit}:${inside}`)
    if (files === undefined) continue
    const dir = join(scratch, `previous-kind-${commit.slice(0, 12)}`)
    for (const file of files.values()) {
      mkdirSync(dirname(join(dir, file.path)), {recursive: true})
      writeFileSync(join(dir, file.path), file.contents, {mode: file.mode})
    }
    const old = readExternalKind(dir, 'flag', `git history (${commit.slice(0, 12)})`)
    checkExtends(old, listKinds())
    return {kind: old, where: `commit ${commit.slice(0, 12)}`}
  }
  return {missing: `no earlier version in the git history of ${manifestPath}: pass --from-version DIR to test an upgrade`}
}

/** Makes a project of `previous` in `work`, as plugin new does, and upgrades it to `current`. */
export async function upgradeFromPrevious(previous: Kind, current: Kind, given: GivenAnswers, work: string): Promise<Omit<StepResult, 'step' | 'seconds'>> {
  if (previous.manifest.name !== current.manifest.name) {
    return {status: 'failed', detail: `the previous version is named ${previous.manifest.name}, this one ${current.manifest.name}: projects made from it cannot be upgraded`}
  }
  const answers = await resolveAnswers({name: 'hello', ...given, type: previous.manifest.name, dir: '.'}, {yes: true, interactive: false}, {kinds: [previous]})
  const {names, files, pristine} = await renderProject(answers, [previous], {portable: false})
  const project = join(work, 'previous', names.binaryName)
  await writeProject(project, files)
  const tidied = await goModTidy(project, goVersions.goDirective)
  if (tidied.status === 'failed') return {status: 'failed', detail: `go mod tidy of the previous version's project: ${tidied.detail}`}
  const commit = async (args: string[]) => {
    const result = await git(project, args, {env: IDENTITY})
    if (result.exitCode !== 0) throw new UserError(`git ${args[0]} in the previous version's project failed`, result.all.trim())
  }
  await commit(['init', '--quiet'])
  await commit(['add', '--all'])
  await commit(['commit', '--quiet', '--message', 'Made from the previous version'])
  const ref = baseRef(project, project)
  const base = await writeBase(project, ref, pristine, 'vaultkit: pristine render')
  await moveRef(project, ref, base.commit, undefined)

  const result = await upgradeProject({project, template: current.dir, dryRun: false, allowDirty: false, yes: true, interactive: false})
  const from = `${previous.manifest.version ?? '(unversioned)'} to ${current.manifest.version ?? '(unversioned)'}`
  if (result.conflicts.length > 0) {
    return {status: 'failed', detail: `upgrading an unedited project from ${from} conflicts in ${result.conflicts.join(', ')}; it is kept in ${project}`}
  }
  const failed = result.steps.find((step) => step.status === 'failed')
  if (failed) return {status: 'failed', detail: `after the upgrade from ${from}, ${failed.step} failed: ${failed.detail}`}
  const changed = result.files.filter((file) => file.action !== 'keep').length
  return {status: 'ok', detail: `${from}: ${changed} file${changed === 1 ? '' : 's'} changed, no conflict`}
}
