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

export function oneLine(err: UserError): string {
  return err.hint ? `${err.message}: ${err.hint}` : err.message
}

/** Narrow an unknown error to a Node system error code such as ENOENT. */
export function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined
}
