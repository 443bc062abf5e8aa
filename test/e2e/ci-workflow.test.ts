import {execFileSync} from 'node:child_process'
import {chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {parse} from 'yaml'

import {BIN, REPO} from '../helpers.js'
import {startPostgres} from '../postgres.js'
import {Mirror, TestSigner, makeZip} from '../release-mirror.js'
import {installVault, scaffold} from './vault.js'

// The acceptance job of a generated project's own CI (.github/workflows/test.yml), run step by step as a
// runner would: `vaultkit server install --from release` against a local mirror of releases.hashicorp.com
// (signature and SHA256SUMS checked, into an empty cache), then `vaultkit plugin test --cover`. The `uses:`
// steps (checkout, setup-go, setup-node) are what this machine already has, and "Install vaultkit" is the
// one step left out: it installs the published package, and this runs the vaultkit under test instead.
interface Step {
  name?: string
  uses?: string
  run?: string
}
interface Job {
  'runs-on': string
  strategy?: {matrix: {os: string[]}}
  env?: Record<string, string>
  services?: Record<string, unknown>
  steps: Step[]
}

const parent = mkdtempSync(join(tmpdir(), 'vaultkit-e2e-ci-'))
const signer = new TestSigner()
let vault: string
let secrets: string
/** A folder with `vaultkit` in it: this checkout's CLI. */
const bin = join(parent, 'bin')
const ownVersion = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {version: string}).version
const goEnv = (name: string) => execFileSync('go', ['env', name], {encoding: 'utf8'}).trim()

beforeAll(async () => {
  vault = await installVault()
  secrets = await scaffold('secrets', parent)
  execFileSync('mkdir', ['-p', bin])
  writeFileSync(join(bin, 'vaultkit'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`)
  chmodSync(join(bin, 'vaultkit'), 0o755)
}, 1_800_000)

afterAll(() => {
  signer.remove()
  rmSync(parent, {recursive: true, force: true})
})

const jobs = (project: string) => (parse(readFileSync(join(project, '.github/workflows/test.yml'), 'utf8')) as {jobs: Record<string, Job>}).jobs
const acceptanceJob = (project: string): Job => jobs(project).acceptance!
/** The runners a job runs on: its matrix of them, or its one. */
const runners = (job: Job) => (/^\$\{\{ matrix\.os }}$/.test(job['runs-on']) ? job.strategy!.matrix.os : [job['runs-on']])

/**
 * Each `run:` step in bash -e, in order, as the runner does; the first that fails ends the job. Vault's
 * release is served by a mirror of its own (stored, not deflated: the zip format is what matters here).
 */
async function runJob(project: string, job: Job, env: Record<string, string>) {
  const mirror = await Mirror.signed(signer, makeZip({binary: vault, store: true}))
  const cache = mkdtempSync(join(parent, 'cache-'))
  let output = ''
  for (const step of job.steps) {
    if (!step.run || step.name === 'Install vaultkit') continue
    const result = await execa('bash', ['-e', '-c', step.run], {
      cwd: project,
      reject: false,
      all: true,
      env: {
        ...job.env,
        ...env,
        PATH: `${bin}:${process.env.PATH}`,
        NO_COLOR: '1',
        // An empty cache, so the Vault comes from the mirror; Go's own caches stay where they are.
        XDG_CACHE_HOME: cache,
        GOCACHE: goEnv('GOCACHE'),
        GOMODCACHE: goEnv('GOMODCACHE'),
        VAULTKIT_RELEASES_URL: mirror.url,
        VAULTKIT_TEST_RELEASE_KEY: signer.publicKeyFile,
      },
    })
    output += `$ ${step.run}\n${result.all}\n`
    if (result.exitCode !== 0) return {failed: step.name ?? step.run, output, mirror}
  }
  return {failed: undefined, output, mirror}
}

describe("a generated project's CI runs both tiers against a real Vault", () => {
  test('the job installs Vault from the release (checked), and vaultkit of the version that generated it, with actions pinned by SHA', async () => {
    const job = acceptanceJob(secrets)
    for (const step of job.steps.filter((s) => s.uses)) expect(step.uses).toMatch(/^[\w-]+\/[\w-]+@[0-9a-f]{40}$/)
    expect(job.steps.find((s) => s.name === 'Install vaultkit')?.run).toBe(`npm install --global vaultkit@${ownVersion}`)
    expect(job.steps.map((s) => s.run).filter(Boolean)).toContain('vaultkit server install --from release')
    // Both tiers on the systems plugin authors use.
    for (const tested of Object.values(jobs(secrets))) expect(runners(tested)).toEqual(['ubuntu-latest', 'macos-latest'])
  })

  test('secrets: the job passes, Vault comes from the mirror, and a line only Vault runs (main) is covered in the profile', async () => {
    const project = secrets
    const {failed, output, mirror} = await runJob(project, acceptanceJob(project), {})
    expect(failed, output).toBeUndefined()
    expect(mirror.requests.some((r) => r.endsWith('.zip')), output).toBe(true)
    expect(output).toMatch(/^Vault v1\.21\.4, .* \(downloaded\)$/m)
    expect(output).toMatch(/^acceptance tier: 2 passed, 0 failed, 0 skipped in [\d.]+ s$/m)
    // The shipped API docs are what the plugin tells Vault.
    expect(output).toMatch(/^docs\/api\.md matches the plugin \(3 paths\)$/m)
    const line = /^coverage: ([\d.]+)% of statements \(unit ([\d.]+)%, acceptance ([\d.]+)%\); go tool cover -html=coverage.out$/m.exec(output)
    expect(line, output).not.toBeNull()
    const [total, unit, acceptance] = line!.slice(1).map(Number) as [number, number, number]
    expect(total).toBeGreaterThan(unit)
    expect(acceptance).toBeGreaterThan(0)
    // The profile, not the printed figure: main() runs only inside Vault, and its first block is counted.
    const profile = readFileSync(join(project, 'coverage.out'), 'utf8')
    expect(profile.startsWith('mode: atomic\n')).toBe(true)
    const mainBlocks = profile.split('\n').filter((l) => l.includes('/cmd/vault-plugin-secrets-hello/main.go:'))
    expect(mainBlocks.length).toBeGreaterThan(0)
    expect(mainBlocks.some((l) => !l.endsWith(' 0')), mainBlocks.join('\n')).toBe(true)
    // The scratch folders are gone; the server the job started is stopped.
    expect(execFileSync('ls', ['-A', join(project, '.vaultkit')], {encoding: 'utf8'})).not.toContain('coverage')
  })

  test('database: the job with its PostgreSQL passes, and prints no password', async () => {
    const postgres = await startPostgres()
    try {
      const project = await scaffold('database', parent)
      const job = acceptanceJob(project)
      expect(Object.keys(job.services ?? {})).toEqual(['postgres'])
      // Service containers run on Linux runners only: the unit job runs on both, without PostgreSQL.
      expect(runners(job)).toEqual(['ubuntu-latest'])
      expect(runners(jobs(project).test!)).toEqual(['ubuntu-latest', 'macos-latest'])
      expect(jobs(project).test!.services).toBeUndefined()
      expect(job.env?.PG_URL).toMatch(/^postgres:\/\/postgres:postgres@127\.0\.0\.1:5432\//)
      // The service's PostgreSQL is this machine's, on its own port.
      const {failed, output} = await runJob(project, job, {PG_URL: postgres.url})
      expect(failed, output).toBeUndefined()
      expect(output).toMatch(/^acceptance tier: 1 passed, 0 failed, 0 skipped in [\d.]+ s$/m)
      expect(output).toMatch(/^coverage: [\d.]+% of statements/m)
      // Its API docs too: the engine's paths with the connection settings the plugin lists.
      expect(output).toMatch(/^docs\/api\.md matches the plugin \(6 paths\)$/m)
      expect(output).not.toContain(postgres.password)
    } finally {
      await postgres.stop()
    }
  })
})
