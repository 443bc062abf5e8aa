import {BaseCommand} from '../../lib/cli/base-command.js'
import {projectFlag} from '../../lib/cli/shared-flags.js'
import {stopProjectServer} from '../../lib/vault/project-server.js'

export default class ServerStop extends BaseCommand {
  static override summary = 'Stop the dev server or cluster that `server start` started for this project'
  static override description =
    'Ends only the processes recorded in .vaultkit/ (server.json or cluster.json), and only if they are still those Vault servers. A cluster is removed with its data, as a dev server keeps none.'
  static override examples = ['<%= config.bin %> <%= command.id %>']
  static override flags = {project: projectFlag}

  async run() {
    const {flags} = await this.parse(ServerStop)
    const {kind, stopped} = await stopProjectServer(flags.project)
    if (stopped.length === 0) this.log(`No ${kind === 'dev' ? 'dev server' : 'cluster'} of this project is running`)
    else this.log(kind === 'dev' ? `Stopped the ${stopped[0]}` : `Stopped the cluster: ${stopped.join(', ')}`)
    return {kind, stopped}
  }
}
