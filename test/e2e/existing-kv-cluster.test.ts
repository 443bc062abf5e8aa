import {readFileSync, rmSync} from 'node:fs'
import {createHash} from 'node:crypto'
import {dirname, join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'

import {runCli} from '../helpers.js'
import {EXISTING_PLUGINS, cloneOfModule} from '../existing-plugins.js'
import {type ClusterNode as Node, installVault, vaultHttp} from './vault.js'

// HashiCorp's KV, taken in with plugin init, on a real 3-node raft cluster of its own repository: an
// unversioned plugin goes onto every node under its own name, and a secret survives the active node's death.
const BINARY = 'vault-plugin-secrets-kv'
let repo: string

async function vaultkit(args: string[]) {
  const result = await runCli([...args, '--project', repo])
  expect(result.exitCode, `${args.join(' ')}: ${result.stderr}`).toBe(0)
  return result
}
const token = () => (JSON.parse(readFileSync(join(repo, '.vaultkit/cluster.json'), 'utf8')) as {token: string}).token
const nodes = async () => (JSON.parse((await vaultkit(['server', 'status', '--json'])).stdout) as {nodes: Node[]}).nodes
const at = (node: Node) => ({addr: node.addr, token: token()})
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex')

beforeAll(async () => {
  await installVault()
  repo = await cloneOfModule(EXISTING_PLUGINS.kv)
  await vaultkit(['plugin', 'init', '--yes'])
  await vaultkit(['server', 'start', '--nodes', '3'])
}, 1_800_000)

afterAll(async () => {
  if (repo) {
    await runCli(['server', 'stop', '--project', repo])
    rmSync(dirname(repo), {recursive: true, force: true})
  }
}, 120_000)

describe('an initialised KV on a real 3-node cluster', {timeout: 600_000}, () => {
  test('plugin build and register put it on every node, unversioned, and it serves', async () => {
    await vaultkit(['plugin', 'build'])
    const registered = JSON.parse((await vaultkit(['plugin', 'register', '--json'])).stdout)
    const build = sha256(join(repo, '.vaultkit/plugins', BINARY))
    expect(registered).toMatchObject({type: 'secret', name: 'kv-ext', command: BINARY, sha256: build, mount: 'enabled'})
    expect(registered.version).toBeUndefined()
    for (const node of await nodes()) expect(sha256(join(node.pluginDir, BINARY)), node.id).toBe(build)
    const active = (await nodes()).find((n) => n.role === 'active')!
    expect((await vaultHttp(at(active), 'POST', 'kv-ext/app', {password: 's3cret'})).status).toBe(204)
    expect((await vaultHttp(at(active), 'GET', 'sys/mounts')).body.data['kv-ext/']).toMatchObject({running_sha256: build})
  })

  test('the active node SIGKILLed: the new active node reads the secret with its own copy of the build', async () => {
    const before = await nodes()
    const active = before.find((n) => n.role === 'active')!
    process.kill(active.pid, 'SIGKILL')
    const survivors = before.filter((n) => n.id !== active.id)
    const deadline = Date.now() + 180_000
    let answered: Node | undefined
    while (!answered && Date.now() < deadline) {
      for (const node of survivors) {
        const read = await vaultHttp(at(node), 'GET', 'kv-ext/app').catch(() => undefined)
        if (read?.body.data?.password === 's3cret' && (await vaultHttp(at(node), 'GET', 'sys/leader')).body.is_self === true) answered = node
      }
      if (!answered) await new Promise((r) => setTimeout(r, 250))
    }
    expect(answered, 'no survivor answered the read as the active node').toBeDefined()
    expect((await vaultHttp(at(answered!), 'GET', 'sys/mounts')).body.data['kv-ext/'].running_sha256).toBe(sha256(join(repo, '.vaultkit/plugins', BINARY)))
  })
})
