import {Command} from '@oclif/core/command'

import {UserError, oneLine} from './errors.js'
import {color} from './output.js'

/** The one exit point: a UserError becomes one line on stderr (or JSON) and its exit code. */
export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true

  override async catch(error: Error & {exitCode?: number}): Promise<unknown> {
    if (!(error instanceof UserError)) return super.catch(error)
    process.exitCode = error.exitCode
    if (this.jsonEnabled()) {
      this.logJson({error: {message: error.message, hint: error.hint, exitCode: error.exitCode}})
    } else {
      process.stderr.write(`${color.red('Error:')} ${oneLine(error)}\n`)
    }
    return undefined
  }

  /** --interactive / --no-interactive decide; else prompt when stdin is a terminal. Never into --json output. */
  protected canPrompt(interactive: boolean | undefined): boolean {
    if (this.jsonEnabled()) return false
    return interactive ?? Boolean(process.stdin.isTTY)
  }
}
