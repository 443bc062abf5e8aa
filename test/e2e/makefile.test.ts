import {mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {execa, type ResultPromise} from 'execa'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'

import {freePort, until} from '../helpers.js'
import {type Postgres, startPostgres} from '../postgres.js'
import {installVault, scaffold} from './vault.js'

// The generated README's steps, as a user without vaultkit runs them: make dev, make register, use it,
// make register VERSION=0.2.0, make rollback; the real vault CLI throughout.
const parent = mkdtempSync(join(tmpdir(), 'vaultkit-e2e-makefile-'))
let vaultBin: string
let postgres: Postgres

beforeAll(async () => {
  vaultBin = await installVault()
  postgres = await startPostgres()
}, 1_800_000)

afterAll(() => {
  postgres?.stop()
  rmSync(parent, {recursive: true, force: true})
})

describe.each(['secrets', 'auth', 'database'])('the %s kind: README steps with make and the vault CLI', (kind) => {
  let project: string
  let dev: ResultPromise | undefined
  let env: Record<string, string>
  const make = (...args: string[]) => execa('make', args, {cwd: project, env, reject: false, all: true})
  const vault = (...args: string[]) => execa('vault', args, {cwd: project, env, reject: false, all: true})
  const mount = kind === 'auth' ? 'auth/hello' : 'hello'
  const dbArgs = () => (kind === 'database' ? [`DB_CONNECTION_URL=postgresql://{{username}}:{{password}}@127.0.0.1:${postgres.port}/postgres?sslmode=disable`, `DB_USERNAME=${postgres.superuser}`] : [])

  afterAll(async () => {
    if (dev?.pid) process.kill(-dev.pid, 'SIGTERM')
    await dev?.catch(() => undefined)
  })

  test('make dev, then make register enables it, and it answers', {timeout: 900_000}, async () => {
    project = await scaffold(kind, parent)
    // The machine is shared: the README's ports 8200/8210 move to free ones, as the Makefile's comment says.
    const [devPort, port] = [await freePort(), await freePort()]
    const config = join(project, 'vault-config.hcl')
    writeFileSync(config, readFileSync(config, 'utf8').replaceAll('127.0.0.1:8210', `127.0.0.1:${port}`))
    env = {
      PATH: `${dirname(vaultBin)}:${process.env.PATH}`,
      VAULT_DEV_LISTEN_ADDRESS: `127.0.0.1:${devPort}`,
      VAULT_ADDR: `http://127.0.0.1:${port}`,
      VAULT_TOKEN: 'root',
      DB_PASSWORD: postgres?.password ?? '',
    }
    dev = execa('make', ['dev', `VAULT_ADDR=${env.VAULT_ADDR}`], {cwd: project, env, detached: true, reject: false, all: true})
    await until('make dev to serve', async () => (await fetch(`${env.VAULT_ADDR}/v1/sys/health`)).status === 200, 600_000)

    const registered = await make('register', `VAULT_ADDR=${env.VAULT_ADDR}`, ...dbArgs())
    expect(registered.exitCode, registered.all).toBe(0)
    if (kind === 'database') {
      const role = await vault('write', 'database/roles/app', 'db_name=hello', 'default_ttl=1h', `creation_statements=CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';`)
      expect(role.exitCode, role.all).toBe(0)
    } else {
      expect((await vault('write', `${mount}/config`, 'custom_prefix=Howdy', 'api_key=s3cr3t')).exitCode).toBe(0)
    }
    expect(await answer()).toBe(kind === 'database' ? 'v0.1.0' : `Howdy, hello Ada from ${binary()}`)
  })

  test('make register VERSION=0.2.0 upgrades the mount in place; make rollback goes back; data kept both ways', {timeout: 900_000}, async () => {
    const source = kind === 'database' ? undefined : join(project, 'path_hello.go')
    if (source) writeFileSync(source, readFileSync(source, 'utf8').replace('hello %s from', 'hi %s from'))
    const upgraded = await make('register', 'VERSION=0.2.0', `VAULT_ADDR=${env.VAULT_ADDR}`, ...dbArgs())
    expect(upgraded.exitCode, upgraded.all).toBe(0)
    expect(upgraded.all).not.toMatch(/checksums did not match/)
    expect(await answer()).toBe(kind === 'database' ? 'v0.2.0' : `Howdy, hi Ada from ${binary()}`)
    expect(readdirSync(join(project, 'vault/plugins')).filter((f) => f.includes('_v')).sort()).toEqual([`${binary()}_v0.1.0`, `${binary()}_v0.2.0`])

    const rolledBack = await make('rollback', `VAULT_ADDR=${env.VAULT_ADDR}`)
    expect(rolledBack.exitCode, rolledBack.all).toBe(0)
    expect(rolledBack.all).toMatch(/v0\.2\.0 -> v0\.1\.0/)
    expect(await answer()).toBe(kind === 'database' ? 'v0.1.0' : `Howdy, hello Ada from ${binary()}`)

    const forward = await make('rollback', 'TO=0.2.0', `VAULT_ADDR=${env.VAULT_ADDR}`)
    expect(forward.exitCode, forward.all).toBe(0)
    expect(await answer()).toBe(kind === 'database' ? 'v0.2.0' : `Howdy, hi Ada from ${binary()}`)
    const nothingBefore = await make('rollback', 'TO=', `VAULT_ADDR=${env.VAULT_ADDR}`)
    expect(nothingBefore.exitCode).toBe(0)
    expect(await answer()).toBe(kind === 'database' ? 'v0.1.0' : `Howdy, hello Ada from ${binary()}`)
    const none = await make('rollback', `VAULT_ADDR=${env.VAULT_ADDR}`)
    expect(none.exitCode).not.toBe(0)
    expect(none.all).toMatch(/no version before v0\.1\.0 is registered: make rollback TO=x\.y\.z/)
  })

  const binary = () => `vault-plugin-${kind}-hello`

  /** What only the running plugin can say: hello's message; for the database kind, the version that issued creds. */
  async function answer(): Promise<string> {
    if (kind === 'database') {
      const creds = await vault('read', '-format=json', 'database/creds/app')
      expect(creds.exitCode, creds.all).toBe(0)
      const config = await vault('read', '-field=plugin_version', 'database/config/hello')
      return config.stdout.trim()
    }
    const read = await vault('read', '-field=message', `${mount}/hello`, 'name=Ada')
    expect(read.exitCode, read.all).toBe(0)
    return read.stdout.trim()
  }
})
