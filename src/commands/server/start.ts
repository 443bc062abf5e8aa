import {BaseCommand} from '../../lib/base-command.js'
import {readProject} from '../../lib/project.js'
import {projectFlag, vaultBinFlag} from '../../lib/shared-flags.js'
import {ensureVaultBinary} from '../../lib/vault/install.js'
import {startDevServer} from '../../lib/vault/server.js'
import {maskToken} from '../../lib/vault/state.js'

export default class ServerStart extends BaseCommand {
  static override summary = "Start a Vault dev server for the project's plugin directory"
  static override description =
    'Runs `vault server -dev` on 127.0.0.1 with a free port and a random root token, using the plugin_directory of vault-config.hcl; waits until it answers, and keeps its address, token and pid in .vaultkit/server.json (mode 0600). Starting it again reuses the running server.'

  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --project ./vault-plugin-secrets-hello']
  static override flags = {project: projectFlag, 'vault-bin': vaultBinFlag}

  async run() {
    const {flags} = await this.parse(ServerStart)
    const project = await readProject(flags.project)
    const vault = await ensureVaultBinary({vaultBin: flags['vault-bin'], onProgress: (line) => this.logToStderr(line)})
    const {state, alreadyRunning} = await startDevServer(project, vault.path)
    this.log(`${alreadyRunning ? 'Already running' : 'Started'}: Vault dev server at ${state.addr} (pid ${state.pid})`)
    this.log(`plugin directory ${state.pluginDir}`)
    this.log(`root token ${maskToken(state.token)} (vaultkit server status --show-token), log ${state.logFile}`)
    return {alreadyRunning, addr: state.addr, pid: state.pid, pluginDir: state.pluginDir, logFile: state.logFile}
  }
}
