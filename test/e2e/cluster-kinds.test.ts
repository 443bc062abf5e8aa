import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'

import {runCli} from '../helpers.js'
import {type Postgres, startPostgres} from '../postgres.js'
import {type ClusterNode as Node, installVault, scaffold, vaultHttp} from './vault.js'

// The auth and database kinds on one real 3-node cluster (the auth project's): register, use, failover.
const parent = mkdtempSync(join(tmpdir(), 'vaultkit-e2e-cluster-kinds-'))
let auth: string
let database: string
let postgres: Postgres

async function vaultkit(args: string[]) {
  const result = await runCli([...args, '--project', auth])
  expect(result.exitCode, `${args.join(' ')}: ${result.stderr}`).toBe(0)
  return result
}
const token = () => (JSON.parse(readFileSync(join(auth, '.vaultkit/cluster.json'), 'utf8')) as {token: string}).token
const nodes = async () => (JSON.parse((await vaultkit(['server', 'status', '--json'])).stdout) as {nodes: Node[]}).nodes
const at = (node: Node) => ({addr: node.addr, token: token()})

async function login(node: Node) {
  return (await vaultHttp(at(node), 'POST', 'auth/hello/login', {username: 'alice', password: 'correct-horse'})).body.auth?.client_token as string | undefined
}
async function creds(node: Node) {
  return (await vaultHttp(at(node), 'GET', 'database/creds/hello')).body.data?.username as string | undefined
}

beforeAll(async () => {
  await installVault()
  postgres = await startPostgres()
  auth = await scaffold('auth', parent)
  database = await scaffold('database', parent)
  await vaultkit(['server', 'start', '--nodes', '3'])
}, 1_800_000)

afterAll(async () => {
  if (auth) await runCli(['server', 'stop', '--project', auth])
  postgres?.stop()
  rmSync(parent, {recursive: true, force: true})
}, 120_000)

describe('auth and database plugins on a real 3-node cluster', {timeout: 600_000}, () => {
  test('both registered on every node; a user logs in, credentials are issued', async () => {
    await vaultkit(['plugin', 'build'])
    expect((await runCli(['plugin', 'build', '--project', database])).exitCode).toBe(0)
    const registered = JSON.parse((await vaultkit(['plugin', 'register', '--json'])).stdout)
    expect(registered).toMatchObject({type: 'auth', command: 'vault-plugin-auth-hello_v0.1.0', mount: 'enabled'})
    const db = await runCli(
      [
        'plugin', 'register', '--project', auth, '--json',
        '--binary', join(database, 'vault/plugins/vault-plugin-database-hello'), '--type', 'database', '--name', 'hello', '--plugin-version', '0.1.0',
        '--connection-url', `postgresql://{{username}}:{{password}}@127.0.0.1:${postgres.port}/postgres?sslmode=disable`, '--db-username', postgres.superuser,
      ],
      {env: {VAULTKIT_DB_PASSWORD: postgres.password}},
    )
    expect(db.exitCode, db.stderr).toBe(0)
    const dbResult = JSON.parse(db.stdout)
    expect(dbResult).toMatchObject({type: 'database', command: 'vault-plugin-database-hello_v0.1.0', mount: 'enabled'})
    expect(dbResult.nodes.map((n: {binary: string}) => n.binary)).toEqual(['linked', 'linked', 'linked'])
    expect(db.stdout).not.toContain(postgres.password)

    const active = (await nodes()).find((n) => n.role === 'active')!
    expect((await vaultHttp(at(active), 'POST', 'auth/hello/users/alice', {password: 'correct-horse', policies: 'default'})).status).toBe(204)
    expect(await login(active)).toMatch(/^hvs\./)
    expect(await creds(active)).toMatch(/^v-/)
  })

  test('the active node SIGKILLed: the new active node logs users in and issues credentials, from its own plugin directory', async () => {
    const before = await nodes()
    const active = before.find((n) => n.role === 'active')!
    process.kill(active.pid, 'SIGKILL')
    const survivors = before.filter((n) => n.id !== active.id)
    const deadline = Date.now() + 180_000
    let answered: {node: Node; user: string} | undefined
    while (!answered && Date.now() < deadline) {
      for (const node of survivors) {
        const user = (await login(node).catch(() => undefined)) && (await creds(node).catch(() => undefined))
        if (user && (await vaultHttp(at(node), 'GET', 'sys/leader')).body.is_self === true) answered = {node, user}
      }
      if (!answered) await new Promise((r) => setTimeout(r, 250))
    }
    expect(answered, 'no survivor answered both as the active node').toBeDefined()
    expect(answered!.user).toMatch(/^v-/)
    const config = await vaultHttp(at(answered!.node), 'GET', 'database/config/hello')
    expect(config.body.data).toMatchObject({plugin_name: 'hello', plugin_version: 'v0.1.0'})
    expect((JSON.parse((await vaultkit(['server', 'start', '--json'])).stdout) as {restored: string[]}).restored).toEqual([active.id])
  })
})
