import {UserError} from '../errors.js'
import {run} from '../exec.js'
import {shellQuote} from '../cli/output.js'
import {errorLine, type StepResult, timed} from '../steps.js'
import type {Kind} from '../templates/kinds.js'
import {type AnswerValue, holds} from '../templates/when.js'

/** The commands of a kind's manifest that apply to these answers. */
export function authorCommands(kind: Kind, answers: Record<string, AnswerValue>): string[] {
  return kind.manifest.commands.filter((command) => holds(command.when, answers)).map((command) => command.run)
}

/**
 * A template is data, but its commands are code from whoever wrote it: they run only when the user says
 * so. Checked before anything is written, so a refusal leaves no half-made project behind.
 */
export function checkTrust(kind: Kind, commands: string[], trust: boolean): void {
  if (commands.length === 0 || trust) return
  throw new UserError(
    `The ${kind.manifest.name} kind (${kind.dir}) runs its own commands: ${commands.join('; ')}`,
    'read its template.json, then pass --trust to allow them',
  )
}

/** One author command, through sh in the project; its failure is the step's failure. */
export async function runAuthorCommand(directory: string, command: string): Promise<StepResult> {
  const step = await timed(`run ${command}`, async () => {
    const result = await run('sh', ['-c', command], {cwd: directory})
    if (result.exitCode !== 0) {
      return {status: 'failed', detail: errorLine(result.all) || `exit ${result.exitCode}`, fix: `fix that, then run \`cd ${shellQuote(directory)} && ${command}\``}
    }
    return {status: 'ok'}
  })
  return {...step, command}
}
