import {BaseCommand} from '../../lib/base-command.js'
import {UserError} from '../../lib/errors.js'
import {projectFlag} from '../../lib/shared-flags.js'
import {devServerStatus} from '../../lib/vault/server.js'

export default class ServerEnv extends BaseCommand {
  static override summary = 'Print VAULT_ADDR and VAULT_TOKEN of the dev server, for eval in a shell'
  static override description = 'This prints the root token: use it as `eval "$(vaultkit server env)"`, not in shared logs.'
  static override examples = ['eval "$(<%= config.bin %> <%= command.id %>)"']
  static override flags = {project: projectFlag}

  async run() {
    const {flags} = await this.parse(ServerEnv)
    const status = await devServerStatus(flags.project)
    if (!status.running || !status.state) {
      throw new UserError('No dev server of this project is running', 'start one with `vaultkit server start`')
    }
    this.log(`export VAULT_ADDR=${status.state.addr}`)
    this.log(`export VAULT_TOKEN=${status.state.token}`)
    return {VAULT_ADDR: status.state.addr, VAULT_TOKEN: status.state.token}
  }
}
