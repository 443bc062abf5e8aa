#!/usr/bin/env node
// Edit-to-answer time of `vaultkit plugin dev` against a plain `go build` of the same change, and
// `vaultkit plugin register` on its own. Usage: npm run bench:dev-loop [-- RUNS]
// Needs go, and a Vault binary (found or built by `vaultkit server install`).
import {execFileSync, spawn} from 'node:child_process'
import {cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const runs = Number(process.argv[2] ?? 5)
const bin = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'vaultkit-bench-dev-'))
const project = join(work, 'hello')
const vaultkit = (...args) => execFileSync(process.execPath, [bin, ...args, '--project', project], {encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}})
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
/** Waits for a condition, failing after two minutes rather than hanging. */
async function until(what, check) {
  const deadline = Date.now() + 120_000
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(10)
  }
}

execFileSync(process.execPath, [bin, 'server', 'install'], {stdio: 'inherit'})
execFileSync(process.execPath, [bin, 'plugin', 'new', 'hello', '--yes', '--no-git', '--dir', project], {stdio: 'ignore'})
vaultkit('server', 'start')
const {addr, token} = JSON.parse(readFileSync(join(project, '.vaultkit/server.json'), 'utf8'))
const hello = join(project, 'path_hello.go')
const original = readFileSync(hello, 'utf8')
const edit = (word) => writeFileSync(hello, original.replace('hello %s from', `${word} %s from`))
const answer = async () => {
  const response = await fetch(`${addr}/v1/hello/hello`, {headers: {'X-Vault-Token': token}})
  return (await response.json()).data?.message ?? ''
}

// The yardstick is built in a copy of the project (same module, same build cache), in turn with each dev
// round, so both see the machine in the same state.
const plain = join(work, 'plain')
cpSync(project, plain, {recursive: true, filter: (source) => !/[/](\.vaultkit|vault)$/.test(source)})
const plainHello = join(plain, 'path_hello.go')
const plainBuild = (word) => {
  writeFileSync(plainHello, original.replace('hello %s from', `${word} %s from`))
  const started = performance.now()
  execFileSync('go', ['build', '-trimpath', '-o', join(plain, 'plugin.bin'), './cmd/vault-plugin-secrets-hello'], {
    cwd: plain,
    env: {...process.env, CGO_ENABLED: '0'},
  })
  return (performance.now() - started) / 1000
}

let dev
try {
  dev = spawn(process.execPath, [bin, 'plugin', 'dev', '--project', project], {stdio: ['ignore', 'pipe', 'inherit']})
  let output = ''
  dev.stdout.on('data', (chunk) => (output += chunk))
  await until('plugin dev to start', () => output.includes('Watching for changes') || dev.exitCode !== null)
  if (dev.exitCode !== null) throw new Error(`plugin dev exited ${dev.exitCode}:\n${output}`)

  const served = []
  const builds = []
  plainBuild('warm')
  for (let i = 0; i < runs; i++) {
    const word = `dev${i}`
    const started = performance.now()
    edit(word)
    await until(`the ${word} answer`, async () => (await answer()).includes(`${word} world`))
    served.push((performance.now() - started) / 1000)
    await sleep(500)
    builds.push(plainBuild(`plain${i}`))
  }
  dev.kill('SIGINT')
  await new Promise((resolve) => dev.once('exit', resolve))

  const registers = []
  for (let i = 0; i < runs; i++) {
    edit(`reg${i}`)
    vaultkit('plugin', 'build')
    const started = performance.now()
    vaultkit('plugin', 'register')
    registers.push((performance.now() - started) / 1000)
  }

  const change = median(served)
  const build = median(builds)
  console.log(`${runs} runs each, medians; each dev round followed by a plain build of the same change in a copy`)
  console.log(`plugin dev: source change -> new answer from Vault  ${change.toFixed(2)} s`)
  console.log(`plain go build of the same change                  ${build.toFixed(2)} s`)
  console.log(`ratio ${(change / build).toFixed(2)}x (goal: at most 1.3x)`)
  console.log(`plugin register after a rebuild (CLI, reload)      ${median(registers).toFixed(2)} s`)
} finally {
  if (dev && dev.exitCode === null) dev.kill('SIGINT')
  vaultkit('server', 'stop')
  rmSync(work, {recursive: true, force: true})
}
