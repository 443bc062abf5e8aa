import {dirname} from 'node:path'

import {errnoCode} from './errors.js'
import {run} from './exec.js'
import {shellQuote} from './output.js'
import {errorLine, type StepResult, timed} from './steps.js'

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
    const commit = await git(['commit', '--quiet', '--message', 'Initial commit from vaultkit'])
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
