import {dirname} from 'node:path'

import {UserError, errnoCode} from '../errors.js'
import {run} from '../exec.js'
import {shellQuote} from '../cli/output.js'
import {errorLine, type StepResult, timed} from '../steps.js'
import type {RenderedFile} from '../templates/render.js'

/**
 * The message of the first commit `plugin new` makes, the same from vaultkit's first version on: plugin init
 * finds an earlier vaultkit's render by it (earlier-origin.ts).
 */
export const FIRST_COMMIT_MESSAGE = 'Initial commit from vaultkit'

/** `git init` with a first commit; optional, so every problem is a warning or a skip. */
export function gitInit(directory: string): Promise<StepResult> {
  return timed('git init', async () => {
    const git = (args: string[], cwd = directory) => run('git', args, {cwd})
    const inside = await git(['rev-parse', '--show-toplevel'], dirname(directory))
    if (errnoCode(inside) === 'ENOENT') return {status: 'skipped', detail: 'git was not found on PATH'}
    if (inside.exitCode === 0) {
      return {status: 'skipped', detail: `already inside the git repository at ${inside.stdout.trim()}`}
    }
    // main, as most hosts expect; git before 2.28 knows no --initial-branch.
    let init = await git(['init', '--quiet', '--initial-branch=main'])
    if (init.exitCode !== 0) init = await git(['init', '--quiet'])
    if (init.exitCode !== 0) return {status: 'warning', detail: `git init failed: ${errorLine(init.all)}`}
    await git(['add', '--all'])
    const commit = await git(['commit', '--quiet', '--message', FIRST_COMMIT_MESSAGE])
    if (commit.exitCode !== 0) {
      return {
        status: 'warning',
        detail: `initialised, but the first commit failed: ${errorLine(commit.all)}`,
        fix: `set git's user.name and user.email, then run \`cd ${shellQuote(directory)} && git commit -m "Initial commit"\``,
      }
    }
    return {status: 'ok', detail: 'first commit made'}
  })
}

export const KEEP_BASE = 'keep the pristine render'

/**
 * Keeps the pristine render as the merge base of a later `plugin upgrade` (see git-base.ts), in the
 * project's repository or the one it was created in; without one, upgrade will say how to go on.
 */
export function keepBase(directory: string, pristine: RenderedFile[], kind: string): Promise<StepResult> {
  return timed(KEEP_BASE, async () => {
    const {baseRef, moveRef, repositoryRoot, writeBase} = await import('./git-base.js')
    const version = await run('git', ['--version'], {cwd: directory})
    if (errnoCode(version) === 'ENOENT') return {status: 'skipped', detail: 'git was not found on PATH'}
    try {
      const root = await repositoryRoot(directory)
      if (root === undefined) return {status: 'skipped', detail: 'not in a git repository'}
      const ref = baseRef(root, directory)
      const base = await writeBase(directory, ref, pristine, `vaultkit: pristine render of the ${kind} kind`)
      await moveRef(directory, ref, base.commit, base.parent)
      return {status: 'ok', detail: ref}
    } catch (error) {
      if (!(error instanceof UserError)) throw error
      return {status: 'warning', detail: error.message, fix: 'without it, plugin upgrade cannot merge this project'}
    }
  })
}
