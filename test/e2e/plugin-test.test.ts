import {createHash} from 'node:crypto'
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'

import type {PluginTestResult} from '../../src/lib/testing/plugin-test.js'
import {isOurServer} from '../../src/lib/vault/server.js'
import {readState} from '../../src/lib/vault/state.js'
import {runCli} from '../helpers.js'
import {installVault, readServerState, scaffold, startVaultkit, vaultHttp} from './vault.js'

// `plugin test` on fresh projects of the kinds with acceptance tests, against the real Vault it starts:
// both tiers pass, a handler broken in a way the in-memory unit tests miss fails the acceptance tier, and
// no dev server it started is left running.
const parent = mkdtempSync(join(tmpdir(), 'vaultkit-e2e-plugin-test-'))
let secrets: string

const pluginTest = async (project: string, ...args: string[]) => {
  const result = await runCli(['plugin', 'test', '--project', project, '--json', ...args])
  return {...result, report: JSON.parse(result.stdout) as PluginTestResult}
}
const serverRunning = async (project: string) => {
  const state = await readState(project)
  return Boolean(state && isOurServer(state))
}
const tier = (report: PluginTestResult, name: string) => report.tiers.find((t) => t.tier === name)!

beforeAll(async () => {
  await installVault()
  secrets = await scaffold('secrets', parent)
}, 1_800_000)

afterAll(async () => {
  await runCli(['server', 'stop', '--project', secrets])
  rmSync(parent, {recursive: true, force: true})
})

describe('plugin test', () => {
  test('secrets: the unit tier, then the acceptance tests against the plugin mounted in Vault; the server it started is stopped', async () => {
    const {exitCode, stderr, report} = await pluginTest(secrets)
    expect(exitCode, stderr).toBe(0)
    expect(report.ok).toBe(true)
    const unit = tier(report, 'unit')
    expect(unit.failed).toBe(0)
    expect(unit.passed).toBeGreaterThan(5)
    expect(unit.skipped).toBe(2)
    const acceptance = tier(report, 'acceptance')
    expect(acceptance).toMatchObject({passed: 2, failed: 0, skipped: 0})
    const ran = acceptance.events.filter((e) => e.Action === 'pass' && e.Test && !e.Test.includes('/')).map((e) => e.Test)
    expect(ran.sort()).toEqual(['TestAcceptance_ConfigAndPathHello', 'TestAcceptance_CredsLease'])
    expect(report.vault).toMatchObject({path: 'hello', version: 'v0.1.0', started: true})
    expect(stderr).toMatch(/^acceptance tier: 2 passed, 0 failed, 0 skipped in [\d.]+ s$/m)
    expect(stderr).toContain('Stopped the dev server this started.')
    expect(await serverRunning(secrets)).toBe(false)
  })

  test('a handler broken in a way the unit tests miss fails the acceptance tier with the test’s own message', async () => {
    // The credential's field renamed, and the unit test asserting the same wrong name: only Vault tells
    // (the smoke request reads hello, not creds).
    const files = ['path_creds.go', 'path_creds_test.go'].map((f) => join(secrets, f))
    const originals = files.map((f) => readFileSync(f, 'utf8'))
    for (const [i, f] of files.entries()) writeFileSync(f, originals[i]!.replaceAll('"token"', '"tokn"'))
    try {
      const {exitCode, stderr, report} = await pluginTest(secrets)
      expect(exitCode).toBe(1)
      expect(tier(report, 'unit').failed).toBe(0)
      expect(tier(report, 'acceptance')).toMatchObject({passed: 1, failed: 1, failures: ['TestAcceptance_CredsLease']})
      expect(stderr).toMatch(/acceptance_creds_test\.go:\d+: token = "", want a "hello_"-prefixed token/)
      expect(stderr).toContain('the acceptance tier failed: TestAcceptance_CredsLease')
      expect(await serverRunning(secrets)).toBe(false)
    } finally {
      for (const [i, f] of files.entries()) writeFileSync(f, originals[i]!)
    }
  })

  test('a running dev server is used and left running with the plain build mounted after --cover; --run and go test flags are passed through', async () => {
    expect((await runCli(['server', 'start', '--project', secrets])).exitCode).toBe(0)
    const {exitCode, stderr, report} = await pluginTest(secrets, '--run', 'Creds', '--cover', '--coverprofile', 'cover/creds.out', '--', '-v', '-timeout', '5m')
    expect(exitCode, stderr).toBe(0)
    expect(report.vault?.started).toBe(false)
    expect(tier(report, 'acceptance')).toMatchObject({passed: 1, failed: 0})
    expect(tier(report, 'unit').events.some((e) => e.Test && !e.Test.startsWith('TestCreds') && !e.Test.startsWith('TestAcceptance_Creds'))).toBe(false)
    expect(await serverRunning(secrets)).toBe(true)
    // The instrumented build wrote its counters and made way for the plain one, which the mount runs now.
    expect(report.coverage?.acceptance?.covered).toBeGreaterThan(0)
    expect(report.coverage?.profile).toBe(join(secrets, 'cover/creds.out'))
    expect(readFileSync(join(secrets, 'cover/creds.out'), 'utf8')).toMatch(/^mode: atomic\n/)
    const server = readServerState(secrets)
    const plain = createHash('sha256').update(readFileSync(join(secrets, 'vault/plugins/vault-plugin-secrets-hello'))).digest('hex')
    expect((await vaultHttp(server, 'GET', 'sys/mounts')).body.data['hello/'].running_sha256).toBe(plain)
    expect(existsSync(join(secrets, '.vaultkit/coverage'))).toBe(false)
    await runCli(['server', 'stop', '--project', secrets])
  })

  test('auth: login, the token’s policies and TTL, renew and a refused login, through Vault', async () => {
    const auth = await scaffold('auth', parent)
    const {exitCode, stderr, report} = await pluginTest(auth)
    expect(exitCode, stderr).toBe(0)
    expect(tier(report, 'acceptance')).toMatchObject({passed: 1, failed: 0, skipped: 0})
    expect(await serverRunning(auth)).toBe(false)
  })

  test('a plugin that does not start in Vault is one line and exit 1; the server it started is stopped', async () => {
    const main = join(secrets, 'cmd/vault-plugin-secrets-hello/main.go')
    const original = readFileSync(main, 'utf8')
    writeFileSync(main, original.replace('func main() {', 'func main() {\n\tos.Exit(3)'))
    try {
      const result = await runCli(['plugin', 'test', '--project', secrets])
      expect(result.exitCode).toBe(1)
      expect(result.stderr.split('\n').filter((l) => l.startsWith('Error'))).toHaveLength(1)
      expect(result.stderr).toContain('Stopped the dev server this started.')
      expect(await serverRunning(secrets)).toBe(false)
    } finally {
      writeFileSync(main, original)
    }
  })

  test('Ctrl-C during the acceptance tier: exit 130, the server it started is stopped, and no coverage is left behind', async () => {
    rmSync(join(secrets, 'coverage.out'), {force: true})
    const run = startVaultkit(['plugin', 'test', '--project', secrets, '--cover'])
    await run.waitFor(/acceptance tier: VAULT_ACC=1/)
    run.kill('SIGINT')
    const result = await run
    expect(result.exitCode, run.output).toBe(130)
    expect(run.output).toContain('Interrupted (SIGINT)')
    expect(await serverRunning(secrets)).toBe(false)
    expect(existsSync(join(secrets, '.vaultkit/coverage'))).toBe(false)
    expect(existsSync(join(secrets, 'coverage.out'))).toBe(false)
    // The plain build was put back: building again gives the very same file.
    const binary = join(secrets, 'vault/plugins/vault-plugin-secrets-hello')
    const left = createHash('sha256').update(readFileSync(binary)).digest('hex')
    expect((await runCli(['plugin', 'build', '--project', secrets])).exitCode).toBe(0)
    expect(createHash('sha256').update(readFileSync(binary)).digest('hex')).toBe(left)
  })

  test('the dev server dying during the acceptance tier is one line naming it, and exit 1', async () => {
    // An acceptance test that waits, so that the server goes while the tier runs.
    const slow = join(secrets, 'acceptance_slow_test.go')
    writeFileSync(
      slow,
      'package hello\n\nimport (\n\t"testing"\n\t"time"\n)\n\nfunc TestAcceptance_Slow(t *testing.T) {\n\tclient, _ := accClient(t)\n\ttime.Sleep(5 * time.Second)\n\tif _, err := client.Logical().Read("sys/health"); err != nil {\n\t\tt.Fatal(err)\n\t}\n}\n',
    )
    try {
      const run = startVaultkit(['plugin', 'test', '--project', secrets, '--run', 'Slow'])
      await run.waitFor(/acceptance tier: VAULT_ACC=1/)
      const state = await readState(secrets)
      process.kill(state!.pid, 'SIGKILL')
      const result = await run
      expect(result.exitCode, run.output).toBe(1)
      const errors = run.output.split('\n').filter((l) => l.startsWith('Error'))
      expect(errors, run.output).toHaveLength(1)
      expect(errors[0]).toMatch(/^Error: the dev server stopped during the acceptance tier/)
      expect(await serverRunning(secrets)).toBe(false)
    } finally {
      rmSync(slow, {force: true})
    }
  })

  test('a Vault binary that does not exist is one line, and nothing is left running', async () => {
    const result = await runCli(['plugin', 'test', '--project', secrets, '--vault-bin', join(parent, 'no-vault')])
    expect(result.exitCode).toBe(1)
    expect(result.stderr.trim().split('\n').filter((l) => l.startsWith('Error'))).toHaveLength(1)
    expect(result.stderr).toContain('no-vault')
    expect(await serverRunning(secrets)).toBe(false)
  })
})
