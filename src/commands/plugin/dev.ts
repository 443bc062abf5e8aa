import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {startDevLoop} from '../../lib/dev/dev.js'
import {databaseConnection, databaseFlags, logFlags, projectFlag, vaultBinFlag} from '../../lib/cli/shared-flags.js'
import {requireLocalServerSupport} from '../../lib/vault/processes.js'

export default class PluginDev extends BaseCommand {
  static override enableJsonFlag = false
  static override summary = 'Build, register and run the plugin in a dev server, and reload it on every change'
  static override description =
    'Starts (or reuses) the project dev server, builds the plugin, registers and enables it, and sends a smoke request through the HTTP API. Then watches the Go sources: each change is rebuilt, re-registered and reloaded without restarting the server. A compile error is shown and the running plugin keeps serving. The plugin’s own log lines (and a panic’s stack trace) are shown as Vault logs them. Ctrl-C stops the loop, and the server if this command started it. On the project’s cluster (`server start --nodes 3`) each round puts the build into every node’s plugin directory as <binary>_v<version> (renamed over the previous build of that version), registers it once and reloads it with scope=global; the cluster keeps running afterwards.'

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --project ./vault-plugin-secrets-hello --path hello-dev',
    '<%= config.bin %> <%= command.id %> --log-level debug --vault-logs',
    'VAULTKIT_DB_PASSWORD=... <%= config.bin %> <%= command.id %> --connection-url "postgres://{{username}}:{{password}}@127.0.0.1:5432/postgres" --db-username vault',
  ]
  static override flags = {
    project: projectFlag,
    path: Flags.string({description: 'mount path (default: the plugin name)'}),
    'vault-bin': vaultBinFlag,
    ...databaseFlags,
    ...logFlags,
    debug: Flags.boolean({description: 'build without optimisations and attach a headless Delve to the plugin after every reload (on a cluster: the active node’s plugin)', default: false}),
    'debug-port': Flags.integer({description: 'port on 127.0.0.1 where Delve listens (with --debug)', default: 2345, min: 1, max: 65535}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(PluginDev)
    requireLocalServerSupport()
    // The first Ctrl-C ends the loop cleanly; a second one while it winds down still stops what it started.
    let signals = 0
    let endNow = () => {}
    const stop = new Promise<void>((resolve) => {
      const onSignal = () => {
        signals++
        if (signals === 1) resolve()
        else endNow()
      }
      process.on('SIGINT', onSignal).on('SIGTERM', onSignal)
    })
    const loop = startDevLoop({
      projectDir: flags.project,
      path: flags.path,
      vaultBin: flags['vault-bin'],
      database: databaseConnection(flags),
      logs: {level: flags['log-level'], vaultLogs: flags['vault-logs']},
      debugPort: flags.debug ? flags['debug-port'] : undefined,
      log: (line) => this.log(line),
      logError: (text) => process.stderr.write(`${text}\n`),
      stop,
    })
    endNow = () => void loop.forceStop().finally(() => process.exit(130))
    await loop.done
  }
}
