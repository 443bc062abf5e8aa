import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {projectFlag} from '../../lib/cli/shared-flags.js'
import {projectServerStatus} from '../../lib/vault/project-server.js'
import {maskToken} from '../../lib/vault/state.js'

export default class ServerStatus extends BaseCommand {
  static override summary = "Show the project's dev server or cluster: every node's address, pid and role; the token masked"
  static override description = 'Each node is active, standby, sealed or down; a dev server is one node. Exits 1 when no node is active.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json', '<%= config.bin %> <%= command.id %> --show-token']
  static override flags = {
    project: projectFlag,
    'show-token': Flags.boolean({description: 'print the root token in full', default: false}),
  }

  async run() {
    const {flags} = await this.parse(ServerStatus)
    const status = await projectServerStatus(flags.project)
    if (status.nodes.length === 0) {
      this.log('No dev server of this project is running: start one with `vaultkit server start` (`--nodes 3` for a cluster)')
      process.exitCode = 1
      return {running: false, kind: status.kind, nodes: []}
    }
    const token = status.token && (flags['show-token'] ? status.token : maskToken(status.token))
    const what = status.kind === 'dev' ? 'dev server' : `${status.nodes.length}-node raft cluster`
    const version = status.version ? `Vault v${status.version} ` : ''
    this.log(`${status.running ? 'running' : 'no active node'}   ${version}${what}${status.addr ? `, active at ${status.addr}` : ''}`)
    for (const node of status.nodes) this.log(`  ${node.id.padEnd(7)} ${node.role.padEnd(8)} ${node.addr} (pid ${node.pid})`)
    this.log(`token     ${token}`)
    this.log(`plugins   ${status.kind === 'dev' ? status.nodes[0]!.pluginDir : '.vaultkit/node-*/plugins'}`)
    if (status.running) this.log('use it    eval "$(vaultkit server env)"')
    else process.exitCode = 1
    return {...status, token}
  }
}
