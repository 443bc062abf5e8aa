import * as Flags from '@oclif/core/flags'

import {UserError} from '../errors.js'
import {LOG_LEVELS, type LogLevel} from '../dev/log-levels.js'
import type {DatabaseConnection} from '../registration/register-database.js'

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

/** Database plugins: the connection Vault's database engine is configured with. Values are never printed. */
export const databaseFlags = {
  'connection-url': Flags.string({
    description: 'database plugins: connection URL with {{username}} and {{password}}, e.g. postgres://{{username}}:{{password}}@127.0.0.1:5432/postgres',
  }),
  'db-username': Flags.string({description: 'database plugins: the user Vault connects as'}),
  'db-password': Flags.string({description: 'database plugins: its password (or VAULTKIT_DB_PASSWORD, which stays out of shell history)'}),
}

/** What databaseFlags gave, as a connection; the password may come from VAULTKIT_DB_PASSWORD instead. */
export function databaseConnection(flags: {'connection-url'?: string; 'db-username'?: string; 'db-password'?: string}): DatabaseConnection {
  return {
    connectionUrl: flags['connection-url'],
    username: flags['db-username'],
    password: flags['db-password'] ?? (process.env.VAULTKIT_DB_PASSWORD || undefined),
  }
}

/** Lets a kind run its author's own commands (template.json "commands"). */
export const trustFlag = Flags.boolean({
  description: "allow the kind's own commands (template.json \"commands\") to run",
  default: false,
})

/** Which log lines `plugin dev` and `plugin logs` show. */
export const logFlags = {
  'log-level': Flags.option({
    options: LOG_LEVELS,
    default: 'info' as LogLevel,
    description: "lowest level of the plugin's log lines to show (the dev server logs at debug at least, so panics are kept)",
  })(),
  'vault-logs': Flags.boolean({description: "show Vault's own log lines too", default: false}),
}

export const vulnDbFlag = Flags.string({
  description: "the vulnerability database govulncheck reads: a URL or a file:// folder (default: VAULTKIT_VULN_DB, else govulncheck's, https://vuln.go.dev)",
})

/** An advisory id of the Go vulnerability database, as --allow-vuln takes it. */
export function checkAdvisoryId(id: string): void {
  if (!/^GO-\d{4}-\d{4,}$/.test(id)) throw new UserError(`--allow-vuln ${id} is not an advisory id`, 'pass one as govulncheck and `vaultkit plugin audit` print it, e.g. GO-2026-4918')
}

/** A GOOS/GOARCH pair, as --platform takes it; go itself says whether it knows the pair. */
export function checkPlatform(platform: string): void {
  if (!/^[a-z0-9]+\/[a-z0-9]+$/.test(platform)) throw new UserError(`--platform ${platform} is not OS/ARCH`, 'pass one as go names them, e.g. linux/amd64 or windows/amd64')
}
