import {existsSync} from 'node:fs'
import {copyFile, mkdtemp, readdir, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {UserError, errnoCode, interruptedError} from '../errors.js'
import {loadExeca, run} from '../exec.js'
import {PACKAGE_ROOT} from '../paths.js'
import {type AuditResult, auditProject, blockedError, blockingFindings, hostPlatform, keptAudit} from '../audit/govulncheck.js'
import type {VulnFinding} from '../audit/govulncheck-report.js'
import type {Progress} from '../cli/progress.js'
import {readProject} from './project.js'

export interface ReleaseOptions {
  project: string
  /** Default: dist/ in the project. */
  out?: string
  /** OS/ARCH; default: the release program's five. */
  platforms?: string[]
  allowDirty?: boolean
  /** A gpg key (id, fingerprint or email) to sign SHA256SUMS with. */
  sign?: string
  /** The vulnerability gate: govulncheck on the plugin's binaries (and its sources where they link vulnerable code) before anything is written. */
  audit: {skip: true} | {skip?: false; db?: string; allow?: string[]; progress?: Progress}
}

/**
 * What the gate found on the `platforms` it scanned: `allowed` were let through (and are recorded in the
 * SBOMs); `listed` are not called. `fromBinaries` were settled by their built binary alone.
 */
export type ReleaseAudit =
  | {skipped: true}
  | {skipped: false; platforms: string[]; allowed: VulnFinding[]; listed: VulnFinding[]; fromBinaries: string[]; cached: boolean; seconds: number}

export interface ReleasePlatform {
  platform: string
  zip: string
  zipSha256: string
  /** File name inside the zip. */
  binary: string
  /** sha256 of the binary: what `vault plugin register -sha256` takes. */
  sha256: string
  /** The binary's CycloneDX SBOM; absent when the project's release program predates SBOMs. */
  sbom?: string
  seconds: number
}

export interface ReleaseResult {
  binary: string
  version: string
  out: string
  sums: string
  /** The detached signature of the sums, when signed. */
  signature?: string
  dirty: boolean
  platforms: ReleasePlatform[]
  seconds: number
  audit: ReleaseAudit
  /** Whose release program ran: the project's tools/release, or vaultkit's copy for projects without one. */
  program: 'project' | 'vaultkit'
}

export type ReleaseEvent =
  | {event: 'plan'; platforms: string[]; parallel: number}
  | {event: 'build' | 'built'; platform: string; seconds: number}
  | {event: 'warning'; message: string}
  | {event: 'error'; message: string; hint?: string; output?: string}
  | {event: 'done'; result: ProgramResult}

/**
 * What the release program answers: -check adds `staged` when it takes -stage and -from, and a -stage run
 * names where each binary is (`path`).
 */
type ProgramResult = Omit<ReleaseResult, 'program' | 'audit' | 'platforms'> & {platforms: (ReleasePlatform & {path?: string})[]; staged?: boolean}

export const RELEASE_PROGRAM = 'tools/release/main.go'
/** A project's release program writes SBOMs and signs once it has these (plugin upgrade brings them). */
const SBOM_PROGRAM = 'tools/release/sbom.go'

/**
 * Runs the project's own release program (tools/release, Go and its standard library only), the one its
 * Makefile and release workflow run, so vaultkit and `make release` give the same bytes by construction.
 * A project generated before it existed gets vaultkit's copy. The program is built first and run directly,
 * so a Ctrl-C reaches it (go run would not pass a signal on) and it can remove what it had begun.
 */
export async function releasePlugin(options: ReleaseOptions, onEvent: (event: ReleaseEvent) => void): Promise<ReleaseResult> {
  const execa = await loadExeca()
  const project = await readProject(options.project)
  const work = await mkdtemp(join(tmpdir(), 'vaultkit-release-'))
  let interrupted: NodeJS.Signals | undefined
  let child: ReturnType<typeof execa> | undefined
  // Ends the scan's download of the database, which no child process holds.
  const abort = new AbortController()
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = signal
    child?.kill(signal)
    abort.abort()
  }
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal)
  try {
    const program: ReleaseResult['program'] = existsSync(join(project.dir, RELEASE_PROGRAM)) ? 'project' : 'vaultkit'
    const sbomAware = program === 'vaultkit' || existsSync(join(project.dir, SBOM_PROGRAM))
    if (!sbomAware) {
      const upgrade = 'run `vaultkit plugin upgrade` to bring it the SBOMs and signing'
      if (options.sign) throw new UserError(`${RELEASE_PROGRAM} of this project cannot sign`, upgrade)
      onEvent({event: 'warning', message: `${RELEASE_PROGRAM} of this project writes no SBOM: ${upgrade}`})
    }
    const binary = join(work, 'release')
    const sources: string[] = []
    if (program === 'vaultkit') {
      const template = join(PACKAGE_ROOT, 'templates/common/files/tools/release')
      // Plain files, copied as they are into every project: no template values in them.
      for (const file of (await readdir(template)).filter((f) => f.endsWith('.go'))) {
        sources.push(file)
        await copyFile(join(template, file), join(work, file))
      }
    }
    // Built as the plugin is (cgo off, -trimpath), so that it reuses the standard library that build compiles.
    const goBuild = (cwd: string, what: string[]) => run('go', ['build', '-trimpath', '-o', binary, ...what], {cwd, env: {CGO_ENABLED: '0'}})
    const built = program === 'project' ? await goBuild(project.dir, ['./tools/release']) : await goBuild(work, sources)
    if (errnoCode(built) === 'ENOENT') throw new UserError('go was not found on PATH', 'install Go, then release again')
    if (interrupted) throw interruptedError(interrupted)
    if (built.exitCode !== 0) {
      onEvent({event: 'error', message: `${RELEASE_PROGRAM} does not build`, output: `${built.all}\n`})
      throw new UserError(`${RELEASE_PROGRAM} does not build`, 'fix it, or restore it from a project made by `vaultkit plugin new`')
    }

    const args = ['-json', '-project', project.dir, '-out', resolve(options.out ?? join(project.dir, 'dist'))]
    for (const platform of options.platforms ?? []) args.push('-platform', platform)
    if (options.allowDirty) args.push('-allow-dirty')
    if (options.sign) args.push('-sign', options.sign)

    /** One run of the program, its events streamed; the result of its `done` event, or its failure thrown. */
    const runProgram = async (extra: string[], forward: (event: ReleaseEvent) => void) => {
      // Streamed, and killed on a signal: more than exec.ts's run() does.
      child = execa(binary, [...args, ...extra], {cwd: project.dir, reject: false, stdin: 'ignore', stderr: 'inherit', lines: true, buffer: false})
      let done: ProgramResult | undefined
      let failure: UserError | undefined
      for await (const line of child) {
        // The program is the project's own: a line it prints that is not an event goes to the terminal as it is.
        let event: ReleaseEvent
        try {
          event = JSON.parse(String(line)) as ReleaseEvent
        } catch {
          process.stderr.write(`${String(line)}\n`)
          continue
        }
        if (event.event === 'done') done = event.result
        else if (event.event === 'error') failure = new UserError(event.message, event.hint || undefined)
        forward(event)
      }
      const {exitCode} = await child
      if (interrupted || exitCode === 130) throw interruptedError(interrupted ?? 'SIGINT')
      if (failure) throw failure
      if (exitCode !== 0 || !done) throw new UserError(`the release program exited with ${exitCode}`, 'see the output above')
      return done
    }

    // The program's own checks first (a dirty tree, an unknown key: a second), which name the platforms it
    // builds and say whether it can stop between building and writing. A release program from before -check
    // goes straight to the scan; one from before it named the platforms has the ones given scanned, or this
    // machine's.
    if (options.audit.skip) return {...released(await runProgram([], onEvent)), program, audit: {skipped: true}}
    const checked = sbomAware ? await runProgram(['-check'], (event) => event.event === 'error' && onEvent(event)) : undefined
    if (interrupted) throw interruptedError(interrupted)
    const planned = checked?.platforms?.map((p) => p.platform) ?? []
    if (!planned.length && !options.platforms?.length) {
      onEvent({event: 'warning', message: `${RELEASE_PROGRAM} of this project does not name its platforms: the scan is of ${hostPlatform()} alone; run \`vaultkit plugin upgrade\``})
    }
    const platforms = planned.length ? planned : options.platforms
    // Sources scanned before (by `plugin audit`, or an earlier release) decide at once, before anything is
    // built. Else a program that stages builds first, and its binaries are scanned: a platform whose binary
    // links no vulnerable function needs no source scan. An older one has the sources scanned before it builds.
    // A Ctrl-C ends the scans too: said as the interruption it is.
    const asInterrupted = (error: unknown): never => {
      throw interrupted ? interruptedError(interrupted) : error
    }
    const kept = await keptAudit(project, {db: options.audit.db, platforms}).catch(asInterrupted)
    if (interrupted) throw interruptedError(interrupted)
    const stage = !kept && checked?.staged ? join(work, 'stage') : undefined
    const staged = stage ? await runProgram(['-stage', stage], onEvent) : undefined
    const binaries = staged && Object.fromEntries(staged.platforms.flatMap((p) => (p.path ? [[p.platform, p.path]] : [])))
    const allow = options.audit.allow ?? []
    const audit = kept
      ? decide(kept, allow)
      : await auditProject(project, {db: options.audit.db, platforms, binaries, allow, progress: options.audit.progress, signal: abort.signal}).then((result) => decide(result, allow), asInterrupted)
    if (interrupted) throw interruptedError(interrupted)
    const allowed = sbomAware ? audit.allowed.flatMap((f) => ['-allowed-vuln', `${f.id}=${f.module}`]) : []
    if (!stage || !staged) return {...released(await runProgram(allowed, onEvent)), program, audit}
    // The staged binaries, zipped and written: only what went wrong is said (the builds were shown).
    const written = await runProgram([...allowed, '-from', stage], (event) => event.event === 'error' && onEvent(event))
    const builtIn = new Map(staged.platforms.map((p) => [p.platform, p.seconds]))
    const result = released(written)
    const platformsWritten = result.platforms.map((p) => ({...p, seconds: round((builtIn.get(p.platform) ?? 0) + p.seconds)}))
    return {...result, platforms: platformsWritten, seconds: round(staged.seconds + written.seconds), program, audit}
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal)
    await rm(work, {recursive: true, force: true})
  }
}

/** The program's answer as vaultkit's result: without -stage's paths and -check's flag. */
function released(result: ProgramResult): Omit<ReleaseResult, 'program' | 'audit'> {
  const {staged: _staged, ...rest} = result
  return {...rest, platforms: result.platforms.map(({path: _path, ...platform}) => platform)}
}

const round = (seconds: number) => Math.round(seconds * 100) / 100

/**
 * The gate: stops a release whose plugin calls vulnerable code on any platform it builds, before anything is
 * written; lets through what is allowed.
 */
function decide(result: AuditResult, allow: string[]): Extract<ReleaseAudit, {skipped: false}> {
  const blocked = blockingFindings(result, allow)
  if (blocked.length) throw blockedError(blocked, result.projectGo, result.platforms)
  return {skipped: false, platforms: result.platforms, allowed: result.called.filter((f) => allow.includes(f.id)), listed: result.uncalled, fromBinaries: result.fromBinaries, cached: result.cached, seconds: result.seconds}
}
