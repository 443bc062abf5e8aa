#!/usr/bin/env node
// Wall time of `vaultkit plugin docs` against one `vaultkit plugin register` of the same build, alternating
// in the same runs, with the dev server running and the build unchanged (caches warm): the docs cost the
// register they do, plus reading the mount's OpenAPI and writing the file. Usage: npm run bench:plugin-docs
// [-- RUNS]. Needs go and a Vault (vaultkit server install).
import {execFileSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {median} from './common.js'

const runs = Number(process.argv[2] ?? 7)
const bin = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'vaultkit-bench-plugin-docs-'))
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
  console.log('warming the build cache...')
  vaultkit('plugin', 'build')
  vaultkit('plugin', 'register')
  vaultkit('plugin', 'docs')
  const docs = []
  const register = []
  for (let run = 1; run <= runs; run++) {
    docs.push(timed(() => vaultkit('plugin', 'docs')))
    register.push(timed(() => vaultkit('plugin', 'register')))
    console.log(`run ${run}: plugin docs ${docs.at(-1).toFixed(2)} s, plugin register ${register.at(-1).toFixed(2)} s`)
  }
  console.log(`plugin docs (build, register, OpenAPI, write): median ${median(docs).toFixed(2)} s`)
  console.log(`plugin register of the same build:             median ${median(register).toFixed(2)} s`)
  console.log(`ratio: ${(median(docs) / median(register)).toFixed(2)}x (goal <= 1.50x)`)
} finally {
  try {
    vaultkit('server', 'stop')
  } finally {
    rmSync(work, {recursive: true, force: true})
  }
}
