#!/usr/bin/env node
// Median wall time of `vaultkit plugin init` on HashiCorp's KV against one `go list -json ./...` of the same
// repository (the baseline the issue names), interleaved, warm module and build caches.
// Usage: npm run bench:init [-- RUNS]
import {spawnSync} from 'node:child_process'
import {chmodSync, cpSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {median} from './common.js'

const runs = Number(process.argv[2] ?? 7)
const bin = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'vaultkit-bench-init-'))

const run = (command, args, cwd) => {
  const child = spawnSync(command, args, {cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8'})
  if (child.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${child.status}: ${child.stderr}`)
  return child.stdout
}
const time = (command, args, cwd) => {
  const started = process.hrtime.bigint()
  run(command, args, cwd)
  return Number(process.hrtime.bigint() - started) / 1e6
}

const {Dir} = JSON.parse(run('go', ['mod', 'download', '-json', 'github.com/hashicorp/vault-plugin-secrets-kv@v0.25.0'], work))
const repo = join(work, 'kv')
cpSync(Dir, repo, {recursive: true})
chmodSync(repo, 0o755)
run('chmod', ['-R', 'u+w', repo], work)
run('git', ['init', '--quiet'], repo)

const init = [bin, 'plugin', 'init', '--yes', '--dry-run']
const list = ['list', '-json', './...']
// Warm-up: module downloads, the build cache of the confirming build, V8's compile cache.
for (let i = 0; i < 2; i++) {
  time(process.execPath, init, repo)
  time('go', list, repo)
}
const vaultkit = []
const golist = []
for (let i = 0; i < runs; i++) {
  vaultkit.push(time(process.execPath, init, repo))
  golist.push(time('go', list, repo))
}
rmSync(work, {recursive: true, force: true})

const v = median(vaultkit)
const g = median(golist)
console.log(`KV v0.25.0, ${runs} runs each, interleaved, warm caches`)
console.log(`vaultkit plugin init --yes --dry-run  median ${v.toFixed(0)} ms`)
console.log(`go list -json ./...                   median ${g.toFixed(0)} ms`)
console.log(`ratio ${(v / g).toFixed(2)}x (goal: at most 2x)`)
