import {existsSync, mkdtempSync, readdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, expect, test} from 'vitest'

import {REPO, runCli} from '../helpers.js'

// vaultkit as it runs on Windows (process.platform set before it loads): no /proc and no `ps`, so the commands
// that run a local Vault refuse in one line, before they build or write anything. Windows itself is not tested.
const parent = mkdtempSync(join(tmpdir(), 'vaultkit-windows-'))
const project = join(parent, 'hello')
// os.tmpdir() on "Windows" reads TEMP (without it, a relative "undefined\temp"): the test's own folder.
const ON_WINDOWS = {
  NODE_OPTIONS: "--import=data:text/javascript,Object.defineProperty(process,'platform',{value:'win32'})",
  TEMP: parent,
  TMP: parent,
  NODE_DISABLE_COMPILE_CACHE: '1',
}

afterAll(() => rmSync(parent, {recursive: true, force: true}))

beforeAll(async () => {
  const created = await runCli(['plugin', 'new', 'hello', '--yes', '--no-tidy', '--no-git', '--dir', project], {env: ON_WINDOWS, cwd: parent})
  expect(created.exitCode, created.stderr).toBe(0)
})

test.each(['server start', 'server start --nodes 3', 'plugin dev', 'plugin test', 'plugin docs', 'template test secrets --e2e'])('%s refuses on Windows: one line with what to do instead', async (command) => {
  const args = command.startsWith('template') ? command.split(' ') : [...command.split(' '), '--project', project]
  const result = await runCli(args, {env: ON_WINDOWS, cwd: parent})
  expect(result.exitCode).toBe(1)
  expect(result.stderr.trim().split('\n')).toHaveLength(1)
  expect(result.stderr).toMatch(/^Error: vaultkit runs a local Vault \(dev server or cluster\) on Linux and macOS, not on Windows: use WSL 2, or run Vault elsewhere and `vaultkit plugin register --vault-addr` to it/)
  expect(existsSync(join(project, '.vaultkit'))).toBe(false)
  expect(existsSync(join(project, 'vault'))).toBe(false)
  // Nothing written where it ran, nor into the repository.
  expect(readdirSync(parent)).toEqual(['hello'])
  expect(readdirSync(REPO).filter((name) => name.startsWith('undefined'))).toEqual([])
})
