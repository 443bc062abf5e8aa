import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {execa, type ResultPromise} from 'execa'

import {BIN, runCli, until} from '../helpers.js'

/**
 * A real Vault binary: found, or built by `vaultkit server install` itself (minutes the first time, then
 * cached in ~/.cache/vaultkit). A machine that can do neither fails here, loudly.
 */
export async function installVault(): Promise<string> {
  // .ci/run starts the install in the background, beside the tiers before this one: wait for it, then
  // this finds what it cached (or, if it failed, tries again and says why).
  const done = process.env.VAULTKIT_CI_VAULT_INSTALLED
  if (done) await until('the Vault install .ci/run started', async () => existsSync(done), 3_600_000)
  const result = await runCli(['server', 'install', '--json'])
  if (result.exitCode !== 0) throw new Error(`vaultkit server install failed:\n${result.stderr}\n${result.stdout}`)
  return (JSON.parse(result.stdout) as {path: string}).path
}

/** A node as `vaultkit server status --json` lists it. */
export interface ClusterNode {
  id: string
  addr: string
  pid: number
  role: string
  pluginDir: string
}

export interface DevServer {
  addr: string
  token: string
  pid?: number
}

export function readServerState(project: string): DevServer {
  return JSON.parse(readFileSync(join(project, '.vaultkit/server.json'), 'utf8')) as DevServer
}

/** A request straight to Vault's HTTP API, as a user's curl would send it. */
export async function vaultHttp(server: DevServer, method: string, path: string, body?: unknown) {
  const response = await fetch(`${server.addr}/v1/${path}`, {
    method,
    headers: {'X-Vault-Token': server.token, 'Content-Type': 'application/json'},
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  return {status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, any>}
}

/** Scaffolds a project with the real go mod tidy, ready to build. */
export async function scaffold(kind: string, parent: string, name = 'hello'): Promise<string> {
  const dir = join(parent, `${kind}-${name}`)
  const result = await runCli(['plugin', 'new', name, '--type', kind, '--yes', '--no-git', '--dir', dir])
  if (result.exitCode !== 0) throw new Error(`plugin new failed: ${result.stderr}`)
  return dir
}

export async function goBuildSeconds(project: string, binary: string): Promise<number> {
  const started = performance.now()
  await execa('go', ['build', '-trimpath', '-o', join(project, 'vault/plugins', `${binary}.probe`), `./cmd/${binary}`], {
    cwd: project,
    env: {CGO_ENABLED: '0'},
  })
  return (performance.now() - started) / 1000
}

/** `plugin dev` until its first round is done and it watches, then Ctrl-C: what it printed, and its exit code. */
export async function devUntilReady(project: string): Promise<{output: string; exitCode?: number}> {
  const dev = startVaultkit(['plugin', 'dev', '--project', project])
  // The caller checks what it printed: one that exits early, or never watches, is seen there.
  await dev.waitFor(/Watching for changes/).catch(() => undefined)
  dev.kill('SIGINT')
  const result = await dev
  return {output: result.all ?? '', exitCode: result.exitCode}
}

/** A vaultkit command left running (plugin dev): everything it printed so far, and a wait for what it prints. */
export type Running = ResultPromise<{env: {NO_COLOR: string}; reject: false; all: true}> & {
  /** stdout and stderr as printed, interleaved. */
  readonly output: string
  /**
   * Until `pattern` matches what it printed from offset `from` on; the match (its `input` is that text).
   * Fails with everything it printed when the command exits first or `timeout` ms pass.
   */
  waitFor(pattern: RegExp, timeout?: number, from?: number): Promise<RegExpExecArray>
}

/** Starts `vaultkit <args>` without colour (under `via`, a wrapper command and its flags, if given). */
export function startVaultkit(args: string[], via: string[] = [], env: Record<string, string> = {}): Running {
  const [command, ...flags] = [...via, process.execPath]
  const child = execa(command!, [...flags, BIN, ...args], {env: {NO_COLOR: '1', ...env}, reject: false, all: true})
  let output = ''
  child.all.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  const waitFor = async (pattern: RegExp, timeout = 120_000, from = 0) => {
    const deadline = Date.now() + timeout
    for (;;) {
      const match = pattern.exec(output.slice(from))
      if (match) return match
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`waited for ${pattern}; vaultkit ${args.join(' ')} printed:\n${output}`)
      await new Promise((r) => setTimeout(r, 10))
    }
  }
  return Object.defineProperties(child, {output: {get: () => output}, waitFor: {value: waitFor}}) as Running
}
