/** What a post-step did, for people and for --json. */
export interface StepResult {
  step: string
  status: 'ok' | 'skipped' | 'warning' | 'failed'
  detail?: string
  /** For a failure: what to run by hand once the cause is fixed. */
  fix?: string
  seconds?: number
}

export async function timed(step: string, run: () => Promise<Omit<StepResult, 'step' | 'seconds'>>): Promise<StepResult> {
  const started = performance.now()
  const result = await run()
  return {step, ...result, seconds: Math.round((performance.now() - started) / 100) / 10}
}

/** First non-empty line of a child's output, for one-line messages. */
export function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n').map((l) => l.trim()).find(Boolean) ?? ''
}
