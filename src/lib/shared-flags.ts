import * as Flags from '@oclif/core/flags'

/** Flags that several commands share, defined once. */
export const projectFlag = Flags.string({
  char: 'p',
  description: 'plugin project folder (default: the current folder)',
  default: '.',
})

export const vaultAddrFlag = Flags.string({
  description: 'Vault address (default: VAULT_ADDR, else the dev server of the project)',
})

export const vaultBinFlag = Flags.string({
  description: 'vault (or OpenBao bao) binary to use (default: VAULTKIT_VAULT_BIN, PATH, then the cache)',
})
