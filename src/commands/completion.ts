import * as Args from '@oclif/core/args'

import {BaseCommand} from '../lib/base-command.js'
import {SHELLS, type Shell, completionCommands, completionScript} from '../lib/completion.js'
import {discoverKinds} from '../lib/templates/search-path.js'

export default class Completion extends BaseCommand {
  static override enableJsonFlag = false
  static override summary = 'Print the shell completion script for bash, zsh or fish'
  static override description =
    'Completes commands, flags, and the values that are known: kinds for plugin new --type (built-in and those found when the script is made), plugin types for plugin register --type, the shells here. Make it again after adding a kind.'

  static override examples = [
    'source <(<%= config.bin %> <%= command.id %> bash)       # in ~/.bashrc',
    'source <(<%= config.bin %> <%= command.id %> zsh)        # in ~/.zshrc, after compinit',
    '<%= config.bin %> <%= command.id %> fish > ~/.config/fish/completions/<%= config.bin %>.fish',
  ]

  static override args = {
    shell: Args.string({description: 'the shell', required: true, options: SHELLS}),
  }

  async run() {
    const {args} = await this.parse(Completion)
    const kinds = discoverKinds().kinds.map((k) => k.manifest.name)
    this.log(completionScript(args.shell as Shell, this.config.bin, completionCommands(this.config.commands, kinds)).trimEnd())
  }
}
