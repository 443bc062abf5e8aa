import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {authorCommands, checkTrust, runAuthorCommand} from './author-commands.js'
import {UserError, oneLine} from './errors.js'
import {goModTidy} from './go.js'
import {renderProject} from './new-project.js'
import {readAnswersFile, resolveAnswers} from './questions.js'
import type {DatabaseConnection} from './register-database.js'
import {writeProject} from './scaffold.js'
import {errorLine, type StepResult, timed} from './steps.js'
import {checkConditionalFiles} from './templates/render.js'
import {discoverKinds} from './templates/search-path.js'
import {goVersions} from './versions.js'

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
  const validated: TemplateTestStep = {step: 'manifest and answers', status: 'ok', seconds: Math.round((performance.now() - started) / 100) / 10}
  options.onStepDone?.(validated)

  const work = await mkdtemp(join(tmpdir(), 'vaultkit-template-test-'))
  const {names, files} = await renderProject(answers, kinds)
  const project = join(work, names.binaryName)
  const go = (title: string, args: string[]): Step => ({title, run: () => runGo(project, args)})
  const steps: Step[] = [
    {title: 'render', run: async () => (await writeProject(project, files), {status: 'ok', detail: `${files.length} files`})},
    {title: 'go mod tidy', run: async () => goModTidy(project, goVersions.goDirective)},
    ...commands.map((command): Step => ({title: `run ${command}`, run: () => runAuthorCommand(project, command)})),
    {title: 'gofmt -l', run: () => gofmtClean(project)},
    go('go vet ./...', ['vet', './...']),
    go('go test ./...', ['test', '-count=1', './...']),
    go('go build ./cmd/...', ['build', '-o', join(work, 'bin') + '/', './cmd/...']),
  ]
  let stopServer = async () => {}
  if (options.e2e) {
    const {e2eSteps} = await import('./template-e2e.js')
    const e2e = e2eSteps(project, options)
    steps.push(...e2e.steps)
    stopServer = e2e.stop
  }

  const done: TemplateTestStep[] = [validated]
  try {
    for (const step of steps) {
      if (done.some((d) => d.status === 'failed')) {
        const skipped: TemplateTestStep = {step: step.title, status: 'skipped', detail: 'after an earlier failure'}
        options.onStepDone?.(skipped)
        done.push(skipped)
        continue
      }
      options.onStepStart?.(step.title)
      const result = await timed(step.title, () => step.run().catch(asFailure))
      options.onStepDone?.(result)
      done.push(result)
    }
  } finally {
    await stopServer()
  }
  const ok = done.every((d) => d.status !== 'failed')
  const kept = !ok || options.keep
  if (!kept) await rm(work, {recursive: true, force: true})
  return {ok, kind: kind.manifest.name, dir: kind.dir, project, kept, steps: done}
}

/** A UserError inside a step fails that step; anything else is a bug and propagates. */
function asFailure(error: unknown): Omit<TemplateTestStep, 'step' | 'seconds'> {
  if (error instanceof UserError) return {status: 'failed', detail: oneLine(error)}
  throw error
}

async function runGo(project: string, args: string[]): Promise<Omit<TemplateTestStep, 'step' | 'seconds'>> {
  const {execa} = await import('execa')
  const result = await execa('go', args, {cwd: project, reject: false, all: true, env: {CGO_ENABLED: '0'}})
  if (result.exitCode === 0) return {status: 'ok'}
  return {status: 'failed', detail: errorLine(result.all) || `exit ${result.exitCode}`, output: tail(result.all ?? '')}
}

async function gofmtClean(project: string): Promise<Omit<TemplateTestStep, 'step' | 'seconds'>> {
  const {execa} = await import('execa')
  const result = await execa('gofmt', ['-l', '.'], {cwd: project, reject: false, all: true})
  if (result.exitCode !== 0) return {status: 'failed', detail: errorLine(result.all) || `exit ${result.exitCode}`}
  const unformatted = result.stdout.split('\n').filter(Boolean)
  if (unformatted.length > 0) return {status: 'failed', detail: `not gofmt-formatted: ${unformatted.join(', ')}`}
  return {status: 'ok'}
}

const tail = (text: string, lines = 40) => text.trim().split('\n').slice(-lines).join('\n')
