import {printStep} from '../../cli/new-project-output.js'
import {color} from '../../cli/output.js'
import type {FileAction} from './plan.js'
import type {UpgradeResult} from './upgrade.js'

// The human-readable report of `plugin upgrade`; --json prints the result instead.

const ACTION: Record<FileAction, (word: string) => string> = {
  same: color.dim,
  update: color.green,
  add: color.green,
  remove: color.yellow,
  keep: color.dim,
  merge: color.cyan,
  conflict: color.red,
}

const NOTE: Partial<Record<FileAction, string>> = {keep: 'only you changed it', update: 'only the kind changed it', merge: 'both changed it'}

export function printPlan(result: UpgradeResult, log: (line: string) => void): void {
  const version = (v?: string) => v ?? '(unversioned)'
  const kind = `${result.kind} ${version(result.from.kindVersion)} -> ${version(result.to.kindVersion)}`
  const vaultkit = result.from.vaultkit === result.to.vaultkit ? `vaultkit ${result.to.vaultkit}` : `vaultkit ${result.from.vaultkit} -> ${result.to.vaultkit}`
  log(`${result.dryRun ? 'Would upgrade' : 'Upgrading'} the project (${kind}, ${vaultkit})${result.dryRun ? ' (dry run: nothing written)' : ''}`)
  if (result.files.length === 0) log(color.dim('  every file is as the kind has it now'))
  const width = Math.max(0, ...result.files.map((f) => f.path.length))
  for (const file of result.files) {
    const note = file.detail ?? NOTE[file.action]
    log(note ? `  ${ACTION[file.action](file.action.padEnd(8))} ${file.path.padEnd(width)}${color.dim(`  ${note}`)}` : `  ${ACTION[file.action](file.action.padEnd(8))} ${file.path}`)
  }
  if (result.dryRun) {
    for (const step of result.steps) printStep(step, log)
    if (result.diff) log(`\n${result.diff.trimEnd()}`)
  }
}

export function printDone(result: UpgradeResult, log: (line: string) => void): void {
  if (result.dryRun || result.conflicts.length > 0) return
  const changed = result.files.filter((file) => file.action !== 'keep').length
  log(changed === 0 ? 'Nothing to upgrade: the project has every change of the kind.' : 'Upgraded. Review the changes with `git diff`, then commit them.')
}
