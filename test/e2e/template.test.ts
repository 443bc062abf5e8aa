import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, expect, test} from 'vitest'

import {runCli, tempDir} from '../helpers.js'
import {EXAMPLE_KIND} from '../kinds.js'
import {installVault} from './vault.js'

beforeAll(async () => {
  await installVault()
}, 1_800_000)

test('template test --e2e builds, registers and smoke-tests the worked example in a real dev server, runs its acceptance tests, then stops it', {timeout: 600_000}, async () => {
  const result = await runCli(['template', 'test', EXAMPLE_KIND, '--e2e', '--keep', '--json'], {env: {XDG_CONFIG_HOME: tempDir(), TMPDIR: tempDir()}})
  expect(result.exitCode, result.stdout + result.stderr).toBe(0)
  const report = JSON.parse(result.stdout)
  const steps = Object.fromEntries(report.steps.map((s: {step: string; status: string; detail?: string}) => [s.step, s]))
  for (const step of ['vault dev server', 'plugin build', 'plugin register', 'smoke', 'acceptance tests']) expect(steps[step]?.status, step).toBe('ok')
  expect(steps['acceptance tests'].detail).toMatch(/^acceptance tier: 2 passed, 0 failed, 0 skipped in [\d.]+ s$/)
  expect(steps['vault dev server'].detail).toMatch(/^v1\.\d+\.\d+ at http:\/\/127\.0\.0\.1:\d+$/)
  expect(steps['plugin register'].detail).toBe('hello: enabled')
  expect(steps.smoke.detail).toBe('GET hello/hello -> Hello, hello world from vault-plugin-secrets-hello')
  // The dev server was the test's own: stopped, its state file gone.
  expect(existsSync(join(report.project, '.vaultkit/server.json'))).toBe(false)
})
