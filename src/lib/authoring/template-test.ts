import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {authorCommands, checkTrust, runAuthorCommand} from './author-commands.js'
import {UserError, oneLine} from '../errors.js'
import {run} from '../exec.js'
import {goModTidy} from '../go.js'
import {renderProject} from '../scaffold/new-project.js'
import {readAnswersFile} from '../scaffold/questions/given.js'
import {resolveAnswers} from '../scaffold/questions/resolve.js'
import type {GivenAnswers} from '../scaffold/questions/types.js'
import type {DatabaseConnection} from '../registration/register-database.js'
import {writeProject} from '../scaffold/write.js'
import {errorLine, type StepResult} from '../steps.js'
import type {Kind} from '../templates/kinds.js'
import {checkConditionalFiles} from '../templates/render.js'
import {discoverKinds} from '../templates/search-path.js'
import {secondsSince} from '../timing.js'
import {goVersions} from '../versions.js'

// What template test decides itself, so an answers file may not.
const TEMPLATE_TEST_SETS = {
  type: 'the kind is the folder under test',
  dir: 'the project goes to a temporary folder',
}

export interface TemplateTestOptions {
  /** The kind folder under test. */
  dir: string
  /** A JSON object of answers: name, module, version, description, and the kind's own questions. */
  answersFile?: string
  e2e: boolean
  trust: boolean
  /** A folder holding the kind's previous version (default: from the git history of the kind's folder). */
  fromVersion?: string
  /** Keep the rendered project even when every step passed. */
  keep: boolean
  vaultBin?: string
  database?: DatabaseConnection
  onStepStart?: (step: string) => void
  onStepDone?: (step: TemplateTestStep) => void
}

export interface TemplateTestStep extends StepResult {
  /** A failed tool's output, for the person fixing the template. */
  output?: string
}

export interface TemplateTestResult {
  ok: boolean
  kind: string
  dir: string
  /** Where the rendered project is (kept after a failure, or with --keep). */
  project: string
  kept: boolean
  steps: TemplateTestStep[]
}

interface Step {
  title: string
  run: () => Promise<Omit<TemplateTestStep, 'step' | 'seconds'>>
}

/** validate -> render -> tidy -> gofmt, vet, test, build (-> dev server, build, register, smoke); stops at the first failure. */
export async function testTemplate(options: TemplateTestOptions): Promise<TemplateTestResult> {
  // A broken manifest or answer is an error of its own, precise and before anything is written.
  const started = performance.now()
  const {kinds, selected} = discoverKinds({template: options.dir, searchPath: false})
  const kind = selected!
  checkConditionalFiles(kind)
  const given = options.answersFile ? readAnswersFile(options.answersFile, TEMPLATE_TEST_SETS) : {}
  const answers = await resolveAnswers({name: 'hello', ...given, type: kind.manifest.name, dir: '.'}, {yes: true, interactive: false}, {kinds})
  const commands = authorCommands(kind, answers.extra)
  checkTrust(kind, commands, options.trust)
  const validated: TemplateTestStep = {step: 'manifest and answers', status: 'ok', seconds: secondsSince(started)}
  options.onStepDone?.(validated)

  const {names, files} = await renderProject(answers, kinds)
  const work = await mkdtemp(join(tmpdir(), 'vaultkit-template-test-'))
  const project = join(work, names.binaryName)
  const go = (title: string, args: string[]): Step => ({title, run: () => runGo(project, args)})
  const steps: Step[] = [
    {
      title: 'render',
      run: async () => {
        await writeProject(project, files)
        return {status: 'ok', detail: `${files.length} files`}
      },
    },
    {title: 'go mod tidy', run: async () => goModTidy(project, goVersions.goDirective)},
    ...commands.map((command): Step => ({title: `run ${command}`, run: () => runAuthorCommand(project, command)})),
    {title: 'gofmt -l', run: () => gofmtClean(project)},
    go('go vet ./...', ['vet', './...']),
    go('go test ./...', ['test', '-count=1', './...']),
    go('go build ./cmd/...', ['build', '-o', `${join(work, 'bin')}/`, './cmd/...']),
    await upgradeStep(kind, given, work, options.fromVersion),
  ]
  const e2e = options.e2e ? await import('./template-e2e.js') : undefined
  const plan = [...steps.map((step) => step.title), ...(e2e?.E2E_STAGES ?? [])]

  const done: TemplateTestStep[] = [validated]
  const record = (step: TemplateTestStep) => {
    options.onStepDone?.(step)
    done.push(step)
  }
  /** One step, timed and reported; a UserError fails it and stops the run. */
  const runStep = async <T>(title: string, run: () => Promise<T>, report: (value: T) => Omit<TemplateTestStep, 'step' | 'seconds'>): Promise<T> => {
    options.onStepStart?.(title)
    const started = performance.now()
    try {
      const value = await run()
      record({step: title, ...report(value), seconds: secondsSince(started)})
      if (done.at(-1)!.status === 'failed') throw new StopRun()
      return value
    } catch (error) {
      if (!(error instanceof UserError)) throw error
      record({step: title, status: 'failed', detail: oneLine(error), seconds: secondsSince(started)})
      throw new StopRun()
    }
  }
  try {
    for (const step of steps) await runStep(step.title, step.run, (result) => result)
    if (e2e) await e2e.runE2e(project, options, (title, run, describe) => runStep(title, run, (value) => ({status: 'ok', detail: describe(value)})))
  } catch (error) {
    if (!(error instanceof StopRun)) throw error
    for (const title of plan.filter((t) => !done.some((d) => d.step === t))) record({step: title, status: 'skipped', detail: 'after an earlier failure'})
  }
  const ok = done.every((d) => d.status !== 'failed')
  const kept = !ok || options.keep
  if (!kept) await rm(work, {recursive: true, force: true})
  return {ok, kind: kind.manifest.name, dir: kind.dir, project, kept, steps: done}
}

/** Thrown past the remaining steps once one has failed; never leaves this module. */
class StopRun extends Error {}

/** A project of the kind's previous version, upgraded to this one: a conflict in it fails the kind. */
async function upgradeStep(kind: Kind, given: GivenAnswers, work: string, fromVersion?: string): Promise<Step> {
  const {previousKind, upgradeFromPrevious} = await import('./template-upgrade.js')
  const title = 'upgrade from the previous version'
  const previous = await previousKind(kind, work, fromVersion).catch((error: unknown) => {
    if (error instanceof UserError) return {error}
    throw error
  })
  if ('error' in previous) return {title, run: () => Promise.reject(previous.error)}
  if ('missing' in previous) return {title, run: async () => ({status: 'skipped', detail: previous.missing})}
  return {
    title: `upgrade from ${previous.kind.manifest.version ?? 'the previous version'} (${previous.where})`,
    run: () => upgradeFromPrevious(previous.kind, kind, given, work),
  }
}

async function runGo(project: string, args: string[]): Promise<Omit<TemplateTestStep, 'step' | 'seconds'>> {
  const result = await run('go', args, {cwd: project, env: {CGO_ENABLED: '0'}})
  if (result.exitCode === 0) return {status: 'ok'}
  return {status: 'failed', detail: errorLine(result.all) || `exit ${result.exitCode}`, output: tail(result.all ?? '')}
}

async function gofmtClean(project: string): Promise<Omit<TemplateTestStep, 'step' | 'seconds'>> {
  const result = await run('gofmt', ['-l', '.'], {cwd: project})
  if (result.exitCode !== 0) return {status: 'failed', detail: errorLine(result.all) || `exit ${result.exitCode}`}
  const unformatted = result.stdout.split('\n').filter(Boolean)
  if (unformatted.length > 0) return {status: 'failed', detail: `not gofmt-formatted: ${unformatted.join(', ')}`}
  return {status: 'ok'}
}

const tail = (text: string, lines = 40) => text.trim().split('\n').slice(-lines).join('\n')
