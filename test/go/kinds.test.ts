import {execFileSync} from 'node:child_process'
import {accessSync, constants, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterAll, describe, expect, test} from 'vitest'

import {listKinds} from '../../src/lib/templates/kinds.js'
import {runCli} from '../helpers.js'
import {startPostgres} from '../postgres.js'

// The real toolchain on every kind: a scaffold that renders but does not compile is a defect.
const kinds = listKinds().map((k) => k.manifest.name)
const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
}

describe.each(kinds)('the %s kind, generated with go mod tidy and git', (kind) => {
  const cwd = mkdtempSync(join(tmpdir(), `vaultkit-go-${kind}-`))
  afterAll(() => rmSync(cwd, {recursive: true, force: true}))
  const project = join(cwd, 'hello')
  const go = (...args: string[]) => execa('go', args, {cwd: project, all: true})

  test('plugin new runs go mod tidy and makes a first commit', {timeout: 600_000}, async () => {
    const result = await runCli(['plugin', 'new', 'hello', '--type', kind, '--dir', project], {cwd, env: GIT_IDENTITY})
    expect(result.stderr).toBe('')
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toMatch(/✔ go mod tidy/)
    expect(result.stdout).toMatch(/✔ git init: first commit made/)
    expect(readFileSync(join(project, 'go.sum'), 'utf8')).toContain('github.com/hashicorp/vault/sdk')
    expect(execFileSync('git', ['log', '--oneline'], {cwd: project, encoding: 'utf8'})).toMatch(/Initial commit from vaultkit/)
    expect(execFileSync('git', ['branch', '--show-current'], {cwd: project, encoding: 'utf8'}).trim()).toBe('main')
    expect(execFileSync('git', ['ls-files'], {cwd: project, encoding: 'utf8'})).toContain('go.sum')
  })

  test('gofmt -l prints nothing', async () => {
    expect((await execa('gofmt', ['-l', '.'], {cwd: project})).stdout).toBe('')
  })

  test('go vet ./... passes', {timeout: 600_000}, async () => {
    await go('vet', './...')
  })

  test('go test ./... passes', {timeout: 600_000}, async () => {
    // The database kind's integration tests run against a real PostgreSQL, given by PG_URL.
    const postgres = kind === 'database' ? await startPostgres() : undefined
    try {
      const {all} = await execa('go', ['test', '-count=1', '-v', './...'], {cwd: project, all: true, env: postgres ? {PG_URL: postgres.url} : {}})
      expect(all).toMatch(/^ok\s/m)
      expect(all).not.toMatch(/--- SKIP/)
      if (postgres) expect(all).toMatch(/--- PASS: TestIntegration_/)
    } finally {
      postgres?.stop()
    }
  })

  test('make build puts a working plugin binary in vault/plugins, and git ignores it', {timeout: 600_000}, async () => {
    await execa('make', ['build'], {cwd: project})
    const binary = join(project, 'vault/plugins', `vault-plugin-${kind === 'secrets' ? 'secrets' : kind}-hello`)
    accessSync(binary, constants.X_OK)
    // Started outside Vault, a plugin binary says what it is and refuses to serve.
    const run = await execa(binary, [], {reject: false, all: true})
    expect(run.exitCode).not.toBe(0)
    expect(run.all).toMatch(/plugin/i)
    expect(execFileSync('git', ['status', '--porcelain'], {cwd: project, encoding: 'utf8'})).toBe('')
  })
})

// Names that are Go identifiers the generated code also uses: each must still give a project that vets.
test.each(['plugin', 'flags', 'api', 'version'])('a plugin named %j still compiles and vets', {timeout: 600_000}, async (name) => {
  const cwd = mkdtempSync(join(tmpdir(), 'vaultkit-go-name-'))
  try {
    const project = join(cwd, name)
    const result = await runCli(['plugin', 'new', name, '--type', 'secrets', '--yes', '--no-git', '--dir', project])
    expect(result.stderr).toBe('')
    await execa('go', ['vet', './...'], {cwd: project})
  } finally {
    rmSync(cwd, {recursive: true, force: true})
  }
})
