import {realpath} from 'node:fs/promises'
import {basename, delimiter, dirname} from 'node:path'

import {shellQuote} from '../cli/output.js'
import {findOnPath} from '../paths.js'

/**
 * How to run the vault CLI a dev server came from: `vault` or `bao` when its folder is (or can be put) on
 * PATH, else its full path. The commands plugin dev prints use this, so they work as printed.
 */
export function cliCommand(vaultBin: string): string {
  const name = basename(vaultBin)
  return name === 'vault' || name === 'bao' ? name : shellQuote(vaultBin)
}

export interface ShellEnv {
  /** `export ...` lines for a POSIX shell's eval. */
  lines: string[]
  /** A folder put first on PATH, when the binary was not what PATH finds under its name. */
  pathDir?: string
  /** Why PATH could not help, and what to run instead. */
  note?: string
}

/**
 * VAULT_ADDR and VAULT_TOKEN (and BAO_ for OpenBao, whose CLI reads those first), and the binary's folder
 * first on PATH unless PATH already finds this very binary under its name. A folder already on PATH is not
 * moved ahead of the others: that would change which of its neighbours' commands the shell runs.
 */
export async function shellEnv(server: {addr: string; token: string; vaultBin: string}, env: NodeJS.ProcessEnv = process.env): Promise<ShellEnv> {
  const name = basename(server.vaultBin)
  const lines = [`export VAULT_ADDR=${server.addr}`, `export VAULT_TOKEN=${server.token}`]
  if (name === 'bao') lines.push(`export BAO_ADDR=${server.addr}`, `export BAO_TOKEN=${server.token}`)
  if (name !== 'vault' && name !== 'bao') {
    return {lines, note: `${server.vaultBin} is not named vault, so PATH cannot find it: run it by its path, or link it as vault into a folder on PATH`}
  }
  const wanted = await realpath(server.vaultBin).catch(() => server.vaultBin)
  const found = await whichReal(name, env)
  if (found === wanted) return {lines}
  const dir = dirname(server.vaultBin)
  lines.push(`export PATH=${shellQuote(dir)}${delimiter}"$PATH"`)
  return {lines, pathDir: dir}
}

/** The real path of what a shell would run for `name` with this PATH. */
async function whichReal(name: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const found = await findOnPath([name], env)
  return found && realpath(found).catch(() => found)
}
