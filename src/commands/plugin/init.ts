import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {color} from '../../lib/cli/output.js'
import {projectFlag} from '../../lib/cli/shared-flags.js'
import {CancelledError, UserError} from '../../lib/errors.js'
import {type InitResult, initProject} from '../../lib/project/init.js'
import {PLUGIN_TYPE_WORDS, parsePluginType} from '../../lib/project/plugin-types.js'

export default class PluginInit extends BaseCommand {
  static override summary = 'Take an existing plugin repository into vaultkit'
  static override description =
    "Finds the plugin in a Go repository (its main package from `go list -export`, which also compiles it, its type, name, version source and build settings) and writes what it found into .vaultkit.json, the one description every vaultkit command reads. Nothing else is changed. Also brings a project of an earlier vaultkit (made without that file) up to date."

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --yes',
    '<%= config.bin %> <%= command.id %> --dry-run',
    '<%= config.bin %> <%= command.id %> --main ./cmd/vault-plugin-secrets-kv --type secrets --plugin-version 0.25.0',
    '<%= config.bin %> <%= command.id %> --force --json',
  ]

  static override flags = {
    project: projectFlag,
    main: Flags.string({description: 'the main package that serves the plugin, when there are several (e.g. ./cmd/vault-plugin-secrets-kv)'}),
    type: Flags.option({options: PLUGIN_TYPE_WORDS, description: 'the plugin type, when neither the binary name nor the backend tells'})(),
    'plugin-version': Flags.string({description: "the version to stamp (into the version variable the build sets) or to register under"}),
    force: Flags.boolean({description: 'detect again over an existing description (fields vaultkit does not know are kept)', default: false}),
    'dry-run': Flags.boolean({description: 'print the file that would be written, and write nothing', default: false}),
    yes: Flags.boolean({char: 'y', description: 'take what is found without asking; a choice it cannot make is an error naming its flag', default: false}),
    interactive: Flags.boolean({description: 'ask when there is a choice (default: when stdin is a terminal)', allowNo: true}),
  }

  async run(): Promise<InitResult> {
    const {flags} = await this.parse(PluginInit)
    const interactive = !flags.yes && this.canPrompt(flags.interactive)
    const result = await initProject({
      project: flags.project,
      main: flags.main,
      type: flags.type === undefined ? undefined : parsePluginType(flags.type),
      version: flags['plugin-version'],
      force: flags.force,
      dryRun: flags['dry-run'],
      choose: interactive ? choose : undefined,
      onStep: (step) => this.log(color.dim(`  ${step}...`)),
    })
    for (const {field, value, from} of result.findings) this.log(`  ${field.padEnd(16)} ${value}  ${color.dim(`(${from})`)}`)
    for (const note of result.notes) this.log(`${color.yellow('Note:')} ${note}`)
    if (result.dryRun) {
      this.log(`\n${result.file} would be:\n${result.text}`)
    } else {
      this.log(`\nWrote ${result.file}: every vaultkit command reads it. Check it, commit it, then run \`vaultkit plugin dev\`.`)
    }
    return result
  }
}

async function choose(message: string, choices: string[]): Promise<string> {
  const {select} = await import('@inquirer/prompts')
  try {
    return await select({message, choices: choices.map((value) => ({value}))})
  } catch (error) {
    if ((error as Error).name === 'ExitPromptError') throw new CancelledError()
    throw error instanceof Error ? error : new UserError(String(error))
  }
}
