import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../../lib/base-command.js'
import {type RegisterResult, registerPlugin, registrationFromFlags} from '../../lib/register.js'
import {databaseConnection, databaseFlags, projectFlag, vaultAddrFlag} from '../../lib/shared-flags.js'
import {VaultClient} from '../../lib/vault/client.js'
import {resolveConnection} from '../../lib/vault/connection.js'

export default class PluginRegister extends BaseCommand {
  static override summary = 'Register the plugin with Vault, then enable it or reload it'
  static override description =
    'Adds the binary to the plugin catalog (type, name, sha256, command, version), then enables the mount, or, when the mount already runs another version or build, tunes it to this version and reloads it. Running it twice changes nothing.'

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --path hello-dev',
    '<%= config.bin %> <%= command.id %> --binary ./vault/plugins/my-plugin --type secret --name my-plugin --plugin-version 1.0.0',
    '<%= config.bin %> <%= command.id %> --vault-addr https://vault.example.com --type secret --name my-plugin --command my-plugin --sha256 <hex>',
  ]

  static override flags = {
    project: projectFlag,
    'vault-addr': vaultAddrFlag,
    path: Flags.string({description: 'mount path (default: the plugin name)'}),
    binary: Flags.string({description: 'register this binary instead of the project build'}),
    type: Flags.string({description: 'plugin type, with --binary or --sha256', options: ['secret', 'auth', 'database']}),
    name: Flags.string({description: 'catalog name (default: the project plugin name)'}),
    'plugin-version': Flags.string({description: 'version to register, with --binary or --sha256'}),
    sha256: Flags.string({description: 'sha256 of a binary already in the server plugin directory (no local file read)'}),
    command: Flags.string({description: 'file name of the binary in the server plugin directory'}),
    ...databaseFlags,
  }

  async run(): Promise<RegisterResult> {
    const {flags} = await this.parse(PluginRegister)
    const options = await registrationFromFlags({
      ...flags,
      version: flags['plugin-version'],
      database: databaseConnection(flags),
    })
    const connection = await resolveConnection({addr: flags['vault-addr'], projectDir: flags.project})
    const result = await registerPlugin(new VaultClient(connection), options)
    this.log(`Vault ${connection.addr} (${connection.source})`)
    this.log(`catalog ${result.type}/${result.name} ${result.version || '(no version)'}: ${result.catalog}`)
    const where = result.type === 'database' ? `${result.path}/config/${result.name}` : `mount ${result.path}/`
    this.log(`${where}: ${result.mount}`)
    return result
  }
}
