import {existsSync} from 'node:fs'
import {copyFile, mkdtemp, readdir, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {UserError, errnoCode} from '../errors.js'
import {loadExeca, run} from '../exec.js'
import {PACKAGE_ROOT} from '../paths.js'
import {readProject} from './project.js'

export interface ReleaseOptions {
  project: string
  /** Default: dist/ in the project. */
  out?: string
  /** OS/ARCH; default: the release program's five. */
  platforms?: string[]
  allowDirty?: boolean
}

export interface ReleasePlatform {
  platform: string
  zip: string
  zipSha256: string
  /** File name inside the zip. */
  binary: string
  /** sha256 of the binary: what `vault plugin register -sha256` takes. */
  sha256: string
  seconds: number
}

export interface ReleaseResult {
  binary: string
  version: string
  out: string
  sums: string
  dirty: boolean
  platforms: ReleasePlatform[]
  seconds: number
  /** Whose release program ran: the project's tools/release, or vaultkit's copy for projects without one. */
  program: 'project' | 'vaultkit'
}

export type ReleaseEvent =
  | {event: 'plan'; platforms: string[]; parallel: number}
  | {event: 'build' | 'built'; platform: string; seconds: number}
  | {event: 'warning'; message: string}
  | {event: 'error'; message: string; hint?: string; output?: string}
  | {event: 'done'; result: Omit<ReleaseResult, 'program'>}

export const RELEASE_PROGRAM = 'tools/release/main.go'

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
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = signal
    child?.kill(signal)
  }
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal)
  try {
    const program: ReleaseResult['program'] = existsSync(join(project.dir, RELEASE_PROGRAM)) ? 'project' : 'vaultkit'
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
    const built =
      program === 'project'
        ? await run('go', ['build', '-o', binary, './tools/release'], {cwd: project.dir})
        : await run('go', ['build', '-o', binary, ...sources], {cwd: work})
    if (errnoCode(built) === 'ENOENT') throw new UserError('go was not found on PATH', 'install Go, then release again')
    if (interrupted) throw cancelled(interrupted)
    if (built.exitCode !== 0) {
      onEvent({event: 'error', message: `${RELEASE_PROGRAM} does not build`, output: `${built.all}\n`})
      throw new UserError(`${RELEASE_PROGRAM} does not build`, 'fix it, or restore it from a project made by `vaultkit plugin new`')
    }

    const args = ['-json', '-project', project.dir, '-out', resolve(options.out ?? join(project.dir, 'dist'))]
    for (const platform of options.platforms ?? []) args.push('-platform', platform)
    if (options.allowDirty) args.push('-allow-dirty')
    // Streamed, and killed on a signal: more than exec.ts's run() does.
    child = execa(binary, args, {cwd: project.dir, reject: false, stdin: 'ignore', stderr: 'inherit', lines: true, buffer: false})
    let result: ReleaseResult | undefined
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
      if (event.event === 'done') result = {...event.result, program}
      else if (event.event === 'error') failure = new UserError(event.message, event.hint || undefined)
      onEvent(event)
    }
    const {exitCode} = await child
    if (interrupted || exitCode === 130) throw cancelled(interrupted ?? 'SIGINT')
    if (failure) throw failure
    if (exitCode !== 0 || !result) throw new UserError(`the release program exited with ${exitCode}`, 'see the output above')
    return result
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal)
    await rm(work, {recursive: true, force: true})
  }
}

const cancelled = (signal: NodeJS.Signals) => new UserError(`Interrupted (${signal})`, 'nothing was written', signal === 'SIGINT' ? 130 : 143)
