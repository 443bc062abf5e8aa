import {execFileSync} from 'node:child_process'
import {chmodSync, copyFileSync, existsSync, writeFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {delimiter, dirname, join} from 'node:path'
import {execa, execaSync} from 'execa'
import {describe, expect, test} from 'vitest'

import {goVersions} from '../../src/lib/versions.js'
import {BIN, listTree, runCli, tempDir} from '../helpers.js'

const GOLDEN = join(import.meta.dirname, '../golden/secrets')
const NODE_ONLY = dirname(process.execPath)

describe('post-step failures keep the project and say what to run', () => {
  test('go missing from PATH', async () => {
    const cwd = tempDir()
    const result = await runCli(['plugin', 'new', 'hello', '--yes', '--no-git'], {cwd, env: {PATH: NODE_ONLY}})
    const project = join(cwd, 'vault-plugin-secrets-hello')
    expect(result.exitCode).toBe(1)
    expect(result.stderr.trim()).toBe(
      `Error: The project is written, but go mod tidy did not run (go was not found on PATH): install Go ${goVersions.goDirective} or newer, then run \`cd ${project} && go mod tidy\``,
    )
    expect(listTree(project)).toEqual(listTree(GOLDEN))
  })

  test('go too old (a real Go 1.22 from the module proxy)', {timeout: 300_000}, async () => {
    const goroot = await oldGoToolchain('1.22.0')
    const bin = tempDir()
    copyFileSync(join(goroot, 'bin/go'), join(bin, 'go'))
    chmodSync(join(bin, 'go'), 0o755)
    const cwd = tempDir()
    const env = {PATH: [bin, NODE_ONLY].join(delimiter), GOROOT: goroot}
    expect(execFileSync('go', ['env', 'GOVERSION'], {env}).toString().trim()).toBe('go1.22.0')
    const result = await runCli(['plugin', 'new', 'hello', '--yes', '--no-git'], {cwd, env})
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toMatch(
      `go mod tidy did not run (go1.22.0 is older than the Go ${goVersions.goDirective} this project needs): install Go ${goVersions.goDirective} or newer, then run`,
    )
    expect(listTree(join(cwd, 'vault-plugin-secrets-hello'))).toEqual(listTree(GOLDEN))
  })

  test('a go that fails is reported as a failed step, not a crash', async () => {
    const bin = tempDir()
    writeFileSync(join(bin, 'go'), '#!/bin/sh\necho "go: cannot find GOROOT directory" >&2\nexit 2\n', {mode: 0o755})
    const cwd = tempDir()
    const result = await runCli(['plugin', 'new', 'hello', '--yes', '--no-git'], {cwd, env: {PATH: [bin, NODE_ONLY].join(delimiter)}})
    expect(result.exitCode).toBe(1)
    expect(result.stderr.trim()).toMatch(/^Error: The project is written, but go mod tidy did not run \(go env GOVERSION failed: go: cannot find GOROOT directory\): install Go/)
  })

  test('--json carries the failed step and still exits 1', async () => {
    const cwd = tempDir()
    const result = await runCli(['plugin', 'new', 'hello', '--yes', '--no-git', '--json'], {cwd, env: {PATH: NODE_ONLY}})
    expect(result.exitCode).toBe(1)
    expect(JSON.parse(result.stdout).steps).toEqual([
      expect.objectContaining({step: 'go mod tidy', status: 'failed', detail: 'go was not found on PATH'}),
    ])
  })
})

/** Go publishes every toolchain as a module; its files lack the executable bit, so the caller copies bin/go. */
async function oldGoToolchain(version: string): Promise<string> {
  const arch = execFileSync('go', ['env', 'GOARCH']).toString().trim()
  const {stdout} = await execa('go', ['mod', 'download', '-json', `golang.org/toolchain@v0.0.1-go${version}.linux-${arch}`], {
    cwd: tempDir(),
    env: {GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local'},
  })
  return (JSON.parse(stdout) as {Dir: string}).Dir
}

test('an old Node gets one clear line from bin/run.js', {timeout: 300_000}, async () => {
  const old = (await oldNode()) ?? ''
  expect(Number(execFileSync(old, ['-p', 'process.versions.node.split(".")[0]']))).toBeLessThan(22)
  const result = execaSync(old, [BIN, 'plugin', 'new', 'hello'], {reject: false})
  expect(result.exitCode).toBe(1)
  expect(result.stderr).toMatch(/^vaultkit needs Node\.js 22 or newer \(this is v\d+\.\d+\.\d+\): install a current Node\.js, then run vaultkit again\.$/)
})

/** A Node older than 22: one on PATH (this kind of machine ships Node 20), else Node 20 from the npm registry, cached. */
async function oldNode(): Promise<string | undefined> {
  const onPath = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => !dir.includes('node_modules'))
    .map((dir) => join(dir, 'node'))
    .find((node) => existsSync(node) && Number(execFileSync(node, ['-p', 'process.versions.node.split(".")[0]'])) < 22)
  if (onPath) return onPath
  const prefix = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'vaultkit-tests', 'node-20')
  const node = join(prefix, 'node_modules', `node-linux-${process.arch}`, 'bin', 'node')
  if (!existsSync(node)) await execa('npm', ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', `node-linux-${process.arch}@20`])
  return node
}
