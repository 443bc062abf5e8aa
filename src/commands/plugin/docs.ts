import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {projectFlag, vaultBinFlag} from '../../lib/cli/shared-flags.js'
import {type DocsFormat, type PluginDocsResult, pluginDocs} from '../../lib/docs/plugin-docs.js'
import {shownPath} from '../../lib/paths.js'
import {requireLocalServerSupport} from '../../lib/vault/processes.js'

export default class PluginDocs extends BaseCommand {
  static override summary = "Write the plugin's API reference from the OpenAPI document it gives Vault"
  static override description =
    "Deploys the current build to the project's dev server as `plugin dev` does (starting it, or using the running one), reads the mount's OpenAPI from Vault, and writes docs/api.md: a section per path, with each operation's method and URL, a parameters table (type, required, default, description; sensitive and write-only fields marked), a sample payload, a curl and a vault command, and a sample response from the response schema. The file depends on nothing but the plugin, so --check (exit 1 and the diff when it differs) keeps it from drifting. --format json writes the mount's OpenAPI document instead (docs/openapi.json), for client generators. A database plugin gets the paths of Vault's database engine a user of it calls, with the connection settings its binary prints with -connection-settings (as plugins of the database kind do). A server this started is stopped at the end."

  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --check', '<%= config.bin %> <%= command.id %> --format json --out api/openapi.json']

  static override flags = {
    project: projectFlag,
    path: Flags.string({description: 'mount path the examples use (default: the project\'s)'}),
    out: Flags.string({description: 'file to write, relative to the project (default: docs/api.md, or docs/openapi.json with --format json)'}),
    format: Flags.string({description: 'Markdown reference, or the OpenAPI document', options: ['markdown', 'json'], default: 'markdown'}),
    check: Flags.boolean({description: 'write nothing: exit 1 with the diff when the file differs from what the plugin says now'}),
    'vault-bin': vaultBinFlag,
  }

  async run(): Promise<PluginDocsResult> {
    const {flags} = await this.parse(PluginDocs)
    requireLocalServerSupport()
    // Ctrl-C ends the run after the step it is in, so that a dev server this started is stopped.
    const controller = new AbortController()
    const stop = () => controller.abort()
    process.on('SIGINT', stop).on('SIGTERM', stop)
    const result = await pluginDocs({
      projectDir: flags.project,
      path: flags.path,
      out: flags.out,
      format: flags.format as DocsFormat,
      check: flags.check,
      vaultBin: flags['vault-bin'],
      log: (line) => process.stderr.write(`${line}\n`),
      signal: controller.signal,
    }).finally(() => process.off('SIGINT', stop).off('SIGTERM', stop))
    const file = shownPath(result.file)
    if (flags.check) {
      if (result.changed) {
        // With --json, the diff is in the result.
        if (!this.jsonEnabled()) process.stdout.write(result.diff ?? '')
        const again = [flags.format === 'json' ? ' --format json' : '', flags.path ? ` --path ${flags.path}` : '', flags.out ? ` --out ${flags.out}` : ''].join('')
        process.stderr.write(`${file} does not match the plugin: run \`vaultkit plugin docs${again}\` and commit it\n`)
        process.exitCode = 1
      } else this.log(`${file} matches the plugin (${result.paths} paths)`)
    } else this.log(result.changed ? `Wrote ${file} (${result.paths} paths)` : `${file} is up to date (${result.paths} paths)`)
    return result
  }
}
