import {BaseCommand} from '../../lib/base-command.js'
import {UserError} from '../../lib/errors.js'
import {projectFlag} from '../../lib/shared-flags.js'
import {shellEnv} from '../../lib/vault/cli-env.js'
import {devServerStatus} from '../../lib/vault/server.js'

export default class ServerEnv extends BaseCommand {
  static override summary = 'Print VAULT_ADDR, VAULT_TOKEN and the vault binary’s PATH for the dev server, for eval in a shell'
  static override description =
    'This prints the root token: use it as `eval "$(vaultkit server env)"`, not in shared logs. When the shell would not find the vault (or bao) binary the dev server runs, its folder is put first on PATH; when it cannot be (a binary with another name), stderr says what to do.'
  static override examples = ['eval "$(<%= config.bin %> <%= command.id %>)"']
  static override flags = {project: projectFlag}

  async run() {
    const {flags} = await this.parse(ServerEnv)
    const status = await devServerStatus(flags.project)
    if (!status.running || !status.state) {
      throw new UserError('No dev server of this project is running', 'start one with `vaultkit server start`')
    }
    const {lines, pathDir, note} = await shellEnv(status.state)
    for (const line of lines) this.log(line)
    // On stderr, so that eval runs only the exports.
    if (note) process.stderr.write(`# ${note}\n`)
    return {VAULT_ADDR: status.state.addr, VAULT_TOKEN: status.state.token, vaultBin: status.state.vaultBin, pathDir, note}
  }
}
