import {copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'

import {interruptedError} from '../../errors.js'
import {git} from '../git-base.js'
import {goModTidy} from '../../go.js'
import {shellQuote} from '../../cli/output.js'
import type {StepResult} from '../../steps.js'
import {goVersions} from '../../versions.js'

export interface Change {
  path: string
  /** Contents and mode to write, or null to delete. */
  next: {contents: Buffer; mode: number} | null
}

export interface ApplyOptions {
  /** Run `go mod tidy` (on a staged copy of the project) and take its go.mod and go.sum. */
  tidy: boolean
  /** The last step of the upgrade (moving the base ref), and how to take it back. */
  commit: () => Promise<void>
  rollback: () => Promise<void>
  onStepStart?: (step: string) => void
  onStepDone?: (step: StepResult) => void
}

/**
 * Everything is computed and written into a staging folder (.vaultkit/, which projects gitignore) first;
 * then each file is moved into place with a rename, the original moved aside. A failure or a signal
 * (Ctrl-C) before the end moves every original back: the project is exactly as it was.
 */
export async function applyChanges(project: string, changes: Change[], options: ApplyOptions): Promise<{changes: Change[]; steps: StepResult[]}> {
  const state = join(project, '.vaultkit')
  const createdState = !existsSync(state)
  const staging = join(state, `upgrade-${process.pid}-${Date.now().toString(36)}`)
  let interrupted: NodeJS.Signals | undefined
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = signal
  }
  const stopIfInterrupted = async () => {
    // A signal that came during synchronous work is delivered now; honour it rather than lose it.
    await new Promise((resolve) => setImmediate(resolve))
    await new Promise((resolve) => setImmediate(resolve))
    if (interrupted) throw interruptedError(interrupted, 'the project is as it was')
  }
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal)
  const steps: StepResult[] = []
  const journal: Array<{target: string; backup?: string; placed: boolean}> = []
  try {
    mkdirSync(staging, {recursive: true, mode: 0o700})
    let all = changes
    if (options.tidy) {
      options.onStepStart?.('go mod tidy')
      const tidied = await tidyStaged(project, join(staging, 'tidy'), changes)
      options.onStepDone?.(tidied.step)
      steps.push(tidied.step)
      all = tidied.changes
    }
    await stopIfInterrupted()
    for (const [index, change] of all.entries()) {
      if (change.next) put(join(staging, 'new', String(index)), change.next.contents, change.next.mode)
    }
    await stopIfInterrupted()
    try {
      for (const [index, change] of all.entries()) {
        const target = join(project, change.path)
        const entry: (typeof journal)[number] = {target, placed: false}
        journal.push(entry)
        if (exists(target)) {
          entry.backup = join(staging, 'old', String(index))
          mkdirSync(dirname(entry.backup), {recursive: true})
          renameSync(target, entry.backup)
        }
        if (change.next) {
          mkdirSync(dirname(target), {recursive: true})
          renameSync(join(staging, 'new', String(index)), target)
          entry.placed = true
        } else removeEmptyParents(project, dirname(target))
      }
      await options.commit()
    } catch (error) {
      undo(journal, project)
      throw error
    }
    try {
      await stopIfInterrupted()
    } catch (error) {
      await options.rollback()
      undo(journal, project)
      throw error
    }
    return {changes: all, steps}
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal)
    rmSync(staging, {recursive: true, force: true})
    // Only if empty: a dev server started meanwhile keeps its state file there.
    if (createdState && existsSync(state) && readdirSync(state).length === 0) rmdirSync(state)
  }
}

function exists(path: string): boolean {
  try {
    lstatSync(path)
    return true
  } catch {
    return false
  }
}

function put(path: string, contents: Buffer, mode: number) {
  mkdirSync(dirname(path), {recursive: true})
  writeFileSync(path, contents, {mode})
}

/** Git keeps no empty folders: neither does an upgrade that removed a folder's last file. */
function removeEmptyParents(project: string, folder: string) {
  while (folder.startsWith(`${project}/`) && readdirSync(folder).length === 0) {
    rmdirSync(folder)
    folder = dirname(folder)
  }
}

function undo(journal: Array<{target: string; backup?: string; placed: boolean}>, project: string) {
  for (const entry of journal.toReversed()) {
    if (entry.placed) {
      rmSync(entry.target, {force: true})
      removeEmptyParents(project, dirname(entry.target))
    }
    if (entry.backup) {
      mkdirSync(dirname(entry.target), {recursive: true})
      renameSync(entry.backup, entry.target)
    }
  }
}

/**
 * `go mod tidy` on a copy of the project with the changes applied (every file git would commit), so the
 * project itself changes only in the final renames; go.mod and go.sum as tidy left them join the changes.
 */
async function tidyStaged(project: string, copy: string, changes: Change[]): Promise<{step: StepResult; changes: Change[]}> {
  const listed = await git(project, ['ls-files', '-z', '--cached', '--others', '--exclude-standard'])
  for (const path of listed.stdout.split('\0').filter(Boolean)) {
    if (exists(join(project, path)) && lstatSync(join(project, path)).isFile()) {
      mkdirSync(dirname(join(copy, path)), {recursive: true})
      copyFileSync(join(project, path), join(copy, path))
    }
  }
  for (const change of changes) {
    if (change.next) put(join(copy, change.path), change.next.contents, change.next.mode)
    else rmSync(join(copy, change.path), {force: true})
  }
  const step = await goModTidy(copy, goVersions.goDirective)
  if (step.status === 'failed') {
    return {step: {...step, fix: `the upgrade is applied without it: fix that, then run \`cd ${shellQuote(project)} && go mod tidy\``}, changes}
  }
  const result = changes.filter((change) => change.path !== 'go.mod' && change.path !== 'go.sum')
  for (const path of ['go.mod', 'go.sum']) {
    const tidied = exists(join(copy, path)) ? readFileSync(join(copy, path)) : undefined
    const now = exists(join(project, path)) ? readFileSync(join(project, path)) : undefined
    if (tidied === undefined) {
      if (now !== undefined) result.push({path, next: null})
    } else if (now === undefined || !now.equals(tidied)) result.push({path, next: {contents: tidied, mode: 0o644}})
  }
  return {step, changes: result}
}
