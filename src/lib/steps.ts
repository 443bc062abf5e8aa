import {secondsSince} from './timing.js'

/** What a post-step did, for people and for --json. */
export interface StepResult {
  step: string
  status: 'ok' | 'skipped' | 'warning' | 'failed'
  detail?: string
  /** For a failure: what to run by hand once the cause is fixed. */
  fix?: string
  seconds?: number
  /** Set when the step ran a kind author's own command (template.json "commands"): which one. */
  command?: string
}

export async function timed(step: string, run: () => Promise<Omit<StepResult, 'step' | 'seconds'>>): Promise<StepResult> {
  const started = performance.now()
  const result = await run()
  return {step, ...result, seconds: secondsSince(started)}
}

const PROGRESS = /^go: (downloading|finding|extracting|found) /

/** The line of a child's output that says what went wrong: the last one that is not progress. */
export function errorLine(text: string | undefined): string {
  const lines = (text ?? '').split('\n').map((l) => l.trim()).filter((l) => l && !PROGRESS.test(l))
  return lines.at(-1) ?? ''
}
