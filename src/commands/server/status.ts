import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../../lib/base-command.js'
import {projectFlag} from '../../lib/shared-flags.js'
import {devServerStatus} from '../../lib/vault/server.js'
import {maskToken} from '../../lib/vault/state.js'

export default class ServerStatus extends BaseCommand {
  static override summary = "Show the project's dev server: address, version, token (masked)"
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --show-token']
  static override flags = {
    project: projectFlag,
    'show-token': Flags.boolean({description: 'print the root token in full', default: false}),
  }

  async run() {
    const {flags} = await this.parse(ServerStatus)
    const status = await devServerStatus(flags.project)
    if (!status.running || !status.state) {
      this.log('No dev server of this project is running: start one with `vaultkit server start`')
      process.exitCode = 1
      return {running: false}
    }
    const token = flags['show-token'] ? status.state.token : maskToken(status.state.token)
    this.log(`running   Vault v${status.version} at ${status.state.addr} (pid ${status.state.pid})${status.sealed ? ', sealed' : ''}`)
    this.log(`token     ${token}`)
    this.log(`plugins   ${status.state.pluginDir}`)
    this.log(`log       ${status.state.logFile}`)
    this.log('use it    eval "$(vaultkit server env)"')
    return {running: true, addr: status.state.addr, pid: status.state.pid, version: status.version, token, pluginDir: status.state.pluginDir}
  }
}
