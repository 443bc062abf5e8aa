import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createConnection, type Socket} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, expect, test} from 'vitest'

import {attachDelve, delveBinary, findPluginProcess} from '../../src/lib/dev/delve.js'
import {freePort, runCli} from '../helpers.js'
import {installVault, readServerState, scaffold, startVaultkit, vaultHttp} from './vault.js'

// plugin dev --debug with a real Delve, driven as an editor drives it: through Delve's JSON-RPC API.
const parent = mkdtempSync(join(tmpdir(), 'vaultkit-e2e-dev-debug-'))
let project: string

beforeAll(async () => {
  await installVault()
  project = await scaffold('secrets', parent)
}, 1_800_000)

// A server a failed test left running is stopped with the rest.
afterAll(async () => {
  if (project) await runCli(['server', 'stop', '--project', project])
  rmSync(parent, {recursive: true, force: true})
})

/** Delve's JSON-RPC 1.0 API (what `dlv connect` and editors speak), one JSON value per line each way. */
class Delve {
  private next = 1
  private buffer = ''
  private readonly waiting = new Map<number, {resolve: (value: any) => void; reject: (error: Error) => void}>()
  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString()
      for (let newline = this.buffer.indexOf('\n'); newline >= 0; newline = this.buffer.indexOf('\n')) {
        const message = JSON.parse(this.buffer.slice(0, newline)) as {id: number; result: unknown; error: string | null}
        this.buffer = this.buffer.slice(newline + 1)
        const waiter = this.waiting.get(message.id)
        this.waiting.delete(message.id)
        if (message.error) waiter?.reject(new Error(message.error))
        else waiter?.resolve(message.result)
      }
    })
  }

  static connect(port: number): Promise<Delve> {
    return new Promise((resolve, reject) => {
      const socket = createConnection({host: '127.0.0.1', port}, () => resolve(new Delve(socket)))
      socket.once('error', reject)
    })
  }

  /** A call and its answer; one that does not come in time fails the test rather than hang it. */
  call(method: string, argument: unknown, timeoutMs = 30_000): Promise<any> {
    const id = this.next++
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Delve did not answer ${method} within ${timeoutMs} ms`)), timeoutMs)
      const done = (settle: (value: any) => void) => (value: any) => {
        clearTimeout(timer)
        settle(value)
      }
      this.waiting.set(id, {resolve: done(resolve), reject: done(reject)})
      this.socket.write(`${JSON.stringify({method: `RPCServer.${method}`, params: [argument], id})}\n`)
    })
  }

  close() {
    this.socket.destroy()
  }
}

const LOAD = {FollowPointers: true, MaxVariableRecurse: 1, MaxStringLen: 100, MaxArrayValues: 10, MaxStructFields: -1}

test('plugin dev --debug: a breakpoint in the hello handler stops a request through Vault, and it completes on continue', async () => {
  const port = await freePort()
  const dev = startVaultkit(['plugin', 'dev', '--debug', '--debug-port', String(port), '--project', project])
  const hello = join(project, 'path_hello.go')
  const source = readFileSync(hello, 'utf8')
  try {
    // Installs Delve on first use (with progress), then attaches after the first round.
    await dev.waitFor(/Watching for changes/, 600_000)
    const attached = new RegExp(`Delve attached to the plugin \\(pid (\\d+)\\), listening on 127\\.0\\.0\\.1:${port}`)
    const firstPid = Number(attached.exec(dev.output)?.[1])
    expect(firstPid).toBeGreaterThan(0)
    const server = readServerState(project)

    const line = source.split('\n').findIndex((text) => text.includes('return &logical.Response{')) + 1
    const delve = await Delve.connect(port)
    expect((await delve.call('Command', {name: 'halt'})).State.Pid).toBe(firstPid)
    const breakpoint = await delve.call('CreateBreakpoint', {Breakpoint: {file: hello, line}})
    expect(breakpoint.Breakpoint.line).toBe(line)
    const stopped = delve.call('Command', {name: 'continue'})

    let answered = false
    const request = vaultHttp(server, 'GET', 'hello/hello?name=debugger').finally(() => {
      answered = true
    })
    const state = (await stopped).State
    expect(state.currentThread.breakPoint.id).toBe(breakpoint.Breakpoint.id)
    expect(state.currentThread.file).toBe(hello)
    // Held at the breakpoint for a while: the request waits, nothing times out.
    await new Promise((r) => setTimeout(r, 3000))
    expect(answered).toBe(false)
    const scope = {GoroutineID: -1, Frame: 0}
    const locals = (await delve.call('ListLocalVars', {Scope: scope, Cfg: LOAD})).Variables as {name: string}[]
    expect(locals.map((v) => v.name)).toContain('cfg')
    const prefix = (await delve.call('Eval', {Scope: scope, Expr: 'cfg.CustomPrefix', Cfg: LOAD})).Variable
    expect(prefix.value).toBe('Hello')

    await delve.call('ClearBreakpoint', {Id: breakpoint.Breakpoint.id})
    void delve.call('Command', {name: 'continue'}).catch(() => {})
    const answer = await request
    expect(answer.status).toBe(200)
    expect(answer.body.data.message).toBe('Hello, hello debugger from vault-plugin-secrets-hello')
    delve.close()

    // After a reload: a new plugin process, Delve attached to it on the same port.
    const from = dev.output.length
    writeFileSync(hello, source.replace('hello %s from', 'howdy %s from'))
    await dev.waitFor(attached, 120_000, from)
    const secondPid = Number(attached.exec(dev.output.slice(from))?.[1])
    expect(secondPid).not.toBe(firstPid)
    const again = await Delve.connect(port)
    const halted = (await again.call('Command', {name: 'halt'})).State
    expect(halted.Pid).toBe(secondPid)
    void again.call('Command', {name: 'continue'}).catch(() => {})
    expect((await vaultHttp(server, 'GET', 'hello/hello')).body.data.message).toBe('Hello, howdy world from vault-plugin-secrets-hello')
    again.close()
  } catch (error) {
    throw new Error(`${(error as Error).message}\nplugin dev printed:\n${dev.output}`)
  } finally {
    writeFileSync(hello, source)
    dev.kill('SIGINT')
  }
  const result = await dev
  expect(result.exitCode, dev.output).toBe(0)
  expect(dev.output).not.toMatch(/✖/)
}, 900_000)

// This machine has no Yama (/proc/sys/kernel/yama/ptrace_scope is absent) and the tests run as root with
// CAP_SYS_PTRACE, so the kernel's refusal is brought about the other real way: Vault (and so the plugin)
// started with every capability, and what traces it without CAP_SYS_PTRACE. The kernel then hides the
// plugin's /proc entries from plugin dev, and refuses Delve's ptrace with EPERM (a tracer must hold every
// capability its target holds), as it refuses under ptrace_scope 1 or for another user's Vault.
test('plugin dev --debug when the kernel refuses to let it trace the plugin: one line with what to do, and the loop goes on', async () => {
  const withoutPtrace = ['setpriv', '--bounding-set=-sys_ptrace', '--inh-caps=-sys_ptrace']
  if ((await execa('setpriv', ['--version'], {reject: false})).exitCode !== 0) throw new Error('setpriv (util-linux) is needed to drop CAP_SYS_PTRACE')
  const started = await runCli(['server', 'start', '--project', project])
  expect(started.exitCode, started.stderr).toBe(0)
  const server = readServerState(project)
  const port = await freePort()
  const dev = startVaultkit(['plugin', 'dev', '--debug', '--debug-port', String(port), '--project', project], withoutPtrace)
  const hint = String.raw`\(Vault runs the plugin with privileges this user lacks \(another user, or capabilities it holds\): run plugin dev as Vault's user, with CAP_SYS_PTRACE\)`
  try {
    await dev.waitFor(/Watching for changes/, 300_000)
    const failures = dev.output.split('\n').filter((line) => line.startsWith('✖'))
    expect(failures, dev.output).toHaveLength(1)
    expect(failures[0]).toMatch(
      new RegExp(`^✖ ready: Delve could not attach to the plugin: this user may not look at the processes Vault \\(pid ${server.pid}\\) started \\((EACCES|EPERM) on /proc/\\d+/exe\\) ${hint}; the running plugin keeps serving$`),
    )
    expect(dev.output).not.toMatch(/Delve attached/)
    expect((await vaultHttp(server, 'GET', 'hello/hello')).body.data.message).toBe('Hello, hello world from vault-plugin-secrets-hello')
  } finally {
    dev.kill('SIGINT')
    await dev
  }
  expect(dev.exitCode, dev.output).toBe(0)

  // A Delve that may find the plugin but not trace it (as under ptrace_scope 1): it says it listens, then
  // the kernel refuses its ptrace and it exits; that is a failure, not an attached debugger.
  try {
    const pid = await findPluginProcess(server.pid!, join(project, 'vault/plugins/vault-plugin-secrets-hello_v0.1.0'))
    expect(pid).toBeGreaterThan(0)
    const dlv = join(parent, 'dlv-without-ptrace')
    writeFileSync(dlv, `#!/bin/sh\nexec ${withoutPtrace.join(' ')} '${delveBinary()}' "$@"\n`, {mode: 0o755})
    const attached = attachDelve(dlv, pid!, await freePort())
    await expect(attached).rejects.toThrow(new RegExp(`^Delve could not attach to the plugin \\(pid ${pid}\\): could not attach to pid ${pid}: operation not permitted$`))
    await expect(attached).rejects.toMatchObject({hint: expect.stringMatching(/^Vault runs the plugin with privileges this user lacks/)})
    expect((await vaultHttp(server, 'GET', 'hello/hello')).body.data.message).toBe('Hello, hello world from vault-plugin-secrets-hello')
  } finally {
    await runCli(['server', 'stop', '--project', project])
  }
}, 600_000)
