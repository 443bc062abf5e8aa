import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, unlinkSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'

import {execa} from 'execa'

import {sha256File} from '../../src/lib/project/build.js'
import {recordedSha256} from '../../src/lib/project/build-record.js'
import {releasePlatform} from '../../src/lib/vault/install/release.js'
import {BIN, freePort, runCli, until} from '../helpers.js'
import {type ClusterNode as Node, installVault, scaffold, startVaultkit, vaultHttp} from './vault.js'

// One real 3-node raft cluster for the whole file: start, register, upgrade, failover, rollback, faults.
// vaultkit runs here with the process table of `ps`, as on macOS, not /proc: it tells its nodes from a reused
// pid, ends the plugins killed nodes left, and finds the plugin Delve attaches to, the same way. The dev server
// tests and the other cluster files run it with /proc.
const PS_TABLE = {VAULTKIT_PROCESS_TABLE: 'ps'}
const parent = mkdtempSync(join(tmpdir(), 'vaultkit-e2e-cluster-'))
const transcript: string[] = []
let project: string

interface Cluster {
  token: string
  unsealKey: string
}

async function vaultkit(args: string[], env: Record<string, string> = {}) {
  const result = await runCli([...args, '--project', project], {env: {...PS_TABLE, ...env}})
  transcript.push(result.stdout, result.stderr)
  return result
}

async function json<T = any>(args: string[]): Promise<T> {
  const result = await vaultkit([...args, '--json'])
  expect(result.exitCode, `${args.join(' ')}: ${result.stderr}${result.stdout}`).toBe(0)
  return JSON.parse(result.stdout) as T
}

const stateFile = () => join(project, '.vaultkit/cluster.json')
const cluster = () => JSON.parse(readFileSync(stateFile(), 'utf8')) as Cluster
const nodes = async () => (await json<{nodes: Node[]}>(['server', 'status'])).nodes
const at = (node: Pick<Node, 'addr'>) => ({addr: node.addr, token: cluster().token})

async function health(addr: string) {
  const response = await fetch(`${addr}/v1/sys/health?standbycode=200&sealedcode=200&uninitcode=200`).catch(() => undefined)
  return response ? ((await response.json()) as {initialized: boolean; sealed: boolean; standby: boolean}) : undefined
}

const hello = async (node: Pick<Node, 'addr'>) => (await vaultHttp(at(node), 'GET', 'hello/hello?name=Ada')).body.data?.message as string | undefined

function setVersion(version: string) {
  const file = join(project, 'version/version.go')
  writeFileSync(file, readFileSync(file, 'utf8').replace(/Version = "[^"]+"/, `Version = "${version}"`))
}

function expectOneLineError(result: {exitCode?: number; stderr: string}, pattern: RegExp) {
  expect(result.exitCode, result.stderr).toBe(1)
  expect(result.stderr.trim().split('\n')).toHaveLength(1)
  expect(result.stderr).toMatch(pattern)
}

beforeAll(async () => {
  await installVault()
  project = await scaffold('secrets', parent)
  const started = await vaultkit(['server', 'start', '--nodes', '3', '--json'])
  expect(started.exitCode, started.stderr).toBe(0)
}, 1_800_000)

afterAll(async () => {
  if (project) await vaultkit(['server', 'stop'])
  rmSync(parent, {recursive: true, force: true})
}, 120_000)

describe('a real 3-node raft cluster', {timeout: 600_000}, () => {
  test('one node active, two standbys that joined as voters; each with its own folder; state 0600', async () => {
    const listed = await nodes()
    expect(listed.map((n) => n.role).sort()).toEqual(['active', 'standby', 'standby'])
    expect(new Set(listed.map((n) => n.addr)).size).toBe(3)
    for (const node of listed) {
      expect(node.pluginDir).toBe(join(project, '.vaultkit', node.id, 'plugins'))
      expect(existsSync(join(project, '.vaultkit', node.id, 'raft'))).toBe(true)
      expect(readFileSync(join(project, '.vaultkit', node.id, 'vault.hcl'), 'utf8')).toContain(`storage "raft" {\n  path    = ${JSON.stringify(join(project, '.vaultkit', node.id, 'raft'))}`)
    }
    const active = listed.find((n) => n.role === 'active')!
    const raft = await vaultHttp(at(active), 'GET', 'sys/storage/raft/configuration')
    const servers = raft.body.data.config.servers as Array<{node_id: string; voter: boolean; leader: boolean}>
    expect(servers.map((s) => s.node_id).sort()).toEqual(['node-1', 'node-2', 'node-3'])
    expect(servers.every((s) => s.voter)).toBe(true)
    expect(statSync(stateFile()).mode & 0o777).toBe(0o600)
    expect((await health(active.addr))?.sealed).toBe(false)
  })

  test('start again reuses the cluster; env points at the active node', async () => {
    const again = await json(['server', 'start', '--nodes', '3'])
    expect(again).toMatchObject({kind: 'cluster', alreadyRunning: true, restored: []})
    // `server env` prints the token on purpose (for eval): kept out of the transcript checked below.
    const env = await runCli(['server', 'env', '--project', project])
    const active = (await nodes()).find((n) => n.role === 'active')!
    expect(env.stdout).toContain(`export VAULT_ADDR=${active.addr}`)
    const text = await vaultkit(['server', 'status'])
    expect(text.stdout).toMatch(/running\s+Vault v\d+\.\d+\.\d+ 3-node raft cluster/)
    expect(text.stdout).not.toContain(cluster().token)
  })

  test('register puts the versioned binary on every node (hard links), catalogs it once, enables the mount', async () => {
    expect((await vaultkit(['plugin', 'build'])).exitCode).toBe(0)
    const registered = await json(['plugin', 'register'])
    expect(registered).toMatchObject({catalog: 'registered', mount: 'enabled', command: 'vault-plugin-secrets-hello_v0.1.0', down: []})
    // Hard links to the build: .vaultkit/ is on the project's disk, so nothing is copied.
    expect(registered.nodes.map((n: {binary: string}) => n.binary)).toEqual(['linked', 'linked', 'linked'])
    for (const node of await nodes()) {
      expect(await sha256File(join(node.pluginDir, 'vault-plugin-secrets-hello_v0.1.0'))).toBe(registered.sha256)
    }
    // The links changed the build's ctime; the recorded sha256 was renewed, so the next register reads nothing.
    expect(await recordedSha256(project, join(project, 'vault/plugins/vault-plugin-secrets-hello'))).toBe(registered.sha256)
    const again = await json(['plugin', 'register'])
    expect(again).toMatchObject({catalog: 'unchanged', mount: 'unchanged'})
    expect(again.nodes.map((n: {binary: string}) => n.binary)).toEqual(['present', 'present', 'present'])
    const active = (await nodes()).find((n) => n.role === 'active')!
    expect((await vaultHttp(at(active), 'POST', 'hello/config', {custom_prefix: 'Howdy'})).status).toBe(204)
    expect(await hello(active)).toBe('Howdy, hello Ada from vault-plugin-secrets-hello')
  })

  test('after `eval "$(vaultkit server env)"`, with VAULT_ADDR at a node, register still works on the whole cluster', async () => {
    const active = (await nodes()).find((n) => n.role === 'active')!
    const env = {VAULT_ADDR: active.addr, VAULT_TOKEN: cluster().token}
    const again = await runCli(['plugin', 'register', '--project', project, '--json'], {env})
    expect(again.exitCode, again.stderr).toBe(0)
    expect(JSON.parse(again.stdout)).toMatchObject({catalog: 'unchanged', mount: 'unchanged', down: []})
    expect(JSON.parse(again.stdout).nodes.map((n: {binary: string}) => n.binary)).toEqual(['present', 'present', 'present'])
  })

  test('upgrade to 0.2.0 while a standby is down: catalog and live nodes done, the down node reported, then brought back', async () => {
    const standby = (await nodes()).find((n) => n.role === 'standby')!
    process.kill(standby.pid, 'SIGKILL')
    await until('the killed standby to be down', async () => (await nodes()).find((n) => n.id === standby.id)?.role === 'down')
    setVersion('0.2.0')
    const helloGo = join(project, 'path_hello.go')
    writeFileSync(helloGo, readFileSync(helloGo, 'utf8').replace('hello %s from', 'hi %s from'))
    expect((await vaultkit(['plugin', 'build'])).exitCode).toBe(0)
    const upgraded = await json(['plugin', 'register'])
    expect(upgraded).toMatchObject({catalog: 'registered', mount: 'upgraded', version: 'v0.2.0', down: [standby.id]})
    const active = (await nodes()).find((n) => n.role === 'active')!
    expect(await hello(active)).toBe('Howdy, hi Ada from vault-plugin-secrets-hello')

    const restored = await json(['server', 'start'])
    expect(restored.restored).toEqual([standby.id])
    const listed = await nodes()
    expect(listed.map((n) => n.role).sort()).toEqual(['active', 'standby', 'standby'])
    for (const node of listed) {
      // Both versions side by side in every plugin directory: a rollback needs no rebuild.
      expect(readdirSync(node.pluginDir).sort()).toEqual(['vault-plugin-secrets-hello_v0.1.0', 'vault-plugin-secrets-hello_v0.2.0'])
    }
  })

  test('the active node SIGKILLed: a standby takes over and the plugin answers through it, same version, config kept', async () => {
    const before = await nodes()
    const active = before.find((n) => n.role === 'active')!
    const killed = performance.now()
    process.kill(active.pid, 'SIGKILL')
    const survivors = before.filter((n) => n.id !== active.id)
    const answer = await until('a standby to answer as the new active node', async () => {
      for (const node of survivors) {
        const state = await health(node.addr)
        const message = state && !state.sealed && !state.standby ? await hello(node) : undefined
        if (message) return {node, message}
      }
      return undefined
    })
    console.log(`failover: ${((performance.now() - killed) / 1000).toFixed(1)} s to a new active node (${answer.node.id})`)
    expect(answer.message).toBe('Howdy, hi Ada from vault-plugin-secrets-hello')
    const mounts = await vaultHttp(at(answer.node), 'GET', 'sys/mounts')
    expect(mounts.body.data['hello/'].running_plugin_version).toBe('v0.2.0')
    expect((await nodes()).find((n) => n.id === active.id)!.role).toBe('down')
    // The other survivor answers again once the election is over; only the killed node is to restore.
    await until('the other standby to answer', async () => (await Promise.all(survivors.map((n) => health(n.addr)))).every(Boolean) || undefined)
    expect((await json(['server', 'start'])).restored).toEqual([active.id])
  })

  test('versions lists both; rollback to 0.1.0 and forward to 0.2.0 again, the config kept both ways', async () => {
    const listed = await json(['plugin', 'versions'])
    expect(listed.versions.map((v: {version: string}) => v.version)).toEqual(['v0.1.0', 'v0.2.0'])
    expect(listed.versions[1]).toMatchObject({command: 'vault-plugin-secrets-hello_v0.2.0', mounts: ['hello'], nodes: ['node-1', 'node-2', 'node-3']})
    expect(listed.versions[0].mounts).toEqual([])
    expect(listed.pinned).toBeUndefined()

    expect(await json(['plugin', 'rollback'])).toMatchObject({from: 'v0.2.0', to: 'v0.1.0', path: 'hello'})
    const active = (await nodes()).find((n) => n.role === 'active')!
    expect(await hello(active)).toBe('Howdy, hello Ada from vault-plugin-secrets-hello')
    expect((await vaultHttp(at(active), 'GET', 'sys/mounts')).body.data['hello/'].running_plugin_version).toBe('v0.1.0')
    // Storage stays writable after a reload with scope=global (Vault's issue #23159 saw it turn read-only).
    expect((await vaultHttp(at(active), 'POST', 'hello/config', {custom_prefix: 'Howdy'})).status).toBe(204)
    expect(await json(['plugin', 'rollback', '--to', '0.2.0'])).toMatchObject({from: 'v0.1.0', to: 'v0.2.0'})
    expect(await hello(active)).toBe('Howdy, hi Ada from vault-plugin-secrets-hello')
    expectOneLineError(await vaultkit(['plugin', 'rollback', '--to', '9.9.9']), /^Error: v9\.9\.9 of hello is not in the catalog \(it holds v0\.1\.0, v0\.2\.0\)/)
  })
})

describe('faults, each produced for real', {timeout: 600_000}, () => {
  test('a node whose plugin directory cannot get the binary: register names it and touches nothing; once writable, failover to it works', async () => {
    const target = (await nodes()).find((n) => n.role === 'standby')!
    unlinkSync(join(target.pluginDir, 'vault-plugin-secrets-hello_v0.2.0'))
    setVersion('0.3.0')
    expect((await vaultkit(['plugin', 'build'])).exitCode).toBe(0)
    execFileSync('chattr', ['+i', target.pluginDir])
    try {
      expectOneLineError(await vaultkit(['plugin', 'register']), new RegExp(`^Error: The binary cannot be put in the plugin directory of ${target.id} .*nothing was registered`))
    } finally {
      execFileSync('chattr', ['-i', target.pluginDir])
    }
    const active = (await nodes()).find((n) => n.role === 'active')!
    expect((await vaultHttp(at(active), 'GET', 'sys/plugins/catalog/secret/hello?version=v0.3.0')).status).toBe(404)
    for (const node of await nodes()) expect(readdirSync(node.pluginDir).filter((f) => f.includes('0.3.0'))).toEqual([])

    const registered = await json(['plugin', 'register'])
    expect(registered).toMatchObject({mount: 'upgraded', version: 'v0.3.0'})
    expect(registered.nodes.find((n: {id: string}) => n.id === target.id).binary).toBe('linked')
    // Fail over to the repaired node. Which survivor wins a raft election is not chance: a follower that still
    // has a leader refuses the other's pre-vote (hashicorp/raft's leader stickiness), and a node that has just
    // started waits three times as long before its first election (Vault's initialTimeoutMultiplier). So the
    // node restarted last wins: restart the target, then kill the active node (Vault 1.21.4 queues a manual
    // sys/step-down on raft without acting on it). Rounds in case a loaded machine stretches the window.
    let rounds = 0
    for (; rounds < 5; rounds++) {
      const listed = await nodes()
      const active = listed.find((n) => n.role === 'active')!
      if (active.id === target.id) break
      process.kill(listed.find((n) => n.id === target.id)!.pid, 'SIGKILL')
      await until('the target to be down', async () => (await nodes()).find((n) => n.id === target.id)!.role === 'down')
      expect((await json(['server', 'start'])).restored).toEqual([target.id])
      process.kill(active.pid, 'SIGKILL')
      await until('a new active node', async () => (await nodes()).some((n) => n.role === 'active' && n.id !== active.id))
      expect((await json(['server', 'start'])).restored).toEqual([active.id])
    }
    console.log(`failover to ${target.id}: ${rounds} rounds`)
    expect((await nodes()).find((n) => n.role === 'active')!.id).toBe(target.id)
    expect(await hello(target)).toBe('Howdy, hi Ada from vault-plugin-secrets-hello')
  })

  test('a sealed node: status says so, start unseals it', async () => {
    const active = (await nodes()).find((n) => n.role === 'active')!
    expect((await vaultHttp(at(active), 'PUT', 'sys/seal')).status).toBe(204)
    await until('the sealed node to show as sealed', async () => (await nodes()).find((n) => n.id === active.id)?.role === 'sealed')
    const text = await vaultkit(['server', 'status'])
    expect(text.stdout).toMatch(new RegExp(`${active.id}\\s+sealed`))
    expect((await json(['server', 'start'])).restored).toEqual([active.id])
    expect((await nodes()).find((n) => n.id === active.id)!.role).toBe('standby')
  })

  test('a standby that runs but does not answer for a while (as during an election) is waited for, not started a second time', async () => {
    const standby = (await nodes()).find((n) => n.role === 'standby')!
    // Stopped for longer than one health request waits (5 s), shorter than the grace start gives a node of its own.
    process.kill(standby.pid, 'SIGSTOP')
    const resume = setTimeout(() => process.kill(standby.pid, 'SIGCONT'), 8000)
    try {
      expect((await json<{restored: string[]}>(['server', 'start'])).restored).toEqual([])
    } finally {
      clearTimeout(resume)
      process.kill(standby.pid, 'SIGCONT')
    }
    expect((await nodes()).find((n) => n.id === standby.id)).toMatchObject({role: 'standby', pid: standby.pid})
  })

  test('a wrong unseal key in a damaged state file: one line naming the node, no key shown', async () => {
    const good = readFileSync(stateFile(), 'utf8')
    const active = (await nodes()).find((n) => n.role === 'active')!
    expect((await vaultHttp(at(active), 'PUT', 'sys/seal')).status).toBe(204)
    const wrongKey = Buffer.alloc(32, 7).toString('base64')
    writeFileSync(stateFile(), good.replace(cluster().unsealKey, wrongKey), {mode: 0o600})
    try {
      const result = await vaultkit(['server', 'start'])
      expectOneLineError(result, new RegExp(`^Error: The unseal key in \\.vaultkit/cluster\\.json does not unseal ${active.id} .*the state file is damaged`))
      expect(result.stderr + result.stdout).not.toContain(wrongKey)
    } finally {
      writeFileSync(stateFile(), good, {mode: 0o600})
    }
    expect((await json(['server', 'start'])).restored).toEqual([active.id])
  })

  test('a port taken between runs: start names the node and the port; once free, the node comes back', async () => {
    const standby = (await nodes()).find((n) => n.role === 'standby')!
    process.kill(standby.pid, 'SIGKILL')
    const port = Number(new URL(standby.addr).port)
    await until('the port to be released', async () => (await nodes()).find((n) => n.id === standby.id)?.role === 'down')
    const squatter = createServer()
    await until('the port to be taken by another process', () => new Promise<boolean>((resolve) => {
      squatter.once('error', () => resolve(false))
      squatter.listen(port, '127.0.0.1', () => resolve(true))
    }))
    try {
      expectOneLineError(await vaultkit(['server', 'start']), new RegExp(`^Error: ${standby.id} is down and its port 127\\.0\\.0\\.1:${port} is now taken by another process`))
    } finally {
      await new Promise((resolve) => squatter.close(resolve))
    }
    expect((await json(['server', 'start'])).restored).toEqual([standby.id])
    expect((await nodes()).map((n) => n.role).sort()).toEqual(['active', 'standby', 'standby'])
  })

  test('--vault-addr to a cluster vaultkit does not run: register says how many nodes must hold which file and sha256', async () => {
    const active = (await nodes()).find((n) => n.role === 'active')!
    const command = 'vault-plugin-secrets-hello_v0.1.0'
    const sha256 = await sha256File(join(active.pluginDir, command))
    const args = ['plugin', 'register', '--vault-addr', active.addr, '--type', 'secrets', '--name', 'hello', '--plugin-version', '0.1.0']
    const result = await vaultkit([...args, '--sha256', sha256, '--command', command, '--path', 'hello-remote', '--json'], {VAULT_TOKEN: cluster().token})
    expect(result.exitCode, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout).cluster).toEqual({nodes: 3, nodeIds: ['node-1', 'node-2', 'node-3'], command, sha256})
    const text = await vaultkit([...args, '--sha256', sha256, '--command', command, '--path', 'hello-remote'], {VAULT_TOKEN: cluster().token})
    expect(text.stdout).toContain(`This Vault is a 3-node cluster (node-1, node-2, node-3): each node's plugin directory must hold\n  ${command} with sha256 ${sha256}`)
  })

  test('a dev server is refused while the cluster runs: a project runs one or the other', async () => {
    expectOneLineError(await vaultkit(['server', 'start', '--nodes', '1']), /^Error: A 3-node cluster of this project is recorded: stop it/)
    expectOneLineError(await vaultkit(['server', 'start', '--nodes', '5']), /^Error: A 3-node cluster of this project is recorded in \.vaultkit\/cluster\.json: use it/)
  })
})

describe('plugin dev, plugin logs and register --from-release on the cluster', {timeout: 600_000}, () => {
  const BINARY = 'vault-plugin-secrets-hello'
  const helloGo = () => join(project, 'path_hello.go')
  const catalogSha = async (version: string) => {
    const active = (await nodes()).find((n) => n.role === 'active')!
    return (await vaultHttp(at(active), 'GET', `sys/plugins/catalog/secret/hello?version=${version}`)).body.data.sha256 as string
  }
  /** The process Delve attached to: its parent (the Vault that runs it) and its executable. */
  const processOf = (pid: number) => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return {ppid: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]), exe: readlinkSync(`/proc/${pid}/exe`)}
  }

  test('plugin dev (--debug): every round on all 3 nodes; a rebuild of the same version replaces every node’s file; a failover mid-loop', async () => {
    setVersion('0.4.0')
    const dev = startVaultkit(['plugin', 'dev', '--project', project, '--debug', '--debug-port', String(await freePort())], [], PS_TABLE)
    /** What the loop printed from `from` on, once `pattern` is in it. */
    const waitFor = async (pattern: RegExp, from = 0) => (await dev.waitFor(pattern, 180_000, from)).input
    /** Saves path_hello.go and waits for the round it starts; what the loop printed from the save on. */
    const save = async (text: string) => {
      const from = dev.output.length
      writeFileSync(helloGo(), text)
      // The round's lines, with the plugin's own log lines maybe among them.
      return waitFor(/✔ changed path_hello\.go[\s\S]*?Delve attached[^\n]*\n/, from)
    }
    const delvePid = (text: string) => Number(/Delve attached to the plugin \(pid (\d+)\)/.exec(text)![1])
    const source = readFileSync(helloGo(), 'utf8')
    try {
      const first = await waitFor(/Watching for changes/)
      expect(first).toMatch(/Using the project's 3-node raft cluster/)
      expect(first).toMatch(/✔ ready: .*\(upgraded\)/)
      expect(first).toMatch(new RegExp(`${BINARY}_v0\\.4\\.0: node-1 (active|standby) linked, node-2 (active|standby) linked, node-3 (active|standby) linked\\n`))
      expect(first).toContain('GET hello/hello -> Howdy, hi world from')
      let active = (await nodes()).find((n) => n.role === 'active')!
      expect(processOf(delvePid(first))).toEqual({ppid: active.pid, exe: join(active.pluginDir, `${BINARY}_v0.4.0`)})
      const firstSha = await catalogSha('v0.4.0')
      const inodes = new Map((await nodes()).map((n) => [n.id, statSync(join(n.pluginDir, `${BINARY}_v0.4.0`)).ino]))

      // The same version, a new build: every node's versioned file replaced (a new file, never written in place), the catalog re-registered.
      const logged = source.replace('	cfg, err := b.getConfig(ctx, req.Storage)', '	b.Logger().Info("hello requested", "name", d.Get("name").(string))\n	cfg, err := b.getConfig(ctx, req.Storage)')
      const round = await save(logged.replace('hi %s from', 'yo %s from'))
      expect(round).toMatch(/\(reloaded\)/)
      const newSha = await catalogSha('v0.4.0')
      expect(newSha).not.toBe(firstSha)
      for (const node of await nodes()) {
        const file = join(node.pluginDir, `${BINARY}_v0.4.0`)
        expect(await sha256File(file)).toBe(newSha)
        expect(statSync(file).ino).not.toBe(inodes.get(node.id))
      }
      expect(await hello(active), dev.output).toBe('Howdy, yo Ada from vault-plugin-secrets-hello')
      expect(processOf(delvePid(round)).ppid).toBe(active.pid)
      // The plugin's log line, shown inline with the id of the node that runs it.
      await waitFor(new RegExp(`${active.id}  \\S+ INFO  hello requested: name=Ada`))

      // The active node killed under the loop: the next round registers through the new active node; the dead one still gets the file.
      process.kill(active.pid, 'SIGKILL')
      const killed = active
      await until('a new active node', async () => (await nodes()).some((n) => n.role === 'active' && n.id !== killed.id))
      active = (await nodes()).find((n) => n.role === 'active')!
      const failedOver = await save(logged.replace('hi %s from', 'hey %s from'))
      expect(failedOver).toMatch(new RegExp(`${killed.id} down linked.*\\(${killed.id} down: \`vaultkit server start\` brings it back with this build\\)`))
      expect(await hello(active), dev.output).toBe('Howdy, hey Ada from vault-plugin-secrets-hello')
      expect(processOf(delvePid(failedOver))).toEqual({ppid: active.pid, exe: join(active.pluginDir, `${BINARY}_v0.4.0`)})
      await waitFor(new RegExp(`${active.id}  \\S+ INFO  hello requested: name=Ada`), dev.output.indexOf('✔ changed', dev.output.length - failedOver.length))

      // `server start` in another terminal brings the killed node back under a new pid: the loop's next round sees it.
      expect((await json(['server', 'start'])).restored).toEqual([killed.id])
      const restored = await save(logged.replace('hi %s from', 'hiya %s from'))
      expect(restored).toMatch(new RegExp(`${killed.id} standby linked`))
      expect(restored).not.toMatch(/ down/)
    } finally {
      dev.kill('SIGINT')
    }
    const result = await dev
    transcript.push(result.all ?? '')
    expect(result.exitCode, result.all).toBe(0)
    // The loop leaves the cluster running, every node holding the last build.
    expect((await nodes()).map((n) => n.role).sort()).toEqual(['active', 'standby', 'standby'])
    const sha = await catalogSha('v0.4.0')
    for (const node of await nodes()) expect(await sha256File(join(node.pluginDir, `${BINARY}_v0.4.0`))).toBe(sha)
  })

  test('plugin logs: every node’s log, each line prefixed with its node id; --follow follows them all', async () => {
    const all = await vaultkit(['plugin', 'logs'])
    expect(all.exitCode, all.stderr).toBe(0)
    // Two nodes ran the plugin (before and after the failover above): lines from both, each with its id.
    const ids = new Set([...all.stdout.matchAll(/^(node-\d) +\S+ INFO {2}hello requested: name=Ada$/gm)].map((m) => m[1]))
    expect(ids.size).toBe(2)

    const follow = execa(process.execPath, [BIN, 'plugin', 'logs', '--follow', '--project', project], {env: {NO_COLOR: '1', ...PS_TABLE}, reject: false, all: true})
    let output = ''
    follow.all?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    try {
      await until('the existing lines', async () => /hello requested: name=Ada/.test(output))
      const active = (await nodes()).find((n) => n.role === 'active')!
      expect((await vaultHttp(at(active), 'GET', 'hello/hello?name=Follow')).status).toBe(200)
      await until('the new line', async () => new RegExp(`^${active.id} +\\S+ INFO  hello requested: name=Follow$`, 'm').test(output), 30_000)
    } finally {
      follow.kill('SIGINT')
    }
    await follow
  })

  test('register --from-release: the zip checked once, the versioned binary on every node, the mount on it', async () => {
    setVersion('0.5.0')
    const platform = releasePlatform().replace('_', '/')
    const out = join(parent, 'dist')
    const release = await json(['plugin', 'release', '--platform', platform, '--out', out, '--allow-dirty', '--skip-audit'])
    const built = release.platforms.find((p: {platform: string}) => p.platform === platform)
    const before = await hello((await nodes()).find((n) => n.role === 'active')!)
    // What a register killed outright (SIGKILL) left: swept by this one, since its process is gone.
    const abandoned = join(project, '.vaultkit', `.release-${spawnSync(process.execPath, ['-e', '']).pid}-x1y2z3`)
    mkdirSync(abandoned)
    writeFileSync(join(abandoned, BINARY), 'tens of MB')
    const registered = await json(['plugin', 'register', '--from-release', out])
    expect(registered).toMatchObject({version: 'v0.5.0', command: `${BINARY}_v0.5.0`, sha256: built.sha256, catalog: 'registered', mount: 'upgraded', down: []})
    expect(registered.nodes.map((n: {binary: string}) => n.binary)).toEqual(['linked', 'linked', 'linked'])
    for (const node of await nodes()) expect(await sha256File(join(node.pluginDir, `${BINARY}_v0.5.0`))).toBe(built.sha256)
    // Extracted once beside the nodes' folders, and that copy removed (the abandoned one too).
    expect(readdirSync(join(project, '.vaultkit')).filter((f) => f.startsWith('.release-'))).toEqual([])
    const active = (await nodes()).find((n) => n.role === 'active')!
    // The release is of the same sources: the same answer, from 0.5.0.
    expect(await hello(active)).toBe(before)
    expect((await vaultHttp(at(active), 'GET', 'sys/mounts')).body.data['hello/'].running_plugin_version).toBe('v0.5.0')
  })
})

describe('what the cluster leaves behind', {timeout: 600_000}, () => {
  test('neither the root token nor the unseal key appears in anything printed or logged; configs and state are 0600', async () => {
    const {token, unsealKey} = cluster()
    const written: string[] = []
    for (const node of await nodes()) {
      const dir = join(project, '.vaultkit', node.id)
      written.push(readFileSync(join(dir, 'vault.log'), 'utf8'), readFileSync(join(dir, 'vault.hcl'), 'utf8'))
      expect(statSync(join(dir, 'vault.hcl')).mode & 0o777).toBe(0o600)
    }
    for (const text of [...transcript, ...written]) {
      expect(text.includes(token), text.slice(0, 200)).toBe(false)
      expect(text.includes(unsealKey), text.slice(0, 200)).toBe(false)
    }
    expect(statSync(stateFile()).mode & 0o777).toBe(0o600)
  })

  test('server stop ends every node, and the plugin processes that killed nodes left behind, and removes the cluster', async () => {
    const pids = (await nodes()).map((n) => n.pid)
    const stopped = await json(['server', 'stop'])
    expect(stopped.stopped.sort()).toEqual(['node-1', 'node-2', 'node-3'])
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0)
        return true
      } catch {
        return false
      }
    }
    await until('every vaultkit process of the project to end', async () => {
      const left = readdirSync('/proc').filter((pid) => /^\d+$/.test(pid) && readlinkOr(`/proc/${pid}/exe`).startsWith(join(project, '.vaultkit')))
      return pids.every((pid) => !alive(pid)) && left.length === 0
    })
    expect(readdirSync(join(project, '.vaultkit')).filter((f) => f.startsWith('node-') || f === 'cluster.json')).toEqual([])
  })

  test('a node that lost its raft data (killed between its join and its unseal, or its folder wiped) is joined again by start', async () => {
    // The cluster above is gone: this one is the file's only one running.
    await json(['server', 'start', '--nodes', '3'])
    const recorded = JSON.parse(readFileSync(stateFile(), 'utf8')) as {nodes: {id: string; pid: number; dir: string; apiPort: number}[]}
    const lost = recorded.nodes[1]!
    process.kill(lost.pid, 'SIGKILL')
    await until(`${lost.id} to end`, async () => !(await health(`http://127.0.0.1:${lost.apiPort}`)))
    rmSync(join(lost.dir, 'raft'), {recursive: true})
    mkdirSync(join(lost.dir, 'raft'), {mode: 0o700})
    const again = await json<{restored: string[]}>(['server', 'start'])
    expect(again.restored).toEqual([lost.id])
    expect((await nodes()).map((n) => n.role).sort()).toEqual(['active', 'standby', 'standby'])
    expect((await health(`http://127.0.0.1:${lost.apiPort}`))?.initialized).toBe(true)
    await json(['server', 'stop'])
  })
})

function readlinkOr(path: string): string {
  try {
    return readlinkSync(path)
  } catch {
    return ''
  }
}
