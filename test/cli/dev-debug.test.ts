import {existsSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {expect, test} from 'vitest'

import {runCli, tempDir} from '../helpers.js'

test('plugin dev --debug when Delve cannot be installed (no go): one line, and the loop does not start', async () => {
  const dir = tempDir()
  const project = join(dir, 'hello')
  expect((await runCli(['plugin', 'new', 'hello', '--yes', '--no-tidy', '--no-git', '--dir', project])).exitCode).toBe(0)
  const cache = join(dir, 'cache')
  // A PATH without go, and an empty cache: Delve is neither there nor installable.
  const result = await runCli(['plugin', 'dev', '--debug', '--project', project], {env: {PATH: join(dir, 'empty'), XDG_CACHE_HOME: cache}})
  expect(result.stderr.trim()).toMatch(/^Error: Delve cannot be installed: go was not found on PATH: install Go, or put dlv v1\.27\.2 at .*\/dlv\/v1\.27\.2\/dlv$/)
  expect(result.stderr.trim().split('\n')).toHaveLength(1)
  expect(result.exitCode).toBe(1)
  expect(result.stdout).not.toMatch(/Vault dev server/)
  expect(existsSync(join(project, '.vaultkit'))).toBe(false)
  // Nothing half-installed is left where the next run would look.
  expect(readdirSync(join(cache, 'vaultkit', 'dlv'))).toEqual([])
})
