/** A failure the user can fix: one line saying what went wrong, one hint saying what to do. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly exitCode = 1,
  ) {
    super(message)
    this.name = 'UserError'
  }
}

/** The user pressed Ctrl-C at a prompt: nothing was written, exit like a shell does on SIGINT. */
export class CancelledError extends UserError {
  constructor() {
    super('Cancelled', 'nothing was written', 130)
    this.name = 'CancelledError'
  }
}

/** Work ended by a signal (Ctrl-C, or a kill), exiting as a shell does: 130 for SIGINT, 143 for SIGTERM. */
export function interruptedError(signal: NodeJS.Signals, hint = 'nothing was written'): UserError {
  return new UserError(`Interrupted (${signal})`, hint, signal === 'SIGINT' ? 130 : 143)
}

/** Whether an error is the end of work by a signal (as interruptedError makes it, or a cancelled prompt). */
export const isInterruption = (error: unknown): boolean => error instanceof UserError && (error.exitCode === 130 || error.exitCode === 143)

export function oneLine(err: UserError): string {
  return err.hint ? `${err.message}: ${err.hint}` : err.message
}

/** Narrow an unknown error to a Node system error code such as ENOENT. */
export function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined
}
