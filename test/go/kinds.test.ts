import {execFileSync} from 'node:child_process'
import {accessSync, constants, mkdtempSync, readFileSync, readdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'

import {listKinds} from '../../src/lib/templates/kinds.js'
import {SHIPPED_BUILD_ENV, runCli} from '../helpers.js'
import {type Postgres, startPostgres} from '../postgres.js'
import {parseGovulncheck} from '../../src/lib/audit/govulncheck-report.js'
import {compareVersions, goVersions} from '../../src/lib/versions.js'
import {actionlintBinary, govulncheckAll, staticcheckBinary} from './go-tools.js'

// The real toolchain on every kind, with the checks HashiCorp's plugin CI runs: gofmt, go vet,
// staticcheck, go test -race, and statement coverage. A scaffold that renders but does not pass them is a
// defect. The name is not "hello" (the golden tier has that one): text that should name the plugin but
// says "hello" shows up here.
const NAME = 'acme-billing'
const MIN_COVERAGE = 80
const kinds = listKinds().map((k) => k.manifest.name)
const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
}
const NOUN: Record<string, string> = {secrets: 'secrets engine', auth: 'auth method', database: 'database plugin'}

// Where the secrets and auth kinds say "hello", they mean their hello path; nowhere else may it appear.
const HELLO_PATH = [/path_?hello\w*/gi, /TestHello\w*/g, /"hello"/g, /\/hello\b/g, /`hello`/g, /\bhello (<name>|%s|world|Ada)/g, /read hello:/g]

describe.each(kinds)('the %s kind, generated with go mod tidy and git', (kind) => {
  const cwd = mkdtempSync(join(tmpdir(), `vaultkit-go-${kind}-`))
  afterAll(() => rmSync(cwd, {recursive: true, force: true}))
  const project = join(cwd, NAME)
  const binaryName = `vault-plugin-${kind}-${NAME}`
  const module = `example.com/${binaryName}`

  test('plugin new runs go mod tidy and makes a first commit', {timeout: 600_000}, async () => {
    const result = await runCli(['plugin', 'new', NAME, '--type', kind, '--dir', project], {cwd, env: GIT_IDENTITY})
    expect(result.stderr).toBe('')
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toMatch(/✔ go mod tidy/)
    expect(result.stdout).toMatch(/✔ git init: first commit made/)
    expect(readFileSync(join(project, 'go.sum'), 'utf8')).toContain('github.com/hashicorp/vault/sdk')
    expect(execFileSync('git', ['log', '--oneline'], {cwd: project, encoding: 'utf8'})).toMatch(/Initial commit from vaultkit/)
    expect(execFileSync('git', ['branch', '--show-current'], {cwd: project, encoding: 'utf8'}).trim()).toBe('main')
    expect(execFileSync('git', ['ls-files'], {cwd: project, encoding: 'utf8'})).toContain('go.sum')
  })

  test('the plugin is named where it should be, and "hello" only means the hello path', () => {
    const main = readFileSync(join(project, 'cmd', binaryName, 'main.go'), 'utf8')
    expect(main.split('\n')[0]).toBe(`// Command ${binaryName} serves the ${NAME} ${NOUN[kind]} to Vault.`)
    expect(readFileSync(join(project, 'go.mod'), 'utf8').split('\n')[0]).toBe(`module ${module}`)
    const files = execFileSync('git', ['ls-files'], {cwd: project, encoding: 'utf8'}).trim().split('\n')
    const strays = files.flatMap((file) =>
      readFileSync(join(project, file), 'utf8')
        .split('\n')
        .map((line, i) => ({at: `${file}:${i + 1}: ${line.trim()}`, rest: HELLO_PATH.reduce((l, re) => l.replace(re, ''), line)}))
        .filter(({rest}) => /hello/i.test(rest))
        .map(({at}) => at),
    )
    expect(strays).toEqual([])
  })

  test('gofmt -l prints nothing', async () => {
    expect((await execa('gofmt', ['-l', '.'], {cwd: project})).stdout).toBe('')
  })

  test('go vet ./... passes', {timeout: 600_000}, async () => {
    await execa('go', ['vet', './...'], {cwd: project, env: SHIPPED_BUILD_ENV})
  })

  test('staticcheck ./... finds nothing', {timeout: 600_000}, async () => {
    const result = await execa(await staticcheckBinary(), ['./...'], {cwd: project, reject: false, all: true, env: SHIPPED_BUILD_ENV})
    expect(result.all).toBe('')
    expect(result.exitCode).toBe(0)
  })

  test('actionlint finds nothing in the GitHub workflows', {timeout: 600_000}, async () => {
    const workflows = readdirSync(join(project, '.github/workflows')).map((file) => join('.github/workflows', file))
    expect(workflows.sort()).toEqual(['.github/workflows/release.yml', '.github/workflows/test.yml'])
    const result = await execa(await actionlintBinary(), ['-no-color', ...workflows], {cwd: project, reject: false, all: true})
    expect(result.all).toBe('')
    expect(result.exitCode).toBe(0)
  })

  // Born clean: the go.mod a kind renders calls no function with a known vulnerability. The standard library's
  // findings depend on the Go that runs the scan (this machine's may be older), so each must be fixed by the
  // Go release the project's .go-version names, which its CI builds with.
  test('govulncheck finds no vulnerable function the plugin calls', {timeout: 600_000}, async () => {
    const scan = await govulncheckAll(project)
    expect(scan.exitCode, scan.stderr).toBe(0)
    const called = parseGovulncheck(scan.stdout).findings.filter((f) => f.reach === 'called')
    expect(called.filter((f) => f.module !== 'stdlib').map((f) => `${f.id} in ${f.module}@${f.version}, fixed in ${f.fixed}`)).toEqual([])
    const goVersion = readFileSync(join(project, '.go-version'), 'utf8').trim()
    expect(goVersion).toBe(goVersions.goToolchain)
    const unfixed = called.filter((f) => f.module === 'stdlib' && (!f.fixed || compareVersions(f.fixed, goVersion) > 0))
    expect(unfixed.map((f) => `${f.id} in Go's standard library, fixed in ${f.fixed}`)).toEqual([])
  })

  test(`go test -race passes, covering at least ${MIN_COVERAGE}% of the plugin's statements`, {timeout: 600_000}, async () => {
    // The database kind's integration tests run against a real PostgreSQL, given by PG_URL.
    const postgres = kind === 'database' ? await startPostgres() : undefined
    try {
      const {all} = await execa('go', ['test', '-race', '-cover', '-count=1', '-v', './...'], {
        cwd: project,
        all: true,
        env: {CGO_ENABLED: '1', ...(postgres ? {PG_URL: postgres.url} : {})},
      })
      // Only the acceptance tests skip (without VAULT_ACC); `plugin test` runs them against Vault.
      expect(all.match(/--- SKIP: \S+/g)?.filter((line) => !line.startsWith('--- SKIP: TestAcceptance_')) ?? []).toEqual([])
      if (postgres) expect(all).toMatch(/--- PASS: TestIntegration_/)
      const coverage = all.match(new RegExp(`^ok\\s+${module}\\s+\\S+\\s+coverage: ([\\d.]+)% of statements`, 'm'))
      expect(coverage, all).not.toBeNull()
      console.log(`coverage of the ${kind} kind's package: ${coverage![1]}% of statements`)
      expect(Number(coverage![1])).toBeGreaterThanOrEqual(MIN_COVERAGE)
    } finally {
      postgres?.stop()
    }
  })

  test('make build puts a working plugin binary in vault/plugins, and git ignores it', {timeout: 600_000}, async () => {
    await execa('make', ['build'], {cwd: project})
    const binary = join(project, 'vault/plugins', binaryName)
    accessSync(binary, constants.X_OK)
    // Started outside Vault, a plugin binary says what it is and refuses to serve, without a panic.
    const run = await execa(binary, [], {reject: false, all: true})
    expect(run.exitCode).toBe(1)
    expect(run.all).toMatch(/^This binary is a plugin\. These are not meant to be executed directly\./m)
    expect(run.all).not.toMatch(/panic|goroutine/)
    expect(execFileSync('git', ['status', '--porcelain'], {cwd: project, encoding: 'utf8'})).toBe('')
  })
})

describe('the database kind against a PostgreSQL that trusts every password', () => {
  let postgres: Postgres
  beforeAll(async () => {
    postgres = await startPostgres({auth: 'trust'})
  })
  afterAll(() => postgres?.stop())

  test('its integration tests fail saying so, not as a plugin bug', {timeout: 600_000}, async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'vaultkit-go-trust-'))
    try {
      const project = join(cwd, 'trusting')
      const created = await runCli(['plugin', 'new', 'trusting', '--type', 'database', '--yes', '--no-git', '--dir', project])
      expect(created.exitCode).toBe(0)
      const result = await execa('go', ['test', '-count=1', '-run', 'TestIntegration_UpdateUser', '.'], {
        cwd: project,
        all: true,
        reject: false,
        env: {...SHIPPED_BUILD_ENV, PG_URL: postgres.url},
      })
      expect(result.exitCode).toBe(1)
      expect(result.all).toMatch(/accepts any password \(trust authentication\)/)
      expect(result.all).toMatch(/pg_hba\.conf/)
      expect(result.all).not.toMatch(/old password still works|logged in after the expiration/)
    } finally {
      rmSync(cwd, {recursive: true, force: true})
    }
  })
})

// Names that are Go identifiers the generated code also uses: each must still give a project that vets.
test.each(['plugin', 'flags', 'api', 'version'])('a plugin named %j still compiles and vets', {timeout: 600_000}, async (name) => {
  const cwd = mkdtempSync(join(tmpdir(), 'vaultkit-go-name-'))
  try {
    const project = join(cwd, name)
    const result = await runCli(['plugin', 'new', name, '--type', 'secrets', '--yes', '--no-git', '--dir', project])
    expect(result.stderr).toBe('')
    await execa('go', ['vet', './...'], {cwd: project, env: SHIPPED_BUILD_ENV})
  } finally {
    rmSync(cwd, {recursive: true, force: true})
  }
})
