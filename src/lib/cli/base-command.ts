import {Command} from '@oclif/core/command'
import {Config} from '@oclif/core/config'
import type {LoadOptions} from '@oclif/core/interfaces'

import {UserError, oneLine} from '../errors.js'
import {color} from './output.js'

/** The one exit point: a UserError becomes one line on stderr (or JSON) and its exit code. */
export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true

  // oclif's Command.run loads a fresh copy of the Config its runner hands over, so that a plugin built on
  // another @oclif/core version gets its own; vaultkit bundles one oclif, and the copy costs 2 ms a start.
  static override async run<T extends Command>(
    this: new (argv: string[], config: Config) => T,
    argv = process.argv.slice(2),
    opts?: LoadOptions,
  ): Promise<ReturnType<T['run']>> {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass oclif runs, as in Command.run itself
    if (!(opts instanceof Config)) return Command.run.call(this, argv, opts) as Promise<ReturnType<T['run']>>
    const command = new this(argv, opts) as unknown as BaseCommand
    return command._run()
  }

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
