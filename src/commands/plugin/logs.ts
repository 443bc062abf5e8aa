import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {showPluginLogs} from '../../lib/dev/plugin-logs.js'
import {logFlags, projectFlag} from '../../lib/cli/shared-flags.js'

export default class PluginLogs extends BaseCommand {
  static override enableJsonFlag = false
  static override summary = "Show the plugin's own log lines from the project's dev server or cluster"
  static override description =
    "Reads the dev server's log (.vaultkit/vault.log) and prints the lines the plugin wrote, level-coloured: its log entries, and anything else it wrote to stderr (a panic's stack trace). Vault's own lines stay out unless --vault-logs. With --follow, keeps printing as they are written until Ctrl-C. On the project’s cluster it reads every node’s log, each line prefixed with its node’s id (node by node; with --follow, all of them as they are written)."

  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --follow --log-level debug']
  static override flags = {
    project: projectFlag,
    follow: Flags.boolean({char: 'f', description: 'keep printing new lines as they are written', default: false}),
    ...logFlags,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(PluginLogs)
    const stop = new Promise<void>((resolve) => process.once('SIGINT', resolve).once('SIGTERM', resolve))
    await showPluginLogs({
      projectDir: flags.project,
      follow: flags.follow,
      filter: {level: flags['log-level'], vaultLogs: flags['vault-logs']},
      print: (line) => this.log(line),
      stop,
    })
  }
}
