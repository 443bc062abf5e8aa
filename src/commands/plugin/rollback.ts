import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {rollbackPlugin, versionsTarget} from '../../lib/registration/plugin-versions.js'
import {PLUGIN_TYPE, PLUGIN_TYPE_WORDS} from '../../lib/project/plugin-types.js'
import {projectFlag, vaultAddrFlag} from '../../lib/cli/shared-flags.js'

export default class PluginRollback extends BaseCommand {
  static override summary = 'Tune the mount back to the previous registered version (or --to VERSION) and reload it; its data stays'
  static override description =
    'Needs no rebuild: each registered version keeps its own binary (<binary>_v<version>) in the plugin directory. On the project\'s cluster it first checks every node holds that binary, and reloads with scope=global. A version pinned with sys/plugins/pins overrides every mount, so a pin is reported rather than worked around.'

  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --to 0.2.0']
  static override flags = {
    project: projectFlag,
    'vault-addr': vaultAddrFlag,
    to: Flags.string({description: 'version to go to (default: the newest one older than what the mount runs)'}),
    path: Flags.string({description: 'mount path (default: the plugin name; database: the database engine)'}),
    type: Flags.string({description: 'plugin type (default: the project\'s)', options: [...PLUGIN_TYPE_WORDS]}),
    name: Flags.string({description: 'catalog name (default: the project\'s plugin name)'}),
  }

  async run() {
    const {flags} = await this.parse(PluginRollback)
    const {plugin, client, cluster} = await versionsTarget({...flags, vaultAddr: flags['vault-addr']})
    const result = await rollbackPlugin(client, plugin, {path: flags.path ?? PLUGIN_TYPE[plugin.type].defaultPath(plugin.name), to: flags.to, cluster})
    this.log(result.from === result.to ? `${result.path}/ already runs ${result.to}` : `${result.path}/: ${result.from} -> ${result.to}, reloaded`)
    return result
  }
}
