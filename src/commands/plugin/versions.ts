import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {pluginVersions, versionsTarget} from '../../lib/registration/plugin-versions.js'
import {PLUGIN_TYPE_WORDS} from '../../lib/project/plugin-types.js'
import {projectFlag, vaultAddrFlag} from '../../lib/cli/shared-flags.js'

export default class PluginVersions extends BaseCommand {
  static override summary = 'List the versions of the plugin in the catalog: sha256, the mounts that run each, and on a cluster the nodes that hold it'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --vault-addr https://vault.example.com --type secret --name hello --json']
  static override flags = {
    project: projectFlag,
    'vault-addr': vaultAddrFlag,
    type: Flags.string({description: 'plugin type (default: the project\'s)', options: [...PLUGIN_TYPE_WORDS]}),
    name: Flags.string({description: 'catalog name (default: the project\'s plugin name)'}),
  }

  async run() {
    const {flags} = await this.parse(PluginVersions)
    const {plugin, client, cluster} = await versionsTarget({...flags, vaultAddr: flags['vault-addr']})
    const result = await pluginVersions(client, plugin, cluster)
    this.log(`${plugin.type}/${plugin.name} in the catalog of ${client.addr}${result.pinned ? ` (pinned to ${result.pinned})` : ''}`)
    if (result.versions.length === 0) this.log('  no versions registered: run `vaultkit plugin register`')
    for (const v of result.versions) {
      const nodes = v.nodes ? `  nodes ${v.nodes.join(', ') || 'none'}` : ''
      this.log(`  ${v.version.padEnd(10)} ${v.sha256.slice(0, 12)}  ${v.command}  mounts ${v.mounts.join(', ') || '-'}${nodes}`)
    }
    return result
  }
}
