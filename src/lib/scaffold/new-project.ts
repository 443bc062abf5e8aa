import {resolve} from 'node:path'

import {authorCommands, checkTrust, runAuthorCommand} from '../authoring/author-commands.js'
import {UserError} from '../errors.js'
import {gitInit, keepBase, KEEP_BASE} from './git.js'
import {goModTidy} from '../go.js'
import {pluginNames} from './names.js'
import {originFile, vaultkitVersion} from './origin.js'
import {PLUGIN_TYPE} from '../project/plugin-types.js'
import {type Ask, type ResolveOptions, resolveAnswers} from './questions/resolve.js'
import {portablePathProblem} from './portable-paths.js'
import type {Answers, GivenAnswers} from './questions/types.js'
import {checkTarget, writeProject} from './write.js'
import type {StepResult} from '../steps.js'
import {findKind, type Kind} from '../templates/kinds.js'
import type {PostStepName} from '../templates/manifest.js'
import {renderKind, type TemplateContext} from '../templates/render.js'
import {discoverKinds} from '../templates/search-path.js'
import {goVersions} from '../versions.js'

export interface NewProjectOptions extends ResolveOptions {
  given: GivenAnswers
  /** --template DIR: a kind folder outside vaultkit. */
  template?: string
  /** Allow the kind's own commands to run. */
  trust: boolean
  dryRun: boolean
  tidy: boolean
  git: boolean
  /** Told once the files are on disk (or planned), before the post-steps run. */
  onWritten?: (result: NewProjectResult) => void
  /** Told when a post-step starts and ends, so a slow `go mod tidy` is not silence. */
  onStepStart?: (step: string) => void
  onStepDone?: (step: StepResult) => void
  ask?: Ask
}

export interface NewProjectResult {
  dryRun: boolean
  directory: string
  kind: string
  pluginType: string
  name: string
  binaryName: string
  module: string
  version: string
  files: {path: string; size: number}[]
  steps: StepResult[]
}

/**
 * Renders the project that `answers` describe, in memory: `pristine` is the kind's files, `files` those and
 * the origin file that records them (see origin.ts).
 */
export async function renderProject(answers: Answers, kinds: Kind[], {portable = true} = {}) {
  const kind = findKind(kinds, answers.type)
  const names = pluginNames(answers.name, kind.manifest.pluginType)
  // The kind's answers are top-level values ({{#if withCreds}}) and, all together, `answers`.
  const context: TemplateContext = {
    ...answers.extra,
    answers: answers.extra,
    ...names,
    kind: kind.manifest.name,
    pluginType: kind.manifest.pluginType,
    typeNoun: PLUGIN_TYPE[kind.manifest.pluginType].noun,
    module: answers.module,
    version: answers.version,
    description: answers.description,
    go: goVersions,
    // The generated CI installs the vaultkit that generated the project.
    vaultkit: {version: vaultkitVersion()},
  }
  const pristine = await renderKind(kind, context, answers.extra)
  const files = [...pristine, originFile(kind, answers, pristine, names.binaryName, names.name)].sort((a, b) => (a.path < b.path ? -1 : 1))
  // Checked here, so that no command writes a project that macOS or Windows cannot hold whole (a kind's
  // earlier version, rendered only to compare with, is what it was: `portable: false`).
  const problem = portable ? portablePathProblem(files.map((f) => f.path)) : undefined
  if (problem) throw new UserError(`The ${kind.manifest.name} kind renders ${problem}`, `rename one in ${kind.dir}`)
  return {kind, names, files, pristine}
}

/** answers -> rendered files -> disk -> post-steps. */
export async function newProject(options: NewProjectOptions): Promise<NewProjectResult> {
  const {kinds, selected} = discoverKinds({template: options.template})
  const given = {...options.given}
  if (selected) {
    if (given.type !== undefined && given.type !== selected.manifest.name) {
      throw new UserError(`--type ${given.type} and --template ${options.template} (the ${selected.manifest.name} kind) disagree`, 'pass one of them')
    }
    given.type = selected.manifest.name
  }
  const answers = await resolveAnswers(given, options, {kinds}, options.ask)
  const chosen = findKind(kinds, answers.type)
  const commands = authorCommands(chosen, answers.extra)
  checkTrust(chosen, commands, options.trust)
  const directory = resolve(answers.dir)
  checkTarget(directory)
  const {kind, names, files, pristine} = await renderProject(answers, kinds)
  const result: NewProjectResult = {
    dryRun: options.dryRun,
    directory,
    kind: kind.manifest.name,
    pluginType: kind.manifest.pluginType,
    ...names,
    module: answers.module,
    version: answers.version,
    files: files.map((f) => ({path: f.path, size: f.contents.length})),
    steps: [],
  }
  const wanted = kind.manifest.postSteps.filter((step) => (step === 'go-mod-tidy' ? options.tidy : options.git))
  if (options.dryRun) {
    result.steps = [
      ...wanted.map((step): StepResult => ({step: STEP_TITLES[step], status: 'skipped', detail: 'dry run'})),
      ...(options.git ? [{step: KEEP_BASE, status: 'skipped' as const, detail: 'dry run'}] : []),
      ...commands.map((command): StepResult => ({step: `run ${command}`, command, status: 'skipped', detail: 'dry run'})),
    ]
    options.onWritten?.(result)
    return result
  }

  await writeProject(directory, files)
  options.onWritten?.(result)
  for (const step of wanted) {
    options.onStepStart?.(STEP_TITLES[step])
    const done = step === 'go-mod-tidy' ? await goModTidy(directory, goVersions.goDirective) : await gitInit(directory)
    options.onStepDone?.(done)
    result.steps.push(done)
  }
  if (options.git) {
    options.onStepStart?.(KEEP_BASE)
    const done = await keepBase(directory, pristine, `${kind.manifest.name} ${kind.manifest.version ?? ''}`.trim())
    options.onStepDone?.(done)
    result.steps.push(done)
  }
  // The author's commands come last, on the finished project, and stop at the first failure.
  for (const command of commands) {
    if (result.steps.some((step) => step.status === 'failed')) break
    options.onStepStart?.(`run ${command}`)
    const done = await runAuthorCommand(directory, command)
    options.onStepDone?.(done)
    result.steps.push(done)
  }
  return result
}

const STEP_TITLES: Record<PostStepName, string> = {'go-mod-tidy': 'go mod tidy', 'git-init': 'git init'}
