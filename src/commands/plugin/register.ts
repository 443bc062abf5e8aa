import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {configFiles} from '../../lib/templates/search-path.js'
import {UserError} from '../../lib/errors.js'
import {PLUGIN_TYPE_WORDS, type PluginType, parsePluginType} from '../../lib/project/plugin-types.js'
import {readProject} from '../../lib/project/project.js'
import {type ClusterRegisterResult, type ClusterRequirement, clusterRequirement, registerOnCluster} from '../../lib/registration/register-cluster.js'
import {type RegisterResult, type Registration, registerPlugin} from '../../lib/registration/register.js'
import {databaseConnection, databaseFlags, projectFlag, vaultAddrFlag} from '../../lib/cli/shared-flags.js'
import {VaultClient} from '../../lib/vault/client.js'
import {projectCluster} from '../../lib/vault/cluster-state.js'
import {resolveConnection} from '../../lib/vault/connection.js'

export default class PluginRegister extends BaseCommand {
  static override summary = 'Register the plugin with Vault, then enable it or reload it'
  static override description =
    "Adds the binary to the plugin catalog (type, name, sha256, command, version), then enables the mount, or, when the mount already runs another version or build, tunes it to this version and reloads it. Running it twice changes nothing. Without --plugin-version, a binary vaultkit did not build is registered under the version it reports, as Vault reads it. On the project's cluster (`server start --nodes 3`) it first puts the binary into every node's plugin directory as <binary>_v<version> (a hard link where on the same disk, else a copy; renamed into place), and reloads with scope=global. --from-release checks the zip once and installs it on every node the same way. With --trust (or \"trustedKeys\" in the config file), the release's SHA256SUMS must carry a signature by one of those keys (RSA or Ed25519), checked before anything is installed."

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --path hello-dev',
    '<%= config.bin %> <%= command.id %> --binary ./vault/plugins/my-plugin --type secrets --name my-plugin',
    '<%= config.bin %> <%= command.id %> --vault-addr https://vault.example.com --type secrets --name my-plugin --command my-plugin --sha256 <hex>',
    '<%= config.bin %> <%= command.id %> --from-release ./dist',
  ]

  static override flags = {
    project: projectFlag,
    'vault-addr': vaultAddrFlag,
    path: Flags.string({description: 'mount path (default: the plugin name)'}),
    binary: Flags.string({description: 'register this binary instead of the project build', exclusive: ['sha256']}),
    type: Flags.string({description: 'plugin type, with --binary or --sha256', options: [...PLUGIN_TYPE_WORDS]}),
    name: Flags.string({description: 'catalog name (default: the project plugin name)'}),
    'plugin-version': Flags.string({description: 'version to register, with --binary or --sha256 (default: the version the binary reports, as Vault reads it)'}),
    sha256: Flags.string({description: 'sha256 of a binary already in the server plugin directory (no local file read)'}),
    command: Flags.string({description: 'file name of the binary in the server plugin directory, with --sha256'}),
    trust: Flags.string({
      description: 'with --from-release: an armored public key (gpg --export --armor) the release must be signed with, repeatable (default: "trustedKeys" in ~/.config/vaultkit/config.json)',
      multiple: true,
      dependsOn: ['from-release'],
    }),
    'from-release': Flags.string({
      description: "a release folder (plugin release, make release): this host's zip is checked against its SHA256SUMS and its binary installed into the server plugin directory as <binary>_v<version>, then registered",
      exclusive: ['binary', 'sha256', 'command', 'type', 'plugin-version'],
    }),
    ...databaseFlags,
  }

  async run(): Promise<RegisterResult | ClusterRegisterResult | (RegisterResult & {cluster?: ClusterRequirement})> {
    const {flags} = await this.parse(PluginRegister)
    const placement = {path: flags.path, database: databaseConnection(flags)}
    let registration: Registration
    if (flags['from-release'] !== undefined) {
      const {readTrustedKeys} = await import('../../lib/registration/release-install.js')
      const files = flags.trust ?? configFiles('trustedKeys')
      registration = {from: 'release', dir: flags['from-release'], name: flags.name, trusted: files.length ? await readTrustedKeys(files) : undefined, ...placement}
    } else if (flags.binary === undefined && flags.sha256 === undefined) {
      registration = {from: 'project', project: await readProject(flags.project), name: flags.name, ...placement}
    } else {
      const named = {type: typeFlag(flags.type), name: nameFlag(flags.name), version: versionFlag(flags['plugin-version']), ...placement}
      if (flags.binary !== undefined) registration = {from: 'binary', binary: flags.binary, ...named}
      else {
        if (flags.command === undefined) throw new UserError('--sha256 needs --command', "pass the file name of the binary in the server's plugin directory")
        registration = {from: 'remote', sha256: flags.sha256!, command: flags.command, ...named}
      }
    }
    const cluster = await projectCluster(flags.project, flags['vault-addr'])
    if (cluster) {
      const result = await registerOnCluster(cluster, registration)
      this.log(`cluster of ${result.nodes.length} nodes`)
      for (const node of result.nodes) {
        const note = node.role === 'down' ? ' (down: it serves this version once `vaultkit server start` brings it back)' : ''
        this.log(`  ${node.id.padEnd(7)} ${node.role.padEnd(8)} ${node.binary} ${node.file}${note}`)
      }
      this.printResult(result)
      return result
    }
    const connection = await resolveConnection({addr: flags['vault-addr'], projectDir: flags.project})
    const client = new VaultClient(connection)
    const result = await registerPlugin(client, registration)
    this.log(`Vault ${connection.addr} (${connection.source})`)
    this.printResult(result)
    // A dev server is a single node: no need to ask.
    const requirement = connection.kind === 'dev-server' ? undefined : await clusterRequirement(client, result)
    if (requirement) {
      this.log(`This Vault is a ${requirement.nodes}-node cluster (${requirement.nodeIds.join(', ')}): each node's plugin directory must hold`)
      this.log(`  ${requirement.command} with sha256 ${requirement.sha256}`)
      this.log('  or the mount fails on the node that becomes active after a failover.')
    }
    return {...result, cluster: requirement}
  }

  private printResult(result: RegisterResult) {
    const {signature} = result
    if (signature?.status === 'verified') this.log(`signature: verified, SHA256SUMS signed by trusted key ${signature.fingerprint}`)
    else if (signature?.signed) this.log('signature: not verified (the release is signed, but no key is trusted: pass --trust KEYFILE)')
    else if (signature) this.log('signature: not verified (the release is not signed; --trust KEYFILE would refuse it)')
    this.log(`catalog ${result.type}/${result.name} ${result.version ?? '(unversioned)'}: ${result.catalog}`)
    const where = result.type === 'database' ? `${result.path}/config/${result.name}` : `mount ${result.path}/`
    this.log(`${where}: ${result.mount}`)
  }
}

function typeFlag(word: string | undefined): PluginType {
  const type = word === undefined ? undefined : parsePluginType(word)
  if (!type) throw new UserError('--type is missing', 'pass --type secrets, auth or database with --binary or --sha256')
  return type
}

function nameFlag(name: string | undefined): string {
  if (!name) throw new UserError('--name is missing', 'pass the catalog name to register the plugin under')
  return name
}

const versionFlag = (version: string | undefined) => (version === undefined ? undefined : `v${version.replace(/^v/, '')}`)
