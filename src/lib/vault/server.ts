import {closeSync, openSync} from 'node:fs'
import {mkdir, readFile, realpath, writeFile} from 'node:fs/promises'
import {createServer} from 'node:net'
import {join} from 'node:path'
import {randomBytes} from 'node:crypto'

import {UserError} from '../errors.js'
import type {LogLevel} from '../dev/log-levels.js'
import type {PluginProject} from '../project/project.js'
import {VaultClient} from './client.js'
import {portIsFree} from './cluster-config.js'
import {readClusterState} from './cluster-state.js'
import {isProcessAlive, isVaultServer, requireLocalServerSupport} from './processes.js'
import {makeStateDir, readState, removeState, type ServerState, writeState} from './state.js'

export {isOurServer}

/** A client for the dev server a state file describes, with its root token. */
export function devServerClient(state: Pick<ServerState, 'addr' | 'token'>): VaultClient {
  return new VaultClient({addr: state.addr, token: state.token, source: 'the dev server'})
}

/** The pid is the dev server this state describes, not a process that reused the pid. */
function isOurServer(state: ServerState): boolean {
  return isVaultServer(state.pid, `-dev-listen-address=127.0.0.1:${state.port}`)
}

/** A port whose neighbour is free too: Vault puts a listener's cluster port at port + 1. */
async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer()
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => {
        const address = server.address()
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
      })
    })
    if (port > 0 && port < 65535 && (await portIsFree(port + 1))) return port
  }
  throw new UserError('No free pair of ports on 127.0.0.1', 'stop some local servers and try again')
}

export interface StartResult {
  state: ServerState
  alreadyRunning: boolean
}

/**
 * Starts `vault server -dev` for a project: 127.0.0.1 on a free port, a random root token, the project's
 * plugin directory. Idempotent: a server this project already runs is reused. It logs at debug unless told
 * otherwise: a plugin's panic reaches Vault's log only at debug (see vault/plugin-logs.ts).
 */
export async function startDevServer(project: PluginProject, vaultBin: string, logLevel: LogLevel = 'debug'): Promise<StartResult> {
  requireLocalServerSupport()
  if (await readClusterState(project.dir)) {
    throw new UserError(
      'This project runs a raft cluster (`vaultkit server start --nodes`), not a dev server',
      '`vaultkit plugin dev` and `vaultkit plugin register` use it; or `vaultkit server stop` it first',
    )
  }
  const existing = await readState(project.dir)
  if (existing && isOurServer(existing)) {
    if (await isHealthy(devServerClient(existing), true)) return {state: existing, alreadyRunning: true}
    // Ours but not answering: end it rather than leave it running beside a new one.
    await stopDevServer(project.dir)
  }
  await removeState(project.dir)

  // Vault compares the plugin directory with the binary's resolved path, so it must not contain symlinks.
  await mkdir(project.pluginDir, {recursive: true})
  const pluginDir = await realpath(project.pluginDir)
  const dir = await makeStateDir(project.dir)
  const configFile = join(dir, 'dev.hcl')
  await writeFile(configFile, `# Written by vaultkit server start: dev only.\nplugin_directory = ${JSON.stringify(pluginDir)}\ndisable_mlock = true\n`)
  const port = await freePortPair()
  const token = `vk-dev-${randomBytes(18).toString('base64url')}`
  const logFile = join(dir, 'vault.log')
  const log = openSync(logFile, 'w', 0o600)
  const args = ['server', '-dev', `-dev-listen-address=127.0.0.1:${port}`, `-config=${configFile}`, `-log-level=${logLevel}`]
  // child_process on first use: commands that only talk to a running server do not load it.
  const child = process.getBuiltinModule('node:child_process').spawn(vaultBin, args, {
    cwd: project.dir,
    detached: true,
    // stdout carries the dev banner, which prints the root token: it goes nowhere. Logs go to stderr.
    stdio: ['ignore', 'ignore', log],
    env: {...withoutVaultVariables(process.env), VAULT_DEV_ROOT_TOKEN_ID: token},
  })
  closeSync(log)
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code) => resolve(`exit code ${code}`))
    child.once('error', (error) => resolve(error.message))
  })
  child.unref()
  if (!child.pid) throw new UserError(`Vault could not be started: ${await exited}`, `check ${vaultBin} runs`)

  const state: ServerState = {
    addr: `http://127.0.0.1:${port}`,
    token,
    pid: child.pid,
    port,
    logFile,
    pluginDir,
    vaultBin,
    startedAt: new Date().toISOString(),
  }
  // Recorded before waiting, so an interrupted start still leaves a server that `server stop` can end.
  await writeState(project.dir, state)
  const client = devServerClient(state)
  const deadline = Date.now() + 30_000
  while (!(await isHealthy(client))) {
    const outcome = await Promise.race([exited, new Promise<string>((r) => setTimeout(r, 100, 'waiting'))])
    if (outcome !== 'waiting') {
      await removeState(project.dir)
      throw new UserError(`Vault exited at start (${outcome}): ${await lastLogLine(logFile)}`, `see ${logFile}`)
    }
    if (Date.now() > deadline) {
      await stopDevServer(project.dir)
      throw new UserError('Vault did not answer within 30 s of starting', `see ${logFile}`)
    }
  }
  return {state, alreadyRunning: false}
}

/** A dev server or a cluster node must not inherit a production VAULT_ADDR or VAULT_TOKEN meant for something else. */
export function withoutVaultVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith('VAULT_')))
}

/** Ready to serve; or, with `evenSealed`, up at all (Vault answers 200 for sealed and standby when asked to). */
async function isHealthy(client: VaultClient, evenSealed = false): Promise<boolean> {
  try {
    await client.get(evenSealed ? HEALTH_EVEN_SEALED : 'sys/health')
    return true
  } catch {
    return false
  }
}

export const HEALTH_EVEN_SEALED = 'sys/health?sealedcode=200&standbycode=200&uninitcode=200'

/** The line that says why Vault stopped: the last error it logged, else its last line. */
export async function lastLogLine(file: string): Promise<string> {
  const lines = (await readFile(file, 'utf8').catch(() => '')).trim().split('\n')
  return (lines.findLast((line) => /error/i.test(line)) ?? lines.at(-1))?.trim() || 'no log output'
}

/** Stops the dev server this project started, and only that process. */
export async function stopDevServer(projectDir: string): Promise<{stopped: boolean; state?: ServerState}> {
  const state = await readState(projectDir)
  if (!state) return {stopped: false}
  await removeState(projectDir)
  if (state.pid <= 1 || !isOurServer(state)) return {stopped: false, state}
  process.kill(state.pid, 'SIGTERM')
  const deadline = Date.now() + 15_000
  while (isProcessAlive(state.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
  if (isProcessAlive(state.pid)) process.kill(state.pid, 'SIGKILL')
  return {stopped: true, state}
}

export interface ServerStatus {
  running: boolean
  state?: ServerState
  version?: string
  sealed?: boolean
}

export async function devServerStatus(projectDir: string): Promise<ServerStatus> {
  const state = await readState(projectDir)
  if (!state || !isOurServer(state)) return {running: false}
  const client = devServerClient(state)
  try {
    const health = (await client.get(HEALTH_EVEN_SEALED)) ?? {}
    return {running: true, state, version: String(health.version ?? ''), sealed: Boolean(health.sealed)}
  } catch {
    return {running: false, state}
  }
}
