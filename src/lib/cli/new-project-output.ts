import {relative} from 'node:path'

import type {NewProjectResult} from '../scaffold/new-project.js'
import {color, formatBytes, shellQuote} from './output.js'
import type {StepResult} from '../steps.js'

const STATUS_MARK: Record<StepResult['status'], string> = {
  ok: color.green('✔'),
  skipped: color.dim('-'),
  warning: color.yellow('!'),
  failed: color.red('✖'),
}

// The human-readable report of `plugin new`, printed as it happens; --json prints the result instead.

export function shownDirectory(result: NewProjectResult): string {
  const where = relative(process.cwd(), result.directory) || '.'
  return where.startsWith('..') ? result.directory : where
}

export function printFiles(result: NewProjectResult, log: (line: string) => void): void {
  const heading = result.dryRun ? 'Would create' : 'Created'
  const note = result.dryRun ? ' (dry run: nothing written)' : ''
  log(`${heading} ${color.bold(result.binaryName)} (${result.kind}, ${result.module}) in ${shownDirectory(result)}${note}`)
  const width = Math.max(...result.files.map((f) => f.path.length))
  for (const file of result.files) log(`  ${color.green('create')} ${file.path.padEnd(width)}  ${color.dim(formatBytes(file.size))}`)
  if (result.dryRun) for (const step of result.steps) printStep(step, log)
}

export function printStep(step: StepResult, log: (line: string) => void): void {
  const time = step.seconds === undefined ? '' : color.dim(` (${step.seconds} s)`)
  log(`${STATUS_MARK[step.status]} ${step.step}${step.detail ? `: ${step.detail}` : ''}${time}`)
  if (step.status === 'warning' && step.fix) log(`  ${step.fix}`)
}

export function printNextSteps(result: NewProjectResult, log: (line: string) => void): void {
  log('')
  log('Next:')
  log(`  cd ${shellQuote(shownDirectory(result))}`)
  log('  vaultkit plugin dev    # build, register and run it in a Vault dev server; reload on every change')
  log('  vaultkit plugin test   # unit tests, then acceptance tests against it mounted in a real Vault')
}
