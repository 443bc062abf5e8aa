import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'

import {BIN, runCli} from '../helpers.js'

/**
 * A real Vault binary: found, or built by `vaultkit server install` itself (minutes the first time, then
 * cached in ~/.cache/vaultkit). A machine that can do neither fails here, loudly.
 */
export async function installVault(): Promise<string> {
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
  const dev = execa(process.execPath, [BIN, 'plugin', 'dev', '--project', project], {env: {NO_COLOR: '1'}, reject: false, all: true})
  let output = ''
  dev.all?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  const deadline = Date.now() + 120_000
  while (!output.includes('Watching for changes') && Date.now() < deadline && dev.exitCode === null) await new Promise((r) => setTimeout(r, 50))
  dev.kill('SIGINT')
  const result = await dev
  return {output: result.all ?? '', exitCode: result.exitCode}
}
