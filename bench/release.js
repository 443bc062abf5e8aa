#!/usr/bin/env node
// Wall time of `vaultkit plugin release` for the five default platforms against five sequential plain
// `go build`s of the same platforms, alternating in the same runs, cache warm.
// Usage: npm run bench:release [-- RUNS]. Needs go and git.
import {execFileSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {cpus, tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const runs = Number(process.argv[2] ?? 3)
const bin = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'vaultkit-bench-release-'))
const project = join(work, 'hello')
const platforms = ['linux/amd64', 'linux/arm64', 'darwin/amd64', 'darwin/arm64', 'windows/amd64']
const binary = 'vault-plugin-secrets-hello'
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const env = {...process.env, NO_COLOR: '1', GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'bench@example.com', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'bench@example.com'}

const timed = (run) => {
  const started = performance.now()
  run()
  return (performance.now() - started) / 1000
}
const release = () => execFileSync(process.execPath, [bin, 'plugin', 'release', '--project', project, '--out', join(work, 'dist')], {env, stdio: 'ignore'})
// The yardsticks: five sequential builds as `plugin build` and `make build` do them (plain), and with the
// release's own flags (-s -w, no build id, no VCS stamp), which shows what the parallel builds alone bring.
const sequential = (ldflags, extra = []) => () => {
  for (const platform of platforms) {
    const [goos, goarch] = platform.split('/')
    const args = ['build', '-trimpath', ...extra, '-ldflags', `${ldflags}-X example.com/${binary}/version.Version=0.1.0`]
    execFileSync('go', [...args, '-o', join(work, 'plain', platform, binary), `./cmd/${binary}`], {
      cwd: project,
      env: {...env, CGO_ENABLED: '0', GOOS: goos, GOARCH: goarch},
    })
  }
}
const plainBuilds = sequential('')
const releaseFlagBuilds = sequential('-s -w -buildid= ', ['-buildvcs=false'])

try {
  execFileSync(process.execPath, [bin, 'plugin', 'new', 'hello', '--yes', '--dir', project], {env, stdio: 'ignore'})
  console.log(`warming the build cache for ${platforms.length} platforms (${cpus().length} cores)...`)
  plainBuilds()
  releaseFlagBuilds()
  release()
  const ours = []
  const plain = []
  const same = []
  for (let run = 1; run <= runs; run++) {
    rmSync(join(work, 'dist'), {recursive: true, force: true})
    ours.push(timed(release))
    plain.push(timed(plainBuilds))
    same.push(timed(releaseFlagBuilds))
    console.log(`run ${run}: plugin release ${ours.at(-1).toFixed(2)} s, 5 plain go builds ${plain.at(-1).toFixed(2)} s, 5 with the release flags ${same.at(-1).toFixed(2)} s`)
  }
  console.log(`plugin release (5 platforms, zips and SHA256SUMS): median ${median(ours).toFixed(2)} s`)
  console.log(`5 sequential plain go builds (as plugin build):     median ${median(plain).toFixed(2)} s`)
  console.log(`5 sequential go builds with the release's flags:    median ${median(same).toFixed(2)} s`)
  console.log(`ratio to the plain builds: ${(median(ours) / median(plain)).toFixed(2)}x (goal <= 0.70x)`)
  console.log(`ratio to the same flags:   ${(median(ours) / median(same)).toFixed(2)}x (what running in parallel alone gives)`)
} finally {
  rmSync(work, {recursive: true, force: true})
}
