import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, expect, test} from 'vitest'

import {runCli, tempDir} from '../helpers.js'
import {type Postgres, startPostgres} from '../postgres.js'
import {installVault} from './vault.js'

// template test --e2e of a kind started from the database kind: its plugin in a real Vault, against a real
// PostgreSQL started here, with the connection given as template test's flags.
let postgres: Postgres

beforeAll(async () => {
  await installVault()
  postgres = await startPostgres()
}, 1_800_000)

afterAll(() => postgres?.stop())

type Step = {step: string; status: string; detail?: string}

async function newDatabaseKind(): Promise<string> {
  const cwd = tempDir()
  const created = await runCli(['template', 'new', 'acme-db', '--from', 'database'], {cwd, env: {XDG_CONFIG_HOME: tempDir()}})
  expect(created.exitCode, created.stderr).toBe(0)
  return join(cwd, 'acme-db')
}

test('template test --e2e of a database kind issues creds from a real PostgreSQL, and never prints the password', {timeout: 600_000}, async () => {
  const kind = await newDatabaseKind()
  const url = `postgres://{{username}}:{{password}}@127.0.0.1:${postgres.port}/postgres?sslmode=disable`
  const args = ['template', 'test', kind, '--e2e', '--json', '--keep', '--connection-url', url, '--db-username', postgres.superuser]
  // PG_URL for the kind's acceptance test, which makes a connection of its own.
  const env = {XDG_CONFIG_HOME: tempDir(), TMPDIR: tempDir(), VAULTKIT_DB_PASSWORD: postgres.password, PG_URL: postgres.url}
  const result = await runCli(args, {env})
  expect(result.exitCode, result.stdout + result.stderr).toBe(0)
  const report = JSON.parse(result.stdout) as {project: string; steps: Step[]}
  const steps = Object.fromEntries(report.steps.map((s) => [s.step, s]))
  for (const step of ['go test ./...', 'vault dev server', 'plugin build', 'plugin register', 'smoke', 'acceptance tests']) expect(steps[step]?.status, step).toBe('ok')
  expect(steps['acceptance tests']?.detail).toMatch(/^acceptance tier: 1 passed, 0 failed, 0 skipped in [\d.]+ s$/)
  expect(steps['plugin register']?.detail).toBe('database: enabled')
  const user = /^GET database\/creds\/hello -> issued database user (\S+) \(lease \d+ s\), then revoked it$/.exec(steps.smoke?.detail ?? '')?.[1]
  expect(user, steps.smoke?.detail).toBeDefined()
  // Revoking the lease dropped the role it made in PostgreSQL.
  expect(postgres.psql(postgres.superuser, postgres.password, `SELECT count(*) FROM pg_roles WHERE rolname = '${user}'`)).toBe('0')
  expect(result.stdout + result.stderr).not.toContain(postgres.password)
  expect(existsSync(join(report.project, '.vaultkit/server.json'))).toBe(false)
})

test('without the connection, the register step fails and names the flags to pass', {timeout: 600_000}, async () => {
  const kind = await newDatabaseKind()
  const result = await runCli(['template', 'test', kind, '--e2e', '--json'], {env: {XDG_CONFIG_HOME: tempDir(), TMPDIR: tempDir(), VAULTKIT_DB_PASSWORD: ''}})
  expect(result.exitCode).toBe(1)
  const steps = (JSON.parse(result.stdout) as {steps: Step[]}).steps
  const failed = steps.find((s) => s.status === 'failed')
  expect(failed?.step).toBe('plugin register')
  expect(failed?.detail).toMatch(/--connection-url/)
})
