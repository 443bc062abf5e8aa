import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {databaseConnection, databaseFlags, projectFlag, vaultBinFlag} from '../../lib/cli/shared-flags.js'
import {UserError} from '../../lib/errors.js'
import {type PluginTestResult, runPluginTest} from '../../lib/testing/plugin-test.js'
import {requireLocalServerSupport} from '../../lib/vault/processes.js'

export default class PluginTest extends BaseCommand {
  static override summary = "Run the plugin's unit tests, then its acceptance tests against it built and mounted in a real Vault"
  static override description =
    "The unit tier is `go test ./...` (with the project's build tags). Then, as `plugin dev` does, the project's dev server (or its cluster, or --nodes 3) is started or reused and the current build is registered and mounted, and the acceptance tier runs the tests the unit tier skipped, with VAULT_ACC=1, VAULT_ADDR, VAULT_TOKEN, VAULT_PLUGIN_MOUNT, VAULT_PLUGIN_NAME, VAULT_PLUGIN_TYPE and VAULT_PLUGIN_VERSION set (and PG_URL passed through, for the database kind): HashiCorp's plugins' acceptance tests skip without VAULT_ACC, so they run unchanged. A server this started is stopped at the end. Exits 0 only when both tiers pass. Arguments after -- go to go test in both tiers. With --cover, the unit tier runs with -cover and the plugin is built with -cover and registered with GOCOVERDIR in its catalog env; at the end the plain build replaces it, so that it exits and writes its counters, and both tiers are merged with `go tool covdata` into coverage.out."

  static override strict = false
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --run Creds -- -race -v',
    '<%= config.bin %> <%= command.id %> --nodes 3 --json',
    '<%= config.bin %> <%= command.id %> --cover && go tool cover -html=coverage.out',
  ]

  static override flags = {
    project: projectFlag,
    nodes: Flags.string({description: 'run the acceptance tier on a raft cluster of 3 or 5 nodes (default: what the project runs, else its dev server)', options: ['1', '3', '5']}),
    path: Flags.string({description: 'mount path (default: the plugin name)'}),
    run: Flags.string({description: 'go test -run for the unit tier; the acceptance tier runs the matching tests it skipped'}),
    cover: Flags.boolean({description: 'measure the statements both tiers ran, the plugin inside Vault included, into one profile'}),
    coverprofile: Flags.string({description: 'where the profile that `go tool cover -html` opens is written, relative to the project (implies --cover; default coverage.out)'}),
    'vault-bin': vaultBinFlag,
    ...databaseFlags,
  }

  async run(): Promise<PluginTestResult> {
    // Everything after -- goes to go test as it is (-timeout 30m, -count 2); nothing else may be left over.
    const dashes = this.argv.indexOf('--')
    const goTestArgs = dashes === -1 ? [] : this.argv.slice(dashes + 1)
    const {flags, argv} = await this.parse(PluginTest, dashes === -1 ? this.argv : this.argv.slice(0, dashes))
    if (argv.length) throw new UserError(`unexpected argument "${String(argv[0])}"`, 'go test flags go after --, e.g. `vaultkit plugin test -- -race -timeout 30m`')
    requireLocalServerSupport()
    let stopped = () => {}
    const stop = new Promise<void>((resolve) => {
      stopped = resolve
    })
    // Kept registered until the end (not once): with no listener left, execa's signal-exit would re-raise
    // the signal and end vaultkit before it stops the server it started.
    process.on('SIGINT', stopped).on('SIGTERM', stopped)
    const result = await runPluginTest({
      projectDir: flags.project,
      nodes: flags.nodes === undefined ? undefined : Number(flags.nodes),
      vaultBin: flags['vault-bin'],
      path: flags.path,
      database: databaseConnection(flags),
      run: flags.run,
      goTestArgs,
      // As with go test, -coverprofile implies -cover.
      coverProfile: flags.coverprofile ?? (flags.cover ? 'coverage.out' : undefined),
      // With --json, stdout is the result alone; the progress lines go to stderr either way.
      log: (line) => process.stderr.write(`${line}\n`),
      stop,
    }).finally(() => process.off('SIGINT', stopped).off('SIGTERM', stopped))
    if (!result.ok) {
      const failed = result.tiers.filter((t) => t.failed > 0).map((t) => t.tier)
      // Written directly: with --json, oclif's logToStderr is silent, and this line is the verdict.
      process.stderr.write(`the ${failed.join(' and ')} tier${failed.length > 1 ? 's' : ''} failed: ${result.tiers.flatMap((t) => t.failures).join(', ')}\n`)
      process.exitCode = 1
    }
    return result
  }
}
