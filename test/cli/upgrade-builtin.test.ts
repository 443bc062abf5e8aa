import {cpSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'
import {describe, expect, test} from 'vitest'

import {REPO, SHIPPED_BUILD_ENV, runCli, tempDir} from '../helpers.js'

// Built-in kinds move with vaultkit itself. "Another vaultkit" is a copy of this one (its bin, bundle,
// templates, package.json; node_modules linked) whose templates the test changes: a Makefile line and the
// kind's version, or the SDK pin of go.mod (versions.ts is bundled, so the pin is changed where the template
// reads it). Projects are made by one vaultkit and upgraded by the other, as a user who updates vaultkit.
const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
}
const SLOW = {timeout: 900_000}

function copyOfVaultkit(change: (root: string) => void): string {
  const root = join(tempDir(), 'vaultkit')
  for (const entry of ['bin', 'dist', 'templates', 'schema', 'package.json', 'oclif.manifest.json']) cpSync(join(REPO, entry), join(root, entry), {recursive: true})
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'))
  change(root)
  return join(root, 'bin/run.js')
}

function edit(file: string, from: string | RegExp, to: string) {
  const text = readFileSync(file, 'utf8')
  const changed = text.replace(from, to)
  expect(changed, `${file} holds ${from}`).not.toBe(text)
  writeFileSync(file, changed)
}

const vaultkit = (bin: string, args: string[], cwd: string) =>
  execa(process.execPath, [bin, ...args], {cwd, reject: false, stdin: 'ignore', env: {NO_COLOR: '1', ...GIT_IDENTITY}})
const run = (cwd: string, command: string, args: string[]) => execa(command, args, {cwd, env: {...GIT_IDENTITY, ...SHIPPED_BUILD_ENV}, all: true})
const read = (project: string, path: string) => readFileSync(join(project, path), 'utf8')

async function commitAll(project: string, message: string) {
  await run(project, 'git', ['add', '--all'])
  await run(project, 'git', ['commit', '--quiet', '--message', message])
}

describe('plugin upgrade of built-in kinds', () => {
  test('a project of this vaultkit takes a later vaultkit’s template change and keeps the user’s edit', SLOW, async () => {
    const cwd = tempDir()
    const made = await runCli(['plugin', 'new', 'hello', '--type', 'auth', '--yes', '--dir', 'hello'], {cwd, env: GIT_IDENTITY})
    expect(made.exitCode).toBe(0)
    const project = join(cwd, 'hello')
    const origin = JSON.parse(read(project, '.vaultkit.json'))
    expect(origin.kind).toEqual({name: 'auth', version: '1.0.0', builtin: true})
    edit(join(project, 'factory.go'), /\n\/\/ Factory /, '\n// Factory is what Vault calls to mount the plugin.\n// Factory ')
    await commitAll(project, 'A comment of mine')

    const later = copyOfVaultkit((root) => {
      edit(join(root, 'templates/framework/files/Makefile.hbs'), /^test:\n\tgo test \.\/\.\.\.$/m, 'test:\n\tgo test -race ./...')
      edit(join(root, 'templates/auth/template.json'), '"version": "1.0.0"', '"version": "1.1.0"')
    })
    const result = await vaultkit(later, ['plugin', 'upgrade'], project)
    expect(result.stderr).toBe('')
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toContain('Upgrading the project (auth 1.0.0 -> 1.1.0')
    expect(result.stdout).toMatch(/^ {2}update +Makefile/m)
    expect(read(project, 'Makefile')).toMatch(/^\tgo test -race \.\/\.\.\.$/m)
    expect(read(project, 'factory.go')).toContain('// Factory is what Vault calls to mount the plugin.\n')
    expect(JSON.parse(read(project, '.vaultkit.json')).kind.version).toBe('1.1.0')
    expect((await run(project, 'git', ['status', '--porcelain'])).stdout.split('\n').sort()).toEqual([' M .vaultkit.json', ' M Makefile'])
  })

  test('an SDK pin bump reaches go.mod with the same merge, the user’s own requirement kept', SLOW, async () => {
    const cwd = tempDir()
    const earlier = copyOfVaultkit((root) => edit(join(root, 'templates/common/files/go.mod.hbs'), 'github.com/hashicorp/vault/sdk {{go.sdk}}', 'github.com/hashicorp/vault/sdk v0.25.0'))
    const made = await vaultkit(earlier, ['plugin', 'new', 'hello', '--yes', '--dir', 'hello'], cwd)
    expect(made.stderr).toBe('')
    expect(made.exitCode).toBe(0)
    const project = join(cwd, 'hello')
    expect(read(project, 'go.mod')).toMatch(/^\tgithub.com\/hashicorp\/vault\/sdk v0\.25\.0$/m)
    writeFileSync(join(project, 'id.go'), 'package hello\n\nimport uuid "github.com/hashicorp/go-uuid"\n\nfunc newID() (string, error) { return uuid.GenerateUUID() }\n')
    await run(project, 'go', ['mod', 'tidy'])
    await commitAll(project, 'IDs')

    const result = await runCli(['plugin', 'upgrade', '--json'], {cwd: project, env: GIT_IDENTITY})
    expect(result.exitCode).toBe(0)
    const report = JSON.parse(result.stdout)
    expect(report.files).toContainEqual({path: 'go.mod', action: 'merge'})
    expect(report.conflicts).toEqual([])
    expect(report.steps).toContainEqual(expect.objectContaining({step: 'go mod tidy', status: 'ok'}))
    const goMod = read(project, 'go.mod')
    expect(goMod).toMatch(/^\tgithub.com\/hashicorp\/vault\/sdk v0\.25\.1$/m)
    expect(goMod).toMatch(/^\tgithub.com\/hashicorp\/go-uuid v[\d.]+$/m)
    expect(read(project, 'go.sum')).toContain('github.com/hashicorp/vault/sdk v0.25.1 h1:')
    await run(project, 'go', ['build', './...'])
  })

  // Born clean, for projects born before: the floors that keep a plugin clear of known vulnerabilities.
  test('the security floors reach go.mod of a project made before them', SLOW, async () => {
    const cwd = tempDir()
    const earlier = copyOfVaultkit((root) => edit(join(root, 'templates/common/files/go.mod.hbs'), /\n\{\{#each go\.floors\}\}[\s\S]*?\{\{\/each\}\}/, ''))
    const made = await vaultkit(earlier, ['plugin', 'new', 'hello', '--yes', '--dir', 'hello'], cwd)
    expect(made.exitCode, made.stderr).toBe(0)
    const project = join(cwd, 'hello')
    expect(read(project, 'go.mod')).not.toMatch(/^\tgolang.org\/x\/net v0\.62\.0/m)

    const result = await runCli(['plugin', 'upgrade', '--json'], {cwd: project, env: GIT_IDENTITY})
    expect(result.exitCode, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout).conflicts).toEqual([])
    const goMod = read(project, 'go.mod')
    expect(goMod).toMatch(/^\tgolang.org\/x\/net v0\.62\.0 \/\/ indirect$/m)
    expect(goMod).toMatch(/^\tgolang.org\/x\/crypto v0\.59\.0 \/\/ indirect$/m)
    expect(goMod).toMatch(/^\tgoogle.golang.org\/grpc v1\.83\.2 \/\/ indirect$/m)
    await run(project, 'go', ['build', './...'])
  })
})
