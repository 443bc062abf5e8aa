import {BaseCommand} from '../lib/cli/base-command.js'
import {SHELLS, type Shell, completionCommands, completionScript} from '../lib/cli/completion.js'
import {UserError} from '../lib/errors.js'
import {discoverKinds} from '../lib/templates/search-path.js'

export default class Completion extends BaseCommand {
  static override enableJsonFlag = false
  static override summary = 'Print the shell completion script for bash, zsh or fish'
  static override description =
    'Completes commands, flags, and the values that are known: kinds for plugin new --type (built-in and those found when the script is made), plugin types for plugin register --type, the shells here. Make it again after adding a kind.'

  static override usage = 'completion bash|zsh|fish'
  static override examples = [
    'source <(<%= config.bin %> <%= command.id %> bash)       # in ~/.bashrc',
    'source <(<%= config.bin %> <%= command.id %> zsh)        # in ~/.zshrc, after compinit',
    '<%= config.bin %> <%= command.id %> fish > ~/.config/fish/completions/<%= config.bin %>.fish',
  ]

  // The shell is read from argv rather than declared with oclif's Args, whose module would then be shared
  // by one more command and split into a chunk of its own that plugin new would load at every start.
  static override strict = false

  async run() {
    const {argv} = await this.parse(Completion)
    const shell = argv[0] as Shell
    if (argv.length !== 1 || !SHELLS.includes(shell)) {
      throw new UserError(`Which shell? Give one of ${SHELLS.join(', ')}`, `e.g. \`${this.config.bin} completion bash\``, 2)
    }
    const kinds = discoverKinds().kinds.map((k) => k.manifest.name)
    this.log(completionScript(shell, this.config.bin, completionCommands(this.config.commands, kinds)).trimEnd())
  }
}
