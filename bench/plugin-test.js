#!/usr/bin/env node
// Wall time of `vaultkit plugin test` on a fresh secrets project against the sum of its parts run by hand,
// alternating in the same runs, caches warm and the dev server running: `go test ./...`, then
// `plugin build` and `plugin register` into the running dev server, then `VAULT_ACC=1 go test` of the
// acceptance tests. Usage: npm run bench:plugin-test [-- RUNS]. Needs go and a Vault (vaultkit server install).
import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {median} from './common.js'

const runs = Number(process.argv[2] ?? 5)
const bin = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'vaultkit-bench-plugin-test-'))
const project = join(work, 'hello')
const env = {...process.env, NO_COLOR: '1', VAULT_ADDR: '', VAULT_TOKEN: ''}
const vaultkit = (...args) => execFileSync(process.execPath, [bin, ...args, '--project', project], {env, stdio: 'ignore'})
const timed = (run) => {
  const started = performance.now()
  run()
  return (performance.now() - started) / 1000
}

try {
  execFileSync(process.execPath, [bin, 'plugin', 'new', 'hello', '--type', 'secrets', '--yes', '--dir', project], {env, stdio: 'ignore'})
  vaultkit('server', 'start')
  const server = JSON.parse(readFileSync(join(project, '.vaultkit', 'server.json'), 'utf8'))
  const acceptanceEnv = {...env, VAULT_ACC: '1', VAULT_ADDR: server.addr, VAULT_TOKEN: server.token, VAULT_PLUGIN_MOUNT: 'hello'}
  const byHand = () => {
    execFileSync('go', ['test', './...'], {cwd: project, env, stdio: 'ignore'})
    vaultkit('plugin', 'build')
    vaultkit('plugin', 'register')
    execFileSync('go', ['test', '-count=1', '-run', '^TestAcceptance_', './...'], {cwd: project, env: acceptanceEnv, stdio: 'ignore'})
  }
  const pluginTest = () => vaultkit('plugin', 'test')
  console.log('warming the build and test caches...')
  byHand()
  pluginTest()
  const ours = []
  const parts = []
  for (let run = 1; run <= runs; run++) {
    ours.push(timed(pluginTest))
    parts.push(timed(byHand))
    console.log(`run ${run}: plugin test ${ours.at(-1).toFixed(2)} s, its parts by hand ${parts.at(-1).toFixed(2)} s`)
  }
  console.log(`plugin test (unit tier, deploy, acceptance tier):  median ${median(ours).toFixed(2)} s`)
  console.log(`go test, plugin build + register, VAULT_ACC go test: median ${median(parts).toFixed(2)} s`)
  console.log(`ratio: ${(median(ours) / median(parts)).toFixed(2)}x (goal <= 1.30x)`)
} finally {
  try {
    vaultkit('server', 'stop')
  } finally {
    rmSync(work, {recursive: true, force: true})
  }
}
