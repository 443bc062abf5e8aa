import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'

import {sha256File} from '../../src/lib/project/build.js'
import {runCli, until} from '../helpers.js'
import {type ClusterNode as Node, installVault, scaffold, vaultHttp} from './vault.js'

// One real 5-node raft cluster: what five nodes buy over three is surviving two lost nodes at once.
const parent = mkdtempSync(join(tmpdir(), 'vaultkit-e2e-cluster-five-'))
let project: string

async function vaultkit(args: string[]) {
  const result = await runCli([...args, '--project', project, '--json'])
  expect(result.exitCode, `${args.join(' ')}: ${result.stderr}`).toBe(0)
  return JSON.parse(result.stdout)
}
const nodes = async () => (await vaultkit(['server', 'status'])).nodes as Node[]
const token = () => (JSON.parse(readFileSync(join(project, '.vaultkit/cluster.json'), 'utf8')) as {token: string}).token
const hello = async (node: Node) => (await vaultHttp({addr: node.addr, token: token()}, 'GET', 'hello/hello?name=Ada')).body.data?.message as string | undefined

beforeAll(async () => {
  await installVault()
  project = await scaffold('secrets', parent)
  await vaultkit(['server', 'start', '--nodes', '5'])
}, 1_800_000)

afterAll(async () => {
  if (project) await runCli(['server', 'stop', '--project', project])
  rmSync(parent, {recursive: true, force: true})
}, 120_000)

describe('a real 5-node raft cluster', {timeout: 600_000}, () => {
  test('one active node and four voting standbys; register puts the binary on all five', async () => {
    const listed = await nodes()
    expect(listed.map((n) => n.role).sort()).toEqual(['active', 'standby', 'standby', 'standby', 'standby'])
    const active = listed.find((n) => n.role === 'active')!
    const raft = await vaultHttp({addr: active.addr, token: token()}, 'GET', 'sys/storage/raft/configuration')
    const servers = raft.body.data.config.servers as Array<{node_id: string; voter: boolean}>
    expect(servers.filter((s) => s.voter).map((s) => s.node_id).sort()).toEqual(['node-1', 'node-2', 'node-3', 'node-4', 'node-5'])

    await vaultkit(['plugin', 'build'])
    const registered = await vaultkit(['plugin', 'register'])
    expect(registered).toMatchObject({mount: 'enabled', command: 'vault-plugin-secrets-hello_v0.1.0', down: []})
    expect(registered.nodes).toHaveLength(5)
    for (const node of listed) expect(await sha256File(join(node.pluginDir, registered.command))).toBe(registered.sha256)
    expect((await vaultHttp({addr: active.addr, token: token()}, 'POST', 'hello/config', {custom_prefix: 'Howdy'})).status).toBe(204)
    expect(await hello(active)).toBe('Howdy, hello Ada from vault-plugin-secrets-hello')
  })

  test('the active node and a standby SIGKILLed together: the other three elect a leader and the plugin answers; start brings both back', async () => {
    const before = await nodes()
    const active = before.find((n) => n.role === 'active')!
    const standby = before.find((n) => n.role === 'standby')!
    process.kill(active.pid, 'SIGKILL')
    process.kill(standby.pid, 'SIGKILL')
    const survivors = before.filter((n) => n !== active && n !== standby)
    const answer = await until('one of the three survivors to answer as the active node', async () => {
      for (const node of survivors) {
        const message = await hello(node)
        if (message) return message
      }
      return undefined
    })
    expect(answer).toBe('Howdy, hello Ada from vault-plugin-secrets-hello')

    const restarted = await vaultkit(['server', 'start'])
    expect([...restarted.restored].sort()).toEqual([active.id, standby.id].sort())
    expect((await nodes()).map((n) => n.role).sort()).toEqual(['active', 'standby', 'standby', 'standby', 'standby'])
  })
})
