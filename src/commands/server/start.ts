import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {readProject} from '../../lib/project/project.js'
import {projectFlag, vaultBinFlag} from '../../lib/cli/shared-flags.js'
import {ensureVaultBinary} from '../../lib/vault/install/install.js'
import {startProjectServer} from '../../lib/vault/project-server.js'
import {maskToken} from '../../lib/vault/state.js'
import {requireLocalServerSupport} from '../../lib/vault/processes.js'

export default class ServerStart extends BaseCommand {
  static override summary = "Start a Vault dev server, or a raft cluster (--nodes 3 or 5), for the project's plugins"
  static override description =
    'Without --nodes (or with --nodes 1): `vault server -dev` on 127.0.0.1 with a free port and a random root token, using the plugin_directory of vault-config.hcl; its address, token and pid are kept in .vaultkit/server.json (mode 0600). With --nodes 3 or 5: a real raft HA cluster, each node with its own folder under .vaultkit/ (config, raft data, plugin directory, log), initialised with one unseal share, unsealed, and ready when one node is active and the others are voting standbys; root token and unseal key are kept in .vaultkit/cluster.json (mode 0600). Starting again reuses what runs, and restarts and unseals nodes that died.'

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --nodes 3',
    '<%= config.bin %> <%= command.id %> --project ./vault-plugin-secrets-hello',
  ]
  static override flags = {
    project: projectFlag,
    'vault-bin': vaultBinFlag,
    nodes: Flags.string({description: '1 for a dev server; 3 or 5 for a raft HA cluster (default: what the project runs, else 1)', options: ['1', '3', '5']}),
  }

  async run() {
    const {flags} = await this.parse(ServerStart)
    requireLocalServerSupport()
    const project = await readProject(flags.project)
    const vault = await ensureVaultBinary({vaultBin: flags['vault-bin'], onProgress: (line) => this.logToStderr(line)})
    const started = await startProjectServer(project, vault.path, flags.nodes === undefined ? undefined : Number(flags.nodes), (line) => this.logToStderr(line))
    const what = started.kind === 'dev' ? 'Vault dev server' : `${started.nodes.length}-node Vault cluster`
    this.log(`${started.alreadyRunning ? 'Already running' : started.restored.length > 0 ? `Restored ${started.restored.join(', ')}` : 'Started'}: ${what}, active at ${started.addr}`)
    for (const node of started.nodes) this.log(`  ${node.id.padEnd(7)} ${node.role.padEnd(8)} ${node.addr} (pid ${node.pid})  plugins ${node.pluginDir}`)
    this.log(`root token ${maskToken(started.token)} (vaultkit server status --show-token)`)
    const {token: _token, ...shown} = started
    return shown
  }
}
