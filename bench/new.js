#!/usr/bin/env node
// Median wall time of `vaultkit plugin new` against a bare `node -e 0` on the same Node, run after run.
// Usage: npm run bench:new [-- RUNS]   (the bin is run directly on this Node, not through npx)
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const runs = Number(process.argv[2] ?? 21)
const bin = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'vaultkit-bench-'))

function time(args) {
  const started = process.hrtime.bigint()
  // Run from a scratch folder, as a user would, not from inside vaultkit's own repository.
  const child = spawnSync(process.execPath, args, {cwd: work, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8'})
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  if (child.status !== 0) throw new Error(`${args.join(' ')} exited ${child.status}: ${child.stderr}`)
  return ms
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

const newArgs = (i) => [bin, 'plugin', 'new', 'hello', '--yes', '--no-tidy', '--no-git', '--dir', join(work, `p${i}`)]
const bare = ['-e', '0']
// Warm-up: the first runs fill the OS file cache and V8's compile cache, as any second use would.
for (let i = 0; i < 3; i++) {
  time(newArgs(`warm${i}`))
  time(bare)
}

const vaultkit = []
const node = []
for (let i = 0; i < runs; i++) {
  vaultkit.push(time(newArgs(i)))
  node.push(time(bare))
}
rmSync(work, {recursive: true, force: true})

const v = median(vaultkit)
const n = median(node)
console.log(`node ${process.version}, ${runs} runs each, interleaved`)
console.log(`vaultkit plugin new --yes --no-tidy --no-git  median ${v.toFixed(1)} ms`)
console.log(`node -e 0                                     median ${n.toFixed(1)} ms`)
console.log(`ratio ${(v / n).toFixed(2)}x (goal: at most 3x)`)
