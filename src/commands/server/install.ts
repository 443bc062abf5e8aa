import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {vaultBinFlag} from '../../lib/cli/shared-flags.js'
import {ensureVaultBinary} from '../../lib/vault/install/install.js'
import {vaultRelease} from '../../lib/versions.js'

export default class ServerInstall extends BaseCommand {
  static override summary = 'Get a Vault binary: find one, or download the official release (else build it from source)'
  static override description = `Looks for --vault-bin, VAULTKIT_VAULT_BIN, vault or OpenBao's bao on PATH, then the cache (~/.cache/vaultkit). Otherwise downloads Vault ${vaultRelease.version} for this OS and CPU from releases.hashicorp.com (or the mirror in VAULTKIT_RELEASES_URL, or "releasesUrl" in ~/.config/vaultkit/config.json), checks HashiCorp's signature and the checksum, and unpacks it into the cache. If the site cannot be reached, builds it with the Go toolchain from the Go module proxy instead: several minutes the first time.`

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    `<%= config.bin %> <%= command.id %> --version ${vaultRelease.version}`,
    '<%= config.bin %> <%= command.id %> --from source',
  ]

  static override flags = {
    version: Flags.string({description: 'Vault release to get when none is found', default: vaultRelease.version}),
    from: Flags.string({description: 'get Vault only from the official release, or only by building it (default: release, else source)', options: ['release', 'source']}),
    'vault-bin': vaultBinFlag,
  }

  async run() {
    const {flags} = await this.parse(ServerInstall)
    const version = flags.version.startsWith('v') ? flags.version : `v${flags.version}`
    const vault = await ensureVaultBinary({
      vaultBin: flags['vault-bin'],
      version,
      build: true,
      from: flags.from as 'release' | 'source' | undefined,
      onProgress: (line) => this.logToStderr(line),
    })
    this.log(`${vault.version} at ${vault.path} (${vault.source})`)
    return vault
  }
}
