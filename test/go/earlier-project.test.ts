import {mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, expect, test} from 'vitest'

import {REPO, SHIPPED_BUILD_ENV, runCli} from '../helpers.js'
import {GIT_IDENTITY} from '../existing-plugins.js'

// A project of an earlier vaultkit, made by that vaultkit itself: this repository's sources at the last
// commit before projects recorded their origin in .vaultkit.json, built (with today's build tools) and run.
// plugin init keeps its first commit as the merge base; plugin upgrade then brings the kind's changes
// since, and the author's edit survives.
const EARLIER = 'b427bcf^'
const parent = mkdtempSync(join(tmpdir(), 'vaultkit-earlier-'))
let earlierBin: string
let project: string

const git = (...args: string[]) => execa('git', args, {cwd: project, env: GIT_IDENTITY})
const vaultkit = (...args: string[]) => runCli([...args, '--project', project], {env: GIT_IDENTITY})
const AUTHORS_LINE = '// pathHelloRead greets in the words its author chose.\n'

beforeAll(async () => {
  const source = join(parent, 'vaultkit-earlier')
  const archive = await execa('git', ['archive', '--format=tar', `--prefix=vaultkit-earlier/`, EARLIER], {cwd: REPO, encoding: 'buffer', reject: false})
  if (archive.exitCode !== 0) throw new Error(`this test builds vaultkit from ${EARLIER} of this repository's history, which git cannot read here (a shallow clone?): ${archive.stderr}`)
  await execa('tar', ['-x', '-C', parent], {input: archive.stdout})
  symlinkSync(join(REPO, 'node_modules'), join(source, 'node_modules'))
  await execa('npm', ['run', 'build'], {cwd: source, env: {PATH: `${join(REPO, 'node_modules/.bin')}:${process.env.PATH}`}})
  earlierBin = join(source, 'bin/run.js')
  project = join(parent, 'hello')
  const made = await execa(process.execPath, [earlierBin, 'plugin', 'new', 'hello', '--yes', '--dir', project], {env: {...GIT_IDENTITY, NO_COLOR: '1'}, reject: false})
  expect(made.exitCode, made.stderr).toBe(0)
}, 600_000)

afterAll(() => rmSync(parent, {recursive: true, force: true}))

test('the earlier vaultkit made a project without .vaultkit.json, whose first commit is its render', async () => {
  expect((await git('log', '--format=%s')).stdout).toBe('Initial commit from vaultkit')
  expect((await git('ls-files', '.vaultkit.json')).stdout).toBe('')
  expect((await git('ls-files', 'tools/release/sbom.go', 'acceptance_test.go')).stdout).toBe('')
})

test('plugin init keeps that commit as the base; plugin upgrade brings the kind since, and the edit survives', {timeout: 600_000}, async () => {
  // The author's edit, in a file the kind has changed since.
  const hello = join(project, 'path_hello.go')
  writeFileSync(hello, readFileSync(hello, 'utf8').replace('func (b *backend) pathHelloRead(', `${AUTHORS_LINE}func (b *backend) pathHelloRead(`))
  await git('commit', '--quiet', '--all', '--message', 'Greet in my words')
  const first = (await git('rev-list', '--max-parents=0', 'HEAD')).stdout

  // Through a link to its folder (as macOS's /tmp is): the base goes under the ref plugin upgrade reads.
  const link = `${parent}-link`
  symlinkSync(parent, link)
  const init = await runCli(['plugin', 'init', '--yes', '--project', join(link, 'hello')], {env: GIT_IDENTITY}).finally(() => rmSync(link))
  expect(init.exitCode, init.stderr).toBe(0)
  expect(init.stdout).toMatch(new RegExp(`origin +the secrets kind as that vaultkit rendered it .*its first commit ${first.slice(0, 12)}`))
  const origin = JSON.parse(readFileSync(join(project, '.vaultkit.json'), 'utf8'))
  expect(origin).toMatchObject({
    kind: {name: 'secrets', builtin: true},
    answers: {name: 'hello', module: 'example.com/vault-plugin-secrets-hello', version: '0.1.0', description: 'The hello secrets engine for HashiCorp Vault'},
  })
  // The base is the first commit's tree without go.sum (go mod tidy wrote it; no kind renders one).
  expect((await git('for-each-ref', '--format=%(refname)', 'refs/vaultkit')).stdout).toBe('refs/vaultkit/base')
  const base = (await git('rev-parse', 'refs/vaultkit/base^{tree}')).stdout
  expect(origin.base).toBe(base)
  const firstFiles = (await git('ls-tree', '-r', '--name-only', first)).stdout.split('\n')
  expect((await git('ls-tree', '-r', '--name-only', 'refs/vaultkit/base')).stdout.split('\n')).toEqual(firstFiles.filter((f) => f !== 'go.sum'))
  await git('add', '.vaultkit.json')
  await git('commit', '--quiet', '--message', 'vaultkit plugin init')

  const upgrade = await vaultkit('plugin', 'upgrade', '--json')
  expect(upgrade.exitCode, upgrade.stderr).toBe(0)
  const files = Object.fromEntries((JSON.parse(upgrade.stdout).files as {path: string; action: string}[]).map((f) => [f.path, f.action]))
  // What the kind has gained since: the release program's SBOMs and signatures, the acceptance tests.
  expect(files).toMatchObject({'path_hello.go': 'merge', 'tools/release/sbom.go': 'add', 'acceptance_test.go': 'add'})
  expect(JSON.parse(upgrade.stdout).conflicts).toEqual([])
  const merged = readFileSync(hello, 'utf8')
  expect(merged).toContain(AUTHORS_LINE)
  // The kind's change to the same file (response schemas on the operation) arrived too.
  expect(merged).toContain('Responses: map[int][]framework.Response{')
  // The upgraded project builds and its tests pass.
  await execa('go', ['vet', './...'], {cwd: project, env: SHIPPED_BUILD_ENV})
  await execa('go', ['test', './...'], {cwd: project, env: SHIPPED_BUILD_ENV})
})

test('without that first commit (history squashed), init says why upgrade cannot, and records no origin', {timeout: 600_000}, async () => {
  const squashed = join(parent, 'squashed')
  const made = await execa(process.execPath, [earlierBin, 'plugin', 'new', 'hello', '--yes', '--no-git', '--dir', squashed], {env: {...GIT_IDENTITY, NO_COLOR: '1'}, reject: false})
  expect(made.exitCode, made.stderr).toBe(0)
  const sgit = (...args: string[]) => execa('git', args, {cwd: squashed, env: GIT_IDENTITY})
  await sgit('init', '--quiet', '--initial-branch=main')
  await sgit('add', '--all')
  await sgit('commit', '--quiet', '--message', 'Import the plugin')
  const init = await runCli(['plugin', 'init', '--yes', '--project', squashed])
  expect(init.exitCode, init.stderr).toBe(0)
  expect(init.stdout).toMatch(/Note: This is a project of an earlier vaultkit: every command works on it now, but plugin upgrade cannot, since its history has no first commit "Initial commit from vaultkit"/)
  const written = JSON.parse(readFileSync(join(squashed, '.vaultkit.json'), 'utf8'))
  expect(written.kind).toBeUndefined()
  expect((await sgit('for-each-ref', 'refs/vaultkit')).stdout).toBe('')
  const upgrade = await runCli(['plugin', 'upgrade', '--project', squashed])
  expect(upgrade.exitCode).toBe(1)
  expect(upgrade.stderr).toMatch(/was taken into vaultkit by plugin init, not made from a kind, so it has no kind to upgrade from/)
})
