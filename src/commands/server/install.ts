import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../../lib/base-command.js'
import {vaultBinFlag} from '../../lib/shared-flags.js'
import {ensureVaultBinary} from '../../lib/vault/install.js'
import {vaultRelease} from '../../lib/versions.js'

export default class ServerInstall extends BaseCommand {
  static override summary = 'Get a Vault binary: find one, or build the pinned release from its Go module'
  static override description = `Looks for --vault-bin, VAULTKIT_VAULT_BIN, vault or OpenBao's bao on PATH, then an earlier build in the cache (~/.cache/vaultkit). Otherwise builds Vault ${vaultRelease.version} with the Go toolchain from the Go module proxy: several minutes the first time, instant after.`

  static override examples = ['<%= config.bin %> <%= command.id %>', `<%= config.bin %> <%= command.id %> --version ${vaultRelease.version}`]
  static override flags = {
    version: Flags.string({description: 'Vault release to build when none is found', default: vaultRelease.version}),
    'vault-bin': vaultBinFlag,
  }

  async run() {
    const {flags} = await this.parse(ServerInstall)
    const version = flags.version.startsWith('v') ? flags.version : `v${flags.version}`
    const vault = await ensureVaultBinary({
      vaultBin: flags['vault-bin'],
      version,
      build: true,
      onProgress: (line) => this.logToStderr(line),
    })
    this.log(`${vault.version} at ${vault.path} (${vault.source})`)
    return vault
  }
}
