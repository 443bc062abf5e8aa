import {BaseCommand} from '../../lib/cli/base-command.js'
import {UserError} from '../../lib/errors.js'
import {projectFlag} from '../../lib/cli/shared-flags.js'
import {shellEnv} from '../../lib/vault/cli-env.js'
import {projectServerStatus} from '../../lib/vault/project-server.js'

export default class ServerEnv extends BaseCommand {
  static override summary = 'Print VAULT_ADDR, VAULT_TOKEN and the vault binary’s PATH for the dev server (or the active cluster node), for eval in a shell'
  static override description =
    'This prints the root token: use it as `eval "$(vaultkit server env)"`, not in shared logs. On a cluster VAULT_ADDR is the node active now. When the shell would not find the vault (or bao) binary the server runs, its folder is put first on PATH; when it cannot be (a binary with another name), stderr says what to do.'
  static override examples = ['eval "$(<%= config.bin %> <%= command.id %>)"']
  static override flags = {project: projectFlag}

  async run() {
    const {flags} = await this.parse(ServerEnv)
    const status = await projectServerStatus(flags.project)
    if (!status.running || !status.addr || !status.token || !status.vaultBin) {
      const hint = status.nodes.length > 0 ? 'run `vaultkit server start` to restart and unseal it' : 'start one with `vaultkit server start`'
      throw new UserError(status.kind === 'cluster' ? "No node of the project's cluster is active" : 'No dev server of this project is running', hint)
    }
    const server = {addr: status.addr, token: status.token, vaultBin: status.vaultBin}
    const {lines, pathDir, note} = await shellEnv(server)
    for (const line of lines) this.log(line)
    // On stderr, so that eval runs only the exports.
    if (note) process.stderr.write(`# ${note}\n`)
    return {VAULT_ADDR: server.addr, VAULT_TOKEN: server.token, vaultBin: server.vaultBin, pathDir, note}
  }
}
