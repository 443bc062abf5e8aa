#!/usr/bin/env node
// `server start` of a 3-node raft cluster against that of a dev server (interleaved); `plugin register` on
// the cluster against the dev server, with the same binary in the same runs (interleaved); then the failover time: SIGKILL of the active node -> first good answer from the
// plugin through the node that took over. Usage: npm run bench:cluster [-- RUNS]
// Needs go, and a Vault binary (found or built by `vaultkit server install`).
import {execFileSync} from 'node:child_process'
import {copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {median, sleep} from './common.js'

const runs = Number(process.argv[2] ?? 5)
const bin = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'vaultkit-bench-cluster-'))
const dev = join(work, 'dev')
const clustered = join(work, 'cluster')
const vaultkit = (project, ...args) =>
  execFileSync(process.execPath, [bin, ...args, '--project', project], {encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}})
const binary = 'vault/plugins/vault-plugin-secrets-hello'

/** Polls until `check` gives a value, failing after five minutes rather than hanging. */
async function until(what, check) {
  const deadline = Date.now() + 300_000
  for (;;) {
    const value = await check().catch(() => undefined)
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(20)
  }
}

execFileSync(process.execPath, [bin, 'server', 'install'], {stdio: 'inherit'})
execFileSync(process.execPath, [bin, 'plugin', 'new', 'hello', '--yes', '--no-git', '--dir', dev], {stdio: 'ignore'})
cpSync(dev, clustered, {recursive: true})
mkdirSync(join(clustered, 'vault/plugins'), {recursive: true})
const hello = join(dev, 'path_hello.go')
const original = readFileSync(hello, 'utf8')

/** Seconds from `server start` to its return (a cluster: one node active, the others voting), then stopped. */
const timeStart = (project, ...flags) => {
  const started = performance.now()
  vaultkit(project, 'server', 'start', ...flags)
  const seconds = (performance.now() - started) / 1000
  vaultkit(project, 'server', 'stop')
  return seconds
}

try {
  const devStarts = []
  const clusterStarts = []
  for (let i = 0; i < runs; i++) {
    if (i % 2 === 0) devStarts.push(timeStart(dev))
    clusterStarts.push(timeStart(clustered, '--nodes', '3'))
    if (i % 2 === 1) devStarts.push(timeStart(dev))
  }
  vaultkit(dev, 'server', 'start')
  vaultkit(clustered, 'server', 'start', '--nodes', '3')
  const timeRegister = (project) => {
    const started = performance.now()
    vaultkit(project, 'plugin', 'register')
    return (performance.now() - started) / 1000
  }
  const single = []
  const three = []
  for (let i = -1; i < runs; i++) {
    // A new build each run (so each register has a new sha256 to catalog and reload), the same file for both.
    writeFileSync(hello, original.replace('hello %s from', `run${i} %s from`))
    vaultkit(dev, 'plugin', 'build')
    // As a build writes it (beside, then renamed over): the nodes hold hard links to the previous build, and
    // a file a running plugin executes cannot be written in place (ETXTBSY).
    copyFileSync(join(dev, binary), join(clustered, `${binary}.partial`))
    renameSync(join(clustered, `${binary}.partial`), join(clustered, binary))
    const order = i % 2 === 0 ? [dev, clustered] : [clustered, dev]
    const times = Object.fromEntries(order.map((project) => [project, timeRegister(project)]))
    if (i < 0) continue // the first round enables the mounts: a warm-up, not a figure
    single.push(times[dev])
    three.push(times[clustered])
  }

  const {token} = JSON.parse(readFileSync(join(clustered, '.vaultkit/cluster.json'), 'utf8'))
  const {addr} = JSON.parse(vaultkit(clustered, 'server', 'status', '--json'))
  // hello answers 400 until configured: configure it, so a 200 is the plugin answering.
  const configured = await fetch(`${addr}/v1/hello/config`, {method: 'POST', headers: {'X-Vault-Token': token}, body: JSON.stringify({custom_prefix: 'Bench'})})
  if (configured.status !== 204) throw new Error(`hello/config answered ${configured.status}`)
  const failovers = []
  for (let i = 0; i < Math.min(runs, 3); i++) {
    const {nodes} = JSON.parse(vaultkit(clustered, 'server', 'status', '--json'))
    const active = nodes.find((node) => node.role === 'active')
    const survivors = nodes.filter((node) => node !== active)
    const killed = performance.now()
    process.kill(active.pid, 'SIGKILL')
    await until('an answer through the new active node', async () => {
      for (const node of survivors) {
        const response = await fetch(`${node.addr}/v1/hello/hello`, {headers: {'X-Vault-Token': token}}).catch(() => undefined)
        if (response?.status === 200 && (await fetch(`${node.addr}/v1/sys/leader`).then((r) => r.json())).is_self) return true
      }
      return false
    })
    failovers.push((performance.now() - killed) / 1000)
    vaultkit(clustered, 'server', 'start')
  }

  console.log(`${runs} runs each, medians; the same binary registered on both, in alternating order`)
  console.log(`server start, single dev server           ${median(devStarts).toFixed(2)} s`)
  console.log(`server start --nodes 3 (all voting)       ${median(clusterStarts).toFixed(2)} s (${(median(clusterStarts) / median(devStarts)).toFixed(2)}x; runs: ${clusterStarts.map((s) => s.toFixed(1)).join(', ')})`)
  console.log(`plugin register, single dev server        ${median(single).toFixed(2)} s`)
  console.log(`plugin register, 3-node raft cluster      ${median(three).toFixed(2)} s`)
  console.log(`ratio ${(median(three) / median(single)).toFixed(2)}x (goal: at most 2x)`)
  console.log(`failover: active node SIGKILLed -> first good answer through the new one  ${median(failovers).toFixed(1)} s (runs: ${failovers.map((s) => s.toFixed(1)).join(', ')})`)
} finally {
  for (const project of [dev, clustered]) {
    try {
      vaultkit(project, 'server', 'stop')
    } catch {}
  }
  rmSync(work, {recursive: true, force: true})
}
