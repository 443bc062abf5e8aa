import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, expect, test} from 'vitest'

import {isProcessAlive, processTable, runsFrom} from '../../src/lib/vault/processes.js'
import {BIN, runCli, until} from '../helpers.js'
import {installVault, readServerState, scaffold, startVaultkit, vaultHttp} from './vault.js'

// One plugin dev loop, driven through what an author does: log from a handler, panic, break main, lose the
// server; and what they run beside it: plugin logs, and the vault CLI through server env.
const parent = mkdtempSync(join(tmpdir(), 'vaultkit-e2e-dev-logs-'))
let project: string
let lastPid = 0

beforeAll(async () => {
  await installVault()
  project = await scaffold('secrets', parent)
}, 1_800_000)

// A server a failed test left running is stopped with the rest.
afterAll(async () => {
  if (project) await runCli(['server', 'stop', '--project', project])
  rmSync(parent, {recursive: true, force: true})
})

const LOGGED = `	b.Logger().Info("hello requested", "name", d.Get("name").(string))
	if d.Get("name").(string) == "boom" {
		panic("boom from the hello handler")
	}
	cfg, err := b.getConfig(ctx, req.Storage)`

test('plugin dev shows the plugin’s log lines and panics, survives a plugin that does not start and a killed server', async () => {
  const hello = join(project, 'path_hello.go')
  const main = join(project, 'cmd/vault-plugin-secrets-hello/main.go')
  const helloSource = readFileSync(hello, 'utf8')
  const mainSource = readFileSync(main, 'utf8')
  const dev = startVaultkit(['plugin', 'dev', '--project', project])
  /** Saves a file and waits for the round it starts to end; what the loop printed from the save on. */
  const save = async (file: string, text: string, outcome = /✔ changed/) => {
    const from = dev.output.length
    writeFileSync(file, text)
    await dev.waitFor(new RegExp(`(${outcome.source})[^\\n]*\\n`), 120_000, from)
    return dev.output.slice(from)
  }
  try {
    await dev.waitFor(/Watching for changes/, 300_000)
    let server = readServerState(project)

    // A log line added to a handler shows within a second of the request that writes it.
    await save(hello, helloSource.replace('	cfg, err := b.getConfig(ctx, req.Storage)', LOGGED).replace('hello %s from', 'howdy %s from'))
    const asked = performance.now()
    expect((await vaultHttp(server, 'GET', 'hello/hello?name=logprobe')).body.data.message).toMatch(/howdy logprobe/)
    await dev.waitFor(/^\d\d:\d\d:\d\d\.\d{3} +INFO +hello requested: name=logprobe$/m, 1000)
    console.log(`plugin log line shown ${Math.round(performance.now() - asked)} ms after the request was sent`)
    // Vault's own lines are in its log, and not in plugin dev's output.
    const vaultLog = readFileSync(join(project, '.vaultkit/vault.log'), 'utf8')
    expect(vaultLog).toMatch(/\[INFO\] +core: /)
    expect(dev.output).not.toMatch(/\bcore: /)
    expect(dev.output).not.toMatch(/^\d\d:\d\d:\d\d\.\d{3} +\w+ +vault /m)

    // The same outside the loop; Vault's own lines only when asked.
    const logs = await runCli(['plugin', 'logs', '--project', project])
    expect(logs.exitCode).toBe(0)
    expect(logs.stdout).toMatch(/INFO +hello requested: name=logprobe/)
    expect(logs.stdout).not.toMatch(/\bcore: /)
    expect((await runCli(['plugin', 'logs', '--project', project, '--vault-logs'])).stdout).toMatch(/INFO +vault core: /)
    const follow = execa(process.execPath, [BIN, 'plugin', 'logs', '--follow', '--project', project], {env: {NO_COLOR: '1'}, reject: false})
    let followed = ''
    follow.stdout?.on('data', (chunk: Buffer) => {
      followed += chunk.toString()
    })
    await vaultHttp(server, 'GET', 'hello/hello?name=followprobe')
    const deadline = Date.now() + 10_000
    while (!followed.includes('hello requested: name=followprobe') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    follow.kill('SIGINT')
    expect(followed).toContain('hello requested: name=followprobe')
    expect((await follow).exitCode).toBe(0)

    // The commands plugin dev printed work as printed in a shell whose PATH has no vault.
    const shell = await execa('sh', ['-c', `eval "$("${process.execPath}" "${BIN}" server env --project "${project}")" && vault read -field=message hello/hello`], {
      env: {PATH: '/usr/bin:/bin', NO_COLOR: '1'},
      extendEnv: false,
      reject: false,
    })
    expect(shell.stderr).toBe('')
    expect(shell.stdout.trim()).toBe('Hello, howdy world from vault-plugin-secrets-hello')
    // ... and that PATH alone finds no vault.
    expect((await execa('sh', ['-c', 'command -v vault'], {env: {PATH: '/usr/bin:/bin'}, extendEnv: false, reject: false})).exitCode).not.toBe(0)

    // A panic in a handler: the request fails, the stack trace shows, and the next good save serves again.
    const panicked = await vaultHttp(server, 'GET', 'hello/hello?name=boom')
    expect(panicked.status).toBeGreaterThanOrEqual(500)
    await dev.waitFor(/STDERR panic: boom from the hello handler/, 5000)
    await dev.waitFor(/STDERR .*path_hello\.go:\d+/, 5000)
    await save(hello, helloSource.replace('hello %s from', 'again %s from'))
    expect((await vaultHttp(server, 'GET', 'hello/hello')).body.data.message).toBe('Hello, again world from vault-plugin-secrets-hello')

    // A plugin that does not start: one line that says so, with what it wrote to stderr; then fixed.
    const exits = mainSource.replace('func main() {\n', 'func main() {\n\tfmt.Fprintln(os.Stderr, "cannot start: FOO is not set")\n\tos.Exit(3)\n').replace('import (\n', 'import (\n\t"fmt"\n')
    const failed = await save(main, exits, /✖ changed/)
    expect(failed).toMatch(/✖ changed cmd\/vault-plugin-secrets-hello\/main\.go: the plugin did not start \(exit status 3\): it wrote on stderr: cannot start: FOO is not set; the mount answers with errors until a save fixes it\n/)
    expect(failed.split('\n').filter((line) => line.startsWith('✖'))).toHaveLength(1)
    const garbage = mainSource.replace('func main() {\n', 'func main() {\n\tfmt.Println("garbage before the handshake")\n').replace('import (\n', 'import (\n\t"fmt"\n')
    expect(await save(main, garbage, /✖ changed/)).toMatch(/✖ changed [^\n]*: the plugin did not start( \(exit status \d+\))?: it printed "garbage before the handshake" on stdout before go-plugin's handshake;/)
    await save(main, mainSource)

    // The dev server killed under the loop: one line, a new server, and the next save works.
    process.kill(server.pid!, 'SIGKILL')
    await dev.waitFor(new RegExp(`✖ The dev server \\(pid ${server.pid}\\) is gone; starting a new one\\. .*lost`), 10_000)
    await dev.waitFor(/✔ dev server restarted/, 120_000)
    const killed = server.pid!
    server = readServerState(project)
    lastPid = server.pid!
    expect(server.pid).not.toBe(killed)
    // The killed server's plugin process, left running, is gone too: every plugin process is the new server's.
    const plugins = (await processTable()).filter((entry) => runsFrom(entry, join(project, 'vault/plugins')))
    expect(plugins.length).toBeGreaterThan(0)
    expect(plugins.map((p) => p.ppid)).toEqual(plugins.map(() => server.pid))
    await save(hello, helloSource.replace('hello %s from', 'reborn %s from'))
    expect((await vaultHttp(server, 'GET', 'hello/hello')).body.data.message).toBe('Hello, reborn world from vault-plugin-secrets-hello')
  } finally {
    writeFileSync(hello, helloSource)
    writeFileSync(main, mainSource)
    dev.kill('SIGINT')
  }
  const result = await dev
  expect(result.exitCode, dev.output).toBe(0)
  // The server the loop started again is the loop's: stopped with it.
  expect(result.all).toMatch(/Stopped the dev server/)
  expect(isProcessAlive(lastPid)).toBe(false)
}, 900_000)

// The server the next two tests share: started from a binary named bao, then reused by plugin dev.
let baoDir = ''

// No OpenBao binary can be had here (its v2 module path does not resolve, no registry ships it): `bao` is a
// two-line script around the real Vault that reads BAO_ADDR and BAO_TOKEN as OpenBao's CLI does. It checks
// what vaultkit does with a binary of that name (found on PATH, kept as the server's binary, server env's
// PATH and BAO_ lines, the commands plugin dev prints), not OpenBao itself.
test('server env for a server vaultkit started from bao: bao on PATH, and BAO_ADDR and BAO_TOKEN that bao reads', async () => {
  // A space in the folder's name: server env must quote it.
  baoDir = mkdtempSync(join(parent, 'bao bin-'))
  const vaultBin = await installVault()
  writeFileSync(
    join(baoDir, 'bao'),
    `#!/bin/sh\nif [ -n "$BAO_ADDR" ]; then VAULT_ADDR=$BAO_ADDR VAULT_TOKEN=$BAO_TOKEN; export VAULT_ADDR VAULT_TOKEN; fi\nexec '${vaultBin}' "$@"\n`,
    {mode: 0o755},
  )
  const started = await runCli(['server', 'start', '--project', project], {env: {PATH: `${baoDir}:/usr/bin:/bin`, VAULTKIT_VAULT_BIN: ''}})
  expect(started.exitCode, started.stderr).toBe(0)
  const server = JSON.parse(readFileSync(join(project, '.vaultkit/server.json'), 'utf8')) as {addr: string; token: string; vaultBin: string}
  expect(server.vaultBin).toBe(join(baoDir, 'bao'))

  const env = await runCli(['server', 'env', '--project', project], {env: {PATH: '/usr/bin:/bin'}})
  expect(env.exitCode, env.stderr).toBe(0)
  expect(env.stdout.split('\n')).toEqual([
    `export VAULT_ADDR=${server.addr}`,
    `export VAULT_TOKEN=${server.token}`,
    `export BAO_ADDR=${server.addr}`,
    `export BAO_TOKEN=${server.token}`,
    `export PATH='${baoDir}':"$PATH"`,
  ])
  // In a shell whose PATH has no bao, with only the BAO_ variables left, bao talks to the dev server.
  const script = `eval "$("${process.execPath}" "${BIN}" server env --project "${project}")" && unset VAULT_ADDR VAULT_TOKEN && bao read -field=type sys/mounts/secret`
  const shell = await execa('sh', ['-c', script], {env: {PATH: '/usr/bin:/bin', NO_COLOR: '1'}, extendEnv: false, reject: false})
  expect(shell.stderr).toBe('')
  expect(shell.stdout.trim()).toBe('kv')
  expect((await execa('sh', ['-c', 'command -v bao'], {env: {PATH: '/usr/bin:/bin'}, extendEnv: false, reject: false})).exitCode).not.toBe(0)
}, 300_000)

const LEVELS_LOGGED = `	b.Logger().Info("hello info", "name", d.Get("name").(string))
	b.Logger().Debug("hello debug", "name", d.Get("name").(string))
	cfg, err := b.getConfig(ctx, req.Storage)`

test('plugin dev --log-level debug on a server already running at info raises it: the plugin’s debug lines show', async () => {
  const server = readServerState(project)
  const hello = join(project, 'path_hello.go')
  const helloSource = readFileSync(hello, 'utf8')
  writeFileSync(hello, helloSource.replace('	cfg, err := b.getConfig(ctx, req.Storage)', LEVELS_LOGGED))
  // The server at info, as `vault write sys/loggers level=info` sets it: a debug line of the plugin is dropped.
  expect((await vaultHttp(server, 'POST', 'sys/loggers', {level: 'info'})).status).toBe(204)
  for (const step of ['build', 'register']) expect((await runCli(['plugin', step, '--project', project])).exitCode).toBe(0)
  await vaultHttp(server, 'POST', 'hello/config', {custom_prefix: 'Hello'})
  expect((await vaultHttp(server, 'GET', 'hello/hello?name=quiet')).status).toBe(200)
  const logFile = join(project, '.vaultkit/vault.log')
  await until('the plugin’s info line in the server log', async () => readFileSync(logFile, 'utf8').includes('hello info: name=quiet'), 5000)
  expect(readFileSync(logFile, 'utf8')).not.toContain('hello debug: name=quiet')

  const dev = startVaultkit(['plugin', 'dev', '--log-level', 'debug', '--project', project])
  try {
    await dev.waitFor(/Watching for changes/)
    expect(dev.output).toContain(`Using Vault dev server ${server.addr}`)
    // The printed commands name the server's own CLI.
    expect(dev.output).toMatch(/^ {2}bao read /m)
    await vaultHttp(server, 'GET', 'hello/hello?name=loud')
    await dev.waitFor(/^\d\d:\d\d:\d\d\.\d{3} +DEBUG +hello debug: name=loud$/m, 5000)
  } finally {
    writeFileSync(hello, helloSource)
    dev.kill('SIGINT')
    await dev
    await runCli(['server', 'stop', '--project', project])
  }
  expect(dev.exitCode, dev.output).toBe(0)
  // The server was not the loop's: it ran until server stop, not stopped by plugin dev.
  expect(dev.output).not.toMatch(/Stopped the dev server/)
}, 600_000)
