import {spawn, type ChildProcess} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {access, constants, mkdir, mkdtemp, realpath, rename, rm} from 'node:fs/promises'
import {createConnection} from 'node:net'
import {join} from 'node:path'

import {UserError, errnoCode} from '../errors.js'
import {childrenOf, runs} from '../vault/processes.js'
import {cacheDir} from '../vault/install/install.js'
import {delveVersion} from '../versions.js'
import {loadExeca} from '../exec.js'
import {wholeSecondsSince} from '../timing.js'

export const DELVE_MODULE = 'github.com/go-delve/delve/cmd/dlv'

export const delveBinary = (env: NodeJS.ProcessEnv = process.env) => join(cacheDir(env), 'dlv', delveVersion, 'dlv')

/**
 * Delve from the Go module proxy, built once into vaultkit's cache (`GOBIN=<cache> go install`), with a
 * line of progress every few packages. Installed into a temporary folder and renamed into place, so an
 * interrupted install leaves nothing that looks usable.
 */
export async function ensureDelve(progress: (line: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const target = delveBinary(env)
  if (await access(target, constants.X_OK).then(() => true, () => false)) return target
  const execa = await loadExeca()
  const root = join(cacheDir(env), 'dlv')
  await mkdir(root, {recursive: true})
  const work = await mkdtemp(join(root, `install-${delveVersion}-`))
  try {
    progress(`Installing Delve ${delveVersion} (go install ${DELVE_MODULE}) into ${target}; only the first time`)
    // -trimpath as plugins build: the standard library compiled for one serves the other.
    const install = execa('go', ['install', '-v', '-trimpath', `${DELVE_MODULE}@${delveVersion}`], {
      env: {...env, GOBIN: work, GOFLAGS: '', CGO_ENABLED: '0'},
      extendEnv: false,
      reject: false,
      all: true,
    })
    let packages = 0
    const started = performance.now()
    // `go install -v` names each package as it compiles it: a count of them is the progress.
    install.stderr?.on('data', (chunk: Buffer) => {
      const before = packages
      packages += chunk.toString().split('\n').filter((line) => /^[\w.-]+(\/[\w.@-]+)*$/.test(line.trim())).length
      if (Math.floor(packages / 25) > Math.floor(before / 25)) progress(`  Delve: ${packages} packages compiled, ${wholeSecondsSince(started)} s`)
    })
    const result = await install
    if (errnoCode(result) === 'ENOENT') throw new UserError('Delve cannot be installed: go was not found on PATH', `install Go, or put dlv ${delveVersion} at ${target}`)
    if (result.exitCode !== 0) {
      const last = (result.all ?? '').trim().split('\n').at(-1) ?? `exit ${result.exitCode}`
      throw new UserError(`Delve cannot be installed: go install failed: ${last}`, `check the Go module proxy is reachable, or put dlv ${delveVersion} at ${target}`)
    }
    await mkdir(join(target, '..'), {recursive: true})
    await rename(join(work, 'dlv'), target)
    progress(`Installed Delve ${delveVersion} in ${wholeSecondsSince(started)} s`)
    return target
  } finally {
    await rm(work, {recursive: true, force: true})
  }
}

/**
 * The plugin process Vault started: a child of the vault pid whose executable is the plugin binary. A child
 * this user may not even look at could not be traced either: said at once, with why.
 */
export async function findPluginProcess(vaultPid: number, binary: string): Promise<number | undefined> {
  const wanted = await realpath(binary).catch(() => binary)
  const children = await childrenOf(vaultPid)
  const found = children.find((child) => runs(child, [binary, wanted]))?.pid
  const hidden = children.find((child) => child.denied)
  if (found === undefined && hidden) {
    throw new UserError(`Delve could not attach to the plugin: this user may not look at the processes Vault (pid ${vaultPid}) started (${hidden.denied} on /proc/${hidden.pid}/exe)`, ptraceHint())
  }
  return found
}

export interface DelveSession {
  pid: number
  stop: () => Promise<void>
}

/**
 * `dlv attach` to the running plugin, headless on 127.0.0.1:port, several clients at once, the process left
 * running. Attaching does not touch the plugin's stdout, where go-plugin's handshake went long before.
 */
export async function attachDelve(dlv: string, pid: number, port: number): Promise<DelveSession> {
  const args = ['attach', String(pid), '--headless', `--listen=127.0.0.1:${port}`, '--api-version=2', '--accept-multiclient', '--continue']
  const child = spawn(dlv, args, {stdio: ['ignore', 'pipe', 'pipe']})
  let output = ''
  const collect = (chunk: Buffer) => {
    output += chunk.toString()
  }
  child.stdout.on('data', collect)
  child.stderr.on('data', collect)
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code) => resolve(`exit ${code}`))
    child.once('error', (error) => resolve(error.message))
  })
  const listening = new Promise<string>((resolve) => {
    child.stdout.on('data', () => {
      if (/API server listening at/.test(output)) resolve('listening')
    })
  })
  let timer: NodeJS.Timeout | undefined
  const outcome = await Promise.race([listening, exited, new Promise<string>((resolve) => (timer = setTimeout(resolve, 30_000, 'timeout')))])
  clearTimeout(timer)
  if (outcome !== 'listening') throw attachFailed(child, pid, output, outcome)
  // dlv listens before it attaches, and before its --continue has resumed the plugin: a client that halts in
  // between would have its halt undone, and then wait for ever. Said attached only once the plugin runs
  // again; a dlv that could not attach (ptrace refused) exits meanwhile.
  const deadline = Date.now() + 10_000
  while (!(await isRunning(port)) && Date.now() < deadline) {
    const ended = await Promise.race([exited, sleep(50, '')])
    if (ended) throw attachFailed(child, pid, output, ended)
  }
  child.stdout.removeAllListeners('data')
  child.stderr.removeAllListeners('data')
  return {pid, stop: () => detach(child)}
}

const sleep = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(resolve, ms, value))

/** Delve's last words as one line, with what to do about the usual causes. */
function attachFailed(child: ChildProcess, pid: number, output: string, outcome: string): UserError {
  child.kill('SIGKILL')
  const said = output.trim().split('\n').filter((line) => line && !/API server listening at/.test(line))
  const why = said.at(-1) ?? outcome
  const hint = /operation not permitted|does not own the process|ptrace/i.test(output)
    ? ptraceHint()
    : /address already in use/i.test(output)
      ? 'another program listens on that port: pass another --debug-port'
      : 'see the message above'
  return new UserError(`Delve could not attach to the plugin (pid ${pid}): ${why}`, hint)
}

/** Why the kernel may refuse: Yama's ptrace_scope where it is set, else a plugin with more privileges than this user. */
function ptraceHint(): string {
  let scope = ''
  try {
    scope = readFileSync('/proc/sys/kernel/yama/ptrace_scope', 'utf8').trim()
  } catch {
    // no Yama: only users and capabilities decide
  }
  if (scope && scope !== '0') {
    return `ptrace_scope is ${scope}, so only a process's ancestors may trace it: \`echo 0 | sudo tee /proc/sys/kernel/yama/ptrace_scope\`, or give dlv CAP_SYS_PTRACE`
  }
  return "Vault runs the plugin with privileges this user lacks (another user, or capabilities it holds): run plugin dev as Vault's user, with CAP_SYS_PTRACE"
}

/** Delve's State, without blocking: whether the target runs. */
function isRunning(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    let answer = ''
    const socket = createConnection({host: '127.0.0.1', port}, () => {
      socket.write(`${JSON.stringify({method: 'RPCServer.State', params: [{NonBlocking: true}], id: 1})}\n`)
    })
    socket.setTimeout(2000, () => socket.destroy())
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString()
      if (answer.includes('\n')) socket.destroy()
    })
    socket.once('close', () => resolve(/"Running":true/.test(answer)))
    socket.once('error', () => resolve(false))
  })
}

/** dlv halts, removes its breakpoints and detaches on SIGTERM, leaving the plugin running; then it is gone. */
async function detach(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
  await exited
  clearTimeout(timer)
}

/** `plugin dev --debug`: after every reload, Delve attached again to the new plugin process on the same port. */
export class PluginDebugger {
  private session?: DelveSession
  constructor(
    private readonly dlv: string,
    readonly port: number,
  ) {}

  /** Attaches to the plugin process now serving (a reload started a new one); says where, or why not. */
  async attach(vaultPid: number, binary: string): Promise<string> {
    const pid = await findPluginProcess(vaultPid, binary)
    if (pid === undefined) return `no plugin process of ${binary} runs under Vault (pid ${vaultPid}) to attach Delve to`
    await this.close()
    this.session = await attachDelve(this.dlv, pid, this.port)
    return `Delve attached to the plugin (pid ${pid}), listening on 127.0.0.1:${this.port}: attach your editor there (.vscode/launch.json)`
  }

  async close(): Promise<void> {
    await this.session?.stop()
    this.session = undefined
  }
}
