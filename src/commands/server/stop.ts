import {BaseCommand} from '../../lib/base-command.js'
import {projectFlag} from '../../lib/shared-flags.js'
import {stopDevServer} from '../../lib/vault/server.js'

export default class ServerStop extends BaseCommand {
  static override summary = 'Stop the dev server that `server start` started for this project'
  static override description = 'Ends only the process recorded in .vaultkit/server.json, and only if it is still that dev server.'
  static override examples = ['<%= config.bin %> <%= command.id %>']
  static override flags = {project: projectFlag}

  async run() {
    const {flags} = await this.parse(ServerStop)
    const {stopped, state} = await stopDevServer(flags.project)
    this.log(stopped ? `Stopped the dev server at ${state!.addr} (pid ${state!.pid})` : 'No dev server of this project is running')
    return {stopped, pid: state?.pid}
  }
}
