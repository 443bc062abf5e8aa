#!/usr/bin/env node
// A `plugin dev` round on an existing plugin, HashiCorp's KV v0.25.0 after `plugin init`, against a plain
// `go build` of the same change (what an author types, Go's defaults) and a go build with plugin dev's own
// flags, each in a copy of the repository, in turn with every round.
// Usage: npm run bench:dev-loop-kv [-- RUNS]
// Needs go, and a Vault binary (found or built by `vaultkit server install`).
import {execFileSync, spawn} from 'node:child_process'
import {chmodSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {median, sleep, timedLines} from './common.js'

const runs = Number(process.argv[2] ?? 5)
const bin = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'vaultkit-bench-dev-kv-'))
const repo = join(work, 'kv')
const run = (command, args, cwd, env = {}) => execFileSync(command, args, {cwd, encoding: 'utf8', env: {...process.env, NO_COLOR: '1', ...env}})

// The repository as a clone would give it: the module's source, in git.
const {Dir} = JSON.parse(run('go', ['mod', 'download', '-json', 'github.com/hashicorp/vault-plugin-secrets-kv@v0.25.0'], tmpdir(), {GOFLAGS: ''}))
cpSync(Dir, repo, {recursive: true})
chmodSync(repo, 0o755)
run('chmod', ['-R', 'u+w', repo], work)
const identity = {GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@example.com', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@example.com'}
run('git', ['init', '--quiet'], repo)
run('git', ['add', '--all'], repo)
run('git', ['commit', '--quiet', '--message', 'kv v0.25.0'], repo, identity)
execFileSync(process.execPath, [bin, 'server', 'install'], {stdio: 'inherit'})
const described = JSON.parse(run(process.execPath, [bin, 'plugin', 'init', '--yes', '--json', '--project', repo], repo)).description
const main = described.main
const plain = join(work, 'plain')
cpSync(repo, plain, {recursive: true, filter: (source) => !/[/]\.vaultkit$/.test(source)})

// The change: the help of KV's pass-through backend (what an external KV mounts as), which Vault then shows.
const config = 'passthrough.go'
const original = readFileSync(join(repo, config), 'utf8')
const changed = (word) => original.replace('Pass-through secret storage to the storage backend,', `Pass-through secret storage (${word}) to the storage backend,`)
// plugin dev's build (src/lib/project/build.ts); a repository's GOFLAGS aside, Go's default is -buildvcs=auto.
const devFlags = ['-trimpath', '-buildvcs=false', '-ldflags', '-s -w']
const plainBuild = (word, flags) => {
  writeFileSync(join(plain, config), changed(word))
  const started = performance.now()
  run('go', ['build', ...flags, '-o', join(plain, flags.length ? 'dev.bin' : 'default.bin'), main], plain, {CGO_ENABLED: '0', GOFLAGS: '-buildvcs=auto'})
  return (performance.now() - started) / 1000
}

let dev
try {
  dev = spawn(process.execPath, [bin, 'plugin', 'dev', '--project', repo], {stdio: ['ignore', 'pipe', 'inherit'], env: {...process.env, NO_COLOR: '1'}})
  const lines = timedLines(dev.stdout)
  const waitFor = async (what, from, pattern) => {
    const deadline = Date.now() + 300_000
    for (;;) {
      const line = lines.slice(from).find((l) => pattern.test(l.text))
      if (line) return line
      if (dev.exitCode !== null || Date.now() > deadline) throw new Error(`no ${what}:\n${lines.map((l) => l.text).join('\n')}`)
      await sleep(5)
    }
  }
  await waitFor('watching line', 0, /Watching for changes/)
  const {addr, token} = JSON.parse(readFileSync(join(repo, '.vaultkit/server.json'), 'utf8'))
  // The mount path: the described one, else the plugin's name (kv-ext: Vault's core serves kv itself).
  const mount = described.mount?.path ?? described.name

  const rounds = []
  const defaults = []
  const same = []
  plainBuild('warm', [])
  plainBuild('warm', devFlags)
  for (let i = 0; i < runs; i++) {
    const word = `round ${i}`
    const from = lines.length
    const started = performance.now()
    writeFileSync(join(repo, config), changed(word))
    const ended = await waitFor(`round ${i}`, from, /^[✔✖] changed /)
    if (!ended.text.startsWith('✔')) throw new Error(lines.slice(from).map((l) => l.text).join('\n'))
    rounds.push((ended.at - started) / 1000)
    const help = await (await fetch(`${addr}/v1/${mount}/any?help=1`, {headers: {'X-Vault-Token': token}})).json()
    if (!JSON.stringify(help).includes(word)) throw new Error(`Vault does not serve the ${word} change at ${mount}/any: ${JSON.stringify(help).slice(0, 300)}`)
    await sleep(500)
    defaults.push(plainBuild(`plain ${i}`, []))
    same.push(plainBuild(`same ${i}`, devFlags))
  }
  const round = median(rounds)
  const byHand = median(defaults)
  const withFlags = median(same)
  console.log(`KV v0.25.0 after plugin init, ${runs} runs each, medians; each dev round followed by plain builds of the same change in a copy`)
  console.log(`plugin dev: source change -> round done (built, registered, reloaded, smoke-tested) ${round.toFixed(2)} s`)
  console.log(`go build ${main} of the same change (default flags) ${byHand.toFixed(2)} s`)
  console.log(`  ratio ${(round / byHand).toFixed(2)}x of the medians, ${median(rounds.map((r, i) => r / defaults[i])).toFixed(2)}x per round (goal: at most 1.15x)`)
  console.log(`go build with plugin dev's flags (-trimpath -buildvcs=false -s -w) ${withFlags.toFixed(2)} s`)
  console.log(`  ratio ${(round / withFlags).toFixed(2)}x of the medians, ${median(rounds.map((r, i) => r / same[i])).toFixed(2)}x per round`)
} finally {
  if (dev && dev.exitCode === null) {
    dev.kill('SIGINT')
    await new Promise((resolve) => dev.once('exit', resolve))
  }
  execFileSync(process.execPath, [bin, 'server', 'stop', '--project', repo], {stdio: 'ignore'})
  rmSync(work, {recursive: true, force: true})
}
