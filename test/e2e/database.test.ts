import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'

import {runCli} from '../helpers.js'
import {type Postgres, startPostgres} from '../postgres.js'
import {type DevServer, devUntilReady, installVault, readServerState, scaffold, vaultHttp} from './vault.js'

// The database kind in a real Vault, against a real PostgreSQL started here.
const parent = mkdtempSync(join(tmpdir(), 'vaultkit-e2e-database-'))
const transcript: string[] = []
let project: string
let server: DevServer
let postgres: Postgres

async function vaultkit(args: string[], env: Record<string, string> = {}) {
  const result = await runCli([...args, '--project', project], {env})
  transcript.push(result.stdout, result.stderr)
  return result
}

const connectionUrl = () => `postgres://{{username}}:{{password}}@127.0.0.1:${postgres.port}/postgres?sslmode=disable`
const connectionFlags = () => ['--connection-url', connectionUrl(), '--db-username', postgres.superuser]

const psql = (user: string, password: string, sql: string) => postgres.psql(user, password, sql)

const roleCount = (name: string) => psql(postgres.superuser, postgres.password, `SELECT count(*) FROM pg_roles WHERE rolname = '${name}'`)

beforeAll(async () => {
  await installVault()
  postgres = await startPostgres()
  project = await scaffold('database', parent)
  expect((await vaultkit(['server', 'start'])).exitCode).toBe(0)
  server = readServerState(project)
}, 1_800_000)

afterAll(async () => {
  if (project) await vaultkit(['server', 'stop'])
  postgres?.stop()
  rmSync(parent, {recursive: true, force: true})
})

describe('the database kind in a real Vault and a real PostgreSQL', () => {
  test('register mounts the database engine, configures the connection and a dev role', async () => {
    expect((await vaultkit(['plugin', 'build'])).exitCode).toBe(0)
    const result = await vaultkit(['plugin', 'register', '--json', ...connectionFlags()], {VAULTKIT_DB_PASSWORD: postgres.password})
    expect(result.exitCode, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({type: 'database', name: 'hello', path: 'database', catalog: 'registered', mount: 'enabled'})
    const config = await vaultHttp(server, 'GET', 'database/config/hello')
    expect(config.body.data).toMatchObject({plugin_name: 'hello', plugin_version: 'v0.1.0'})
    expect(JSON.stringify(config.body)).not.toContain(postgres.password)
    const again = await vaultkit(['plugin', 'register', '--json'])
    expect(JSON.parse(again.stdout)).toMatchObject({catalog: 'unchanged', mount: 'unchanged'})
  })

  test('creds log in to PostgreSQL, and revoking the lease drops the role', async () => {
    const creds = await vaultHttp(server, 'GET', 'database/creds/hello')
    expect(creds.status).toBe(200)
    const {username, password} = creds.body.data
    expect(username).toMatch(/^v-token-hello-/)
    expect(psql(username, password, 'SELECT 1')).toBe('1')
    expect(() => psql(username, 'not-the-password', 'SELECT 1')).toThrow(/password authentication failed/)
    expect(roleCount(username)).toBe('1')
    expect((await vaultHttp(server, 'PUT', 'sys/leases/revoke', {lease_id: creds.body.lease_id})).status).toBe(204)
    expect(roleCount(username)).toBe('0')
  })

  test('version 0.2.0: register rewrites plugin_version only; the connection stays', async () => {
    const versionFile = join(project, 'version/version.go')
    writeFileSync(versionFile, readFileSync(versionFile, 'utf8').replace('"0.1.0"', '"0.2.0"'))
    expect((await vaultkit(['plugin', 'build'])).exitCode).toBe(0)
    const result = await vaultkit(['plugin', 'register', '--json'])
    expect(JSON.parse(result.stdout)).toMatchObject({mount: 'upgraded', version: 'v0.2.0'})
    const config = await vaultHttp(server, 'GET', 'database/config/hello')
    expect(config.body.data).toMatchObject({plugin_version: 'v0.2.0', running_plugin_version: 'v0.2.0'})
    const creds = await vaultHttp(server, 'GET', 'database/creds/hello')
    expect(psql(creds.body.data.username, creds.body.data.password, 'SELECT 1')).toBe('1')
  })

  test('a connection URL that does not connect gives Vault\'s error, password scrubbed', async () => {
    const binary = join(project, 'vault/plugins/vault-plugin-database-hello')
    const wrongPort = connectionUrl().replace(`:${postgres.port}/`, ':1/')
    const result = await vaultkit(
      ['plugin', 'register', '--binary', binary, '--type', 'database', '--name', 'broken', '--plugin-version', '0.2.0',
        '--connection-url', wrongPort, '--db-username', postgres.superuser],
      {VAULTKIT_DB_PASSWORD: postgres.password},
    )
    expect(result.exitCode).toBe(1)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toMatch(/^Error: Vault answered 400 to POST database\/config\/broken: .*(connection refused|failed to connect)/)
    expect(result.stderr).not.toContain(postgres.password)
  })

  test('without connection settings the first register says which flags to pass', async () => {
    const binary = join(project, 'vault/plugins/vault-plugin-database-hello')
    const result = await vaultkit(['plugin', 'register', '--binary', binary, '--type', 'database', '--name', 'unset', '--plugin-version', '0.2.0'])
    expect(result.stderr.trim()).toMatch(/^Error: database\/config\/unset does not exist yet, and no connection settings were given: pass --connection-url/)
  })

  test('plugin dev smoke-tests it by issuing and revoking creds', async () => {
    const result = await devUntilReady(project)
    transcript.push(result.output)
    expect(result.output).toMatch(/GET database\/creds\/hello -> issued database user v-token-hello-\S+ \(lease \d+ s\), then revoked it/)
    const user = /issued database user (\S+)/.exec(result.output)![1]!
    expect(roleCount(user)).toBe('0')
  })

  test('neither the root token nor the database password appears in anything vaultkit printed', () => {
    for (const text of transcript) {
      expect(text.includes(server.token)).toBe(false)
      expect(text.includes(postgres.password)).toBe(false)
    }
  })
})
