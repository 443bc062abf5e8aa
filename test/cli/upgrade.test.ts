import {cpSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'
import {describe, expect, test} from 'vitest'

import {BIN, SHIPPED_BUILD_ENV, listTree, runCli, tempDir} from '../helpers.js'
import {Terminal} from '../pty.js'

// A kind at two versions (test/fixtures/upgrade-kind): 2 changes a Makefile line, adds CHANGELOG.md,
// drops NOTES.md and bumps the SDK in go.mod. Projects are made from 1, edited as a user would, committed;
// then the kind's folder moves to 2 in place, as an author's kind does, and the project is upgraded.
const FIXTURE = join(import.meta.dirname, '../fixtures/upgrade-kind')
const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
}
const SLOW = {timeout: 900_000}

const run = (cwd: string, command: string, args: string[]) => execa(command, args, {cwd, env: {...GIT_IDENTITY, ...SHIPPED_BUILD_ENV}, all: true})
const read = (project: string, path: string) => readFileSync(join(project, path), 'utf8')
const upgrade = (project: string, args: string[] = []) => runCli(['plugin', 'upgrade', ...args], {cwd: project, env: GIT_IDENTITY})

/** The kind at version 1 in a folder of its own, and a project made from it with go mod tidy and git. */
async function projectFromV1(options: {tidy?: boolean} = {}) {
  const cwd = tempDir()
  const kind = join(cwd, 'kind')
  cpSync(join(FIXTURE, 'v1'), kind, {recursive: true})
  const project = join(cwd, 'hello')
  const flags = options.tidy === false ? ['--no-tidy'] : []
  const made = await runCli(['plugin', 'new', 'hello', '--template', kind, '--yes', '--dir', project, ...flags], {cwd, env: GIT_IDENTITY})
  expect(made.stderr).toBe('')
  expect(made.exitCode).toBe(0)
  const moveKindToV2 = () => {
    rmSync(kind, {recursive: true})
    cpSync(join(FIXTURE, 'v2'), kind, {recursive: true})
  }
  return {cwd, kind, project, moveKindToV2}
}

/** Every file of the project (.git aside) with its contents, the base ref and HEAD: to prove nothing moved. */
async function snapshot(project: string) {
  const files = Object.fromEntries(listTree(project).filter((f) => !f.startsWith('.git/')).map((f) => [f, readFileSync(join(project, f), 'base64')]))
  const refs = (await run(project, 'git', ['for-each-ref', '--format=%(refname) %(objectname)'])).stdout
  return {files, refs, head: (await run(project, 'git', ['rev-parse', 'HEAD'])).stdout}
}

async function commitAll(project: string, message: string) {
  await run(project, 'git', ['add', '--all'])
  await run(project, 'git', ['commit', '--quiet', '--message', message])
}

const HANDLER_LINE = '\tb.Logger().Debug("hello requested", "name", d.Get("name"))\n'

/** What a user does: a line in a handler, a comment reworded, a requirement of their own (used, so tidy keeps it). */
async function editAsAUser(project: string) {
  const hello = read(project, 'path_hello.go')
  expect(hello).toContain('\tcfg, err := b.getConfig(ctx, req.Storage)\n')
  writeFileSync(join(project, 'path_hello.go'), hello.replace('\tcfg, err := b.getConfig(ctx, req.Storage)\n', `${HANDLER_LINE}\tcfg, err := b.getConfig(ctx, req.Storage)\n`))
  const factory = read(project, 'factory.go')
  expect(factory).toContain('// Factory returns a configured instance')
  writeFileSync(join(project, 'factory.go'), factory.replace('// Factory returns a configured instance', '// Factory returns a ready instance'))
  writeFileSync(
    join(project, 'id.go'),
    'package hello\n\nimport uuid "github.com/hashicorp/go-uuid"\n\n// newID names things this plugin creates.\nfunc newID() (string, error) { return uuid.GenerateUUID() }\n',
  )
  await run(project, 'go', ['mod', 'tidy'])
  expect(read(project, 'go.mod')).toMatch(/^\tgithub.com\/hashicorp\/go-uuid v[\d.]+$/m)
  await commitAll(project, 'My changes')
}

describe('plugin upgrade: a kind from version 1 to 2', () => {
  test('keeps every edit of the user and brings in every change of the kind; the result builds and passes its tests', SLOW, async () => {
    const {project, moveKindToV2} = await projectFromV1()
    expect(JSON.parse(read(project, '.vaultkit.json')).kind.version).toBe('1.0.0')
    await editAsAUser(project)
    const goMod = read(project, 'go.mod')
    moveKindToV2()

    const result = await upgrade(project)
    expect(result.stderr).toBe('')
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toMatch(/Upgrading the project \(upgrade-demo 1\.0\.0 -> 2\.0\.0, vaultkit [\d.]+\)/)
    expect(result.stdout).toMatch(/^ {2}update +Makefile/m)
    expect(result.stdout).toMatch(/^ {2}add +CHANGELOG\.md/m)
    expect(result.stdout).toMatch(/^ {2}remove +NOTES\.md/m)
    expect(result.stdout).toMatch(/^ {2}merge +go\.mod/m)
    expect(result.stdout).toMatch(/✔ go mod tidy/)
    // The kind's changes.
    expect(read(project, 'Makefile')).toContain('\tCGO_ENABLED=0 go build -trimpath -o bin/$(BINARY) ./cmd/$(BINARY)\n')
    // Version 2 asks who owns the plugin: without a terminal, its default.
    expect(read(project, 'CHANGELOG.md')).toBe('# Changelog of vault-plugin-secrets-hello\n\nNew in version 2 of the kind; owned by platform-team.\n')
    expect(existsSync(join(project, 'NOTES.md'))).toBe(false)
    expect(read(project, 'go.mod')).toMatch(/^\tgithub.com\/hashicorp\/vault\/sdk v0\.25\.1$/m)
    // The user's.
    expect(read(project, 'path_hello.go')).toContain(HANDLER_LINE)
    expect(read(project, 'factory.go')).toContain('// Factory returns a ready instance')
    expect(read(project, 'id.go')).toContain('uuid.GenerateUUID()')
    expect(read(project, 'go.mod')).toMatch(/^\tgithub.com\/hashicorp\/go-uuid v[\d.]+$/m)
    expect(read(project, 'go.mod')).not.toBe(goMod)
    // The record: the new version, and the new pristine render as the base, kept under the ref.
    const origin = JSON.parse(read(project, '.vaultkit.json'))
    expect(origin.kind.version).toBe('2.0.0')
    expect(origin.answers).toEqual({name: 'hello', module: 'example.com/vault-plugin-secrets-hello', version: '0.1.0', description: 'The hello secrets engine for HashiCorp Vault', owner: 'platform-team'})
    expect((await run(project, 'git', ['rev-parse', 'refs/vaultkit/base^{tree}'])).stdout).toBe(origin.base)
    expect((await run(project, 'git', ['ls-tree', '--name-only', 'refs/vaultkit/base'])).stdout.split('\n')).toContain('CHANGELOG.md')

    await run(project, 'go', ['vet', './...'])
    await run(project, 'go', ['test', '-count=1', './...'])

    // Committed, a second upgrade finds nothing to do.
    await commitAll(project, 'Upgrade to upgrade-demo 2.0.0')
    const before = await snapshot(project)
    const again = await upgrade(project)
    expect(again.exitCode).toBe(0)
    expect(again.stdout).toContain('Nothing to upgrade')
    expect(await snapshot(project)).toEqual(before)
  })

  test('an edit on the very line the kind changes: conflict markers in that file alone, listed, exit 1; resolved, the next upgrade is a no-op', SLOW, async () => {
    const {project, moveKindToV2} = await projectFromV1()
    const makefile = read(project, 'Makefile')
    writeFileSync(join(project, 'Makefile'), makefile.replace('\tgo build -o', '\tgo build -v -o'))
    writeFileSync(join(project, 'path_hello.go'), read(project, 'path_hello.go').replace('\tcfg, err := b.getConfig(ctx, req.Storage)\n', `${HANDLER_LINE}\tcfg, err := b.getConfig(ctx, req.Storage)\n`))
    writeFileSync(join(project, 'NOTES.md'), `${read(project, 'NOTES.md')}My own notes.\n`)
    await commitAll(project, 'Verbose builds')
    moveKindToV2()

    const result = await upgrade(project, ['--json'])
    expect(result.exitCode).toBe(1)
    const report = JSON.parse(result.stdout)
    expect(report.conflicts).toEqual(['Makefile'])
    expect(report.files).toContainEqual({path: 'Makefile', action: 'conflict', detail: '1 conflict'})
    expect(read(project, 'Makefile')).toContain(
      '<<<<<<< yours\n\tgo build -v -o bin/$(BINARY) ./cmd/$(BINARY)\n=======\n\tCGO_ENABLED=0 go build -trimpath -o bin/$(BINARY) ./cmd/$(BINARY)\n>>>>>>> upgrade-demo 2.0.0\n',
    )
    const marked = listTree(project).filter((f) => !f.startsWith('.git/') && read(project, f).includes('<<<<<<<'))
    expect(marked).toEqual(['Makefile'])
    // Everything else is done: the kind's other changes are in, the user's edit kept, the base moved on.
    expect(existsSync(join(project, 'CHANGELOG.md'))).toBe(true)
    // go.mod merged (tidy waits for the conflicts), byte for byte: its last line ends as it did.
    expect(report.files).toContainEqual({path: 'go.mod', action: 'merge'})
    expect(read(project, 'go.mod')).toMatch(/\n\)\n$/)
    // The kind dropped NOTES.md, but the user wrote in it: kept.
    expect(report.files).toContainEqual({path: 'NOTES.md', action: 'keep', detail: 'the kind dropped it; you changed it'})
    expect(read(project, 'NOTES.md')).toContain('My own notes.')
    expect(read(project, 'go.mod')).toMatch(/sdk v0\.25\.1$/m)
    expect(read(project, 'path_hello.go')).toContain(HANDLER_LINE)
    expect(JSON.parse(read(project, '.vaultkit.json')).kind.version).toBe('2.0.0')

    // A dry run reads the unresolved tree too; the base moved on, so nothing of the kind is left to bring.
    const dryOnDirty = await upgrade(project, ['--dry-run'])
    expect(dryOnDirty.exitCode).toBe(0)
    expect(dryOnDirty.stdout).not.toMatch(/^ {2}(update|add|remove|merge|conflict) /m)

    // Resolved (both wishes in one line), tidied and committed: upgrading again changes nothing.
    writeFileSync(join(project, 'Makefile'), makefile.replace('\tgo build -o', '\tCGO_ENABLED=0 go build -v -trimpath -o'))
    await run(project, 'go', ['mod', 'tidy'])
    await commitAll(project, 'Upgrade to upgrade-demo 2.0.0')
    const before = await snapshot(project)
    const again = await upgrade(project)
    expect(again.stderr).toBe('')
    expect(again.exitCode).toBe(0)
    expect(again.stdout).toContain('Nothing to upgrade')
    expect(await snapshot(project)).toEqual(before)
    await run(project, 'go', ['build', './...'])
  })

  test('the text report of a conflict names the file and what to do', SLOW, async () => {
    const {project, moveKindToV2} = await projectFromV1({tidy: false})
    writeFileSync(join(project, 'Makefile'), read(project, 'Makefile').replace('\tgo build -o', '\tgo build -v -o'))
    await commitAll(project, 'Verbose builds')
    moveKindToV2()
    const before = await snapshot(project)
    const dry = await upgrade(project, ['--dry-run', '--json'])
    expect(dry.exitCode).toBe(0)
    expect(JSON.parse(dry.stdout).conflicts).toEqual(['Makefile'])
    expect(await snapshot(project)).toEqual(before)
    const result = await upgrade(project, ['--no-tidy'])
    expect(result.exitCode).toBe(1)
    expect(result.stdout).toMatch(/^ {2}conflict +Makefile +1 conflict$/m)
    expect(result.stderr).toBe('Error: The upgrade left conflicts in 1 file: Makefile: resolve them (look for <<<<<<<), run `go mod tidy` if go.mod changed, then commit')
  })
})

describe('plugin upgrade: writes nothing unless it can finish', () => {
  test('--dry-run prints the plan and the diff, and changes nothing', SLOW, async () => {
    const {project, moveKindToV2} = await projectFromV1({tidy: false})
    moveKindToV2()
    const before = await snapshot(project)
    const result = await upgrade(project, ['--dry-run'])
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toContain('Would upgrade the project (upgrade-demo 1.0.0 -> 2.0.0')
    expect(result.stdout).toContain('(dry run: nothing written)')
    expect(result.stdout).toMatch(/^ {2}update +Makefile/m)
    expect(result.stdout).toContain('-\tgo build -o bin/$(BINARY) ./cmd/$(BINARY)\n+\tCGO_ENABLED=0 go build -trimpath -o bin/$(BINARY) ./cmd/$(BINARY)')
    expect(result.stdout).toContain('+++ b/CHANGELOG.md')
    expect(result.stdout).toContain('--- a/NOTES.md')
    expect(await snapshot(project)).toEqual(before)
  })

  test('a dirty work tree is refused, and nothing is touched', SLOW, async () => {
    const {project, moveKindToV2} = await projectFromV1({tidy: false})
    moveKindToV2()
    writeFileSync(join(project, 'scratch.txt'), 'not committed\n')
    const before = await snapshot(project)
    const result = await upgrade(project)
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toBe(
      'Error: The project has uncommitted changes (1 file, such as scratch.txt): commit or stash them first, so the upgrade can be reviewed and undone on its own; or pass --allow-dirty',
    )
    expect(await snapshot(project)).toEqual(before)
    const allowed = await upgrade(project, ['--allow-dirty', '--no-tidy'])
    expect(allowed.exitCode).toBe(0)
    expect(read(project, 'scratch.txt')).toBe('not committed\n')
    expect(existsSync(join(project, 'CHANGELOG.md'))).toBe(true)
  })

  test.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s in the middle leaves the project exactly as it was (exit %i)', SLOW, async (signal, code) => {
    const {project, moveKindToV2} = await projectFromV1({tidy: false})
    moveKindToV2()
    const before = await snapshot(project)
    // Each file write is slowed (test/fixtures/slow-writes.js), so the signal lands while the upgrade is staged.
    const slow = ['--import', join(import.meta.dirname, '../fixtures/slow-writes.js')]
    const child = execa(process.execPath, [...slow, BIN, 'plugin', 'upgrade', '--no-tidy'], {cwd: project, reject: false, env: {NO_COLOR: '1'}})
    const staged = () => existsSync(join(project, '.vaultkit')) && readdirSync(join(project, '.vaultkit')).some((name) => existsSync(join(project, '.vaultkit', name, 'new')))
    const deadline = Date.now() + 60_000
    while (!staged()) {
      if (Date.now() > deadline) throw new Error('the upgrade never staged a file')
      await new Promise((r) => setTimeout(r, 5))
    }
    child.kill(signal)
    const result = await child
    expect(result.stderr).toBe(`Error: Interrupted (${signal}): the project is as it was`)
    expect(result.exitCode).toBe(code)
    expect(await snapshot(project)).toEqual(before)
  })
})

describe('plugin upgrade: bad input', () => {
  test('a folder that is not a vaultkit project', async () => {
    const result = await upgrade(tempDir())
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toMatch(/^Error: \S+ is not a vaultkit project \(it has no \.vaultkit\.json\): run plugin upgrade in a folder made by `vaultkit plugin new` \(0\.1\.0 or later\)$/)
  })

  test.each([
    ['not JSON', '{"vaultkit": ', /is damaged: not valid JSON/],
    ['no base', JSON.stringify({vaultkit: '0.1.0', kind: {name: 'secrets', builtin: true}, answers: {name: 'a', module: 'm', version: '0.1.0', description: 'd'}}), /is damaged: "base" is not a git tree id: restore it with `git checkout -- \.vaultkit\.json`/],
    ['a list of answers', JSON.stringify({vaultkit: '0.1.0', kind: {name: 'secrets', builtin: true}, answers: [], base: 'a'.repeat(40)}), /is damaged: "answers" is not an object/],
    ['a newer vaultkit', JSON.stringify({vaultkit: '99.0.0', kind: {name: 'secrets', builtin: true}, answers: {}, base: 'a'.repeat(40)}), /was written by vaultkit 99\.0\.0, newer than this one \([\d.]+\): install vaultkit 99\.0\.0 or newer/],
  ])('an origin file that is %s: one line, exit 1', async (_what, contents, message) => {
    const project = tempDir()
    writeFileSync(join(project, '.vaultkit.json'), contents)
    const result = await upgrade(project)
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toMatch(message)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
  })

  test('a kind whose folder moved: the message says --template, which then finds it', SLOW, async () => {
    const {cwd, kind, project, moveKindToV2} = await projectFromV1({tidy: false})
    moveKindToV2()
    renameSync(kind, join(cwd, 'moved'))
    const lost = await upgrade(project)
    expect(lost.exitCode).toBe(1)
    expect(lost.stderr).toBe(`Error: The upgrade-demo kind is no longer at ${kind}, nor on the template path: pass --template DIR, where the upgrade-demo kind is now`)
    const wrong = await upgrade(project, ['--template', join(FIXTURE, '../../../templates/auth'), '--no-tidy'])
    expect(wrong.stderr).toMatch(/holds the auth kind, but the project was made from the upgrade-demo kind/)
    const pinned = await upgrade(project, ['--template', join(cwd, 'moved'), '--kind-version', '3.0.0'])
    expect(pinned.stderr).toMatch(/is version 2\.0\.0, not 3\.0\.0/)
    const found = await upgrade(project, ['--template', join(cwd, 'moved'), '--kind-version', '2.0.0', '--no-tidy'])
    expect(found.stderr).toBe('')
    expect(found.exitCode).toBe(0)
    expect(JSON.parse(read(project, '.vaultkit.json')).kind.path).toBe(join(cwd, 'moved'))
  })

  test('a question the kind added without a default: named with its flag; --answer answers it', SLOW, async () => {
    const {kind, project, moveKindToV2} = await projectFromV1({tidy: false})
    moveKindToV2()
    const manifest = JSON.parse(read(kind, 'template.json'))
    delete manifest.questions[0].default
    writeFileSync(join(kind, 'template.json'), JSON.stringify(manifest))
    const before = await snapshot(project)
    const missing = await upgrade(project, ['--yes'])
    expect(missing.exitCode).toBe(1)
    expect(missing.stderr).toBe('Error: --yes cannot answer "owner": the upgrade-demo kind gives it no default: pass --answer owner=<value>')
    expect(await snapshot(project)).toEqual(before)
    const answered = await upgrade(project, ['--answer', 'owner=payments', '--no-tidy'])
    expect(answered.exitCode).toBe(0)
    expect(read(project, 'CHANGELOG.md')).toContain('owned by payments.')
    expect(JSON.parse(read(project, '.vaultkit.json')).answers.owner).toBe('payments')
  })

  test('in a terminal, a question the kind added is asked, its default offered', SLOW, async () => {
    const {project, moveKindToV2} = await projectFromV1({tidy: false})
    moveKindToV2()
    const terminal = new Terminal(['plugin', 'upgrade', '--no-tidy'], project)
    await terminal.waitFor(/Which team owns the plugin\? \(platform-team\)/)
    await terminal.type(`${'\u007F'.repeat('platform-team'.length)}payments\r`)
    expect(await terminal.exit()).toBe(0)
    expect(terminal.screen).toMatch(/add +CHANGELOG\.md/)
    expect(read(project, 'CHANGELOG.md')).toContain('owned by payments.')
  })

  test('an older kind is not a downgrade target', SLOW, async () => {
    const {kind, project, moveKindToV2} = await projectFromV1({tidy: false})
    moveKindToV2()
    expect((await upgrade(project, ['--no-tidy'])).exitCode).toBe(0)
    await commitAll(project, 'Upgrade')
    rmSync(kind, {recursive: true})
    cpSync(join(FIXTURE, 'v1'), kind, {recursive: true})
    const result = await upgrade(project)
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toMatch(/is version 1\.0\.0, older than the project's 2\.0\.0: plugin upgrade does not go back/)
  })

  test('a clone without the base ref: nothing to do while the kind is unchanged, then fetching the ref is what it says', SLOW, async () => {
    const {cwd, project, moveKindToV2} = await projectFromV1({tidy: false})
    const clone = join(cwd, 'clone')
    // --no-local: what a clone over the network gets, the objects that branches reach and no more.
    await run(cwd, 'git', ['clone', '--quiet', '--no-local', project, clone])
    expect((await run(clone, 'git', ['for-each-ref', 'refs/vaultkit'])).stdout).toBe('')
    const same = await upgrade(clone)
    expect(same.exitCode).toBe(0)
    expect(same.stdout).toContain('Nothing to upgrade')
    moveKindToV2()
    const missing = await upgrade(clone)
    expect(missing.exitCode).toBe(1)
    expect(missing.stderr).toMatch(/^Error: The pristine render [0-9a-f]{12} this project was made from is not in its git repository: fetch it where the project was made \(`git fetch <remote> refs\/vaultkit\/base:refs\/vaultkit\/base`/)
    await run(clone, 'git', ['fetch', '--quiet', 'origin', 'refs/vaultkit/base:refs/vaultkit/base'])
    const fetched = await upgrade(clone, ['--no-tidy'])
    expect(fetched.exitCode).toBe(0)
    expect(existsSync(join(clone, 'CHANGELOG.md'))).toBe(true)
  })

  test('a project made inside a larger repository keeps its base there, under a ref of its own', SLOW, async () => {
    const cwd = tempDir()
    const kind = join(cwd, 'kind')
    cpSync(join(FIXTURE, 'v1'), kind, {recursive: true})
    const repository = join(cwd, 'monorepo')
    await run(cwd, 'git', ['init', '--quiet', repository])
    const made = await runCli(['plugin', 'new', 'hello', '--template', kind, '--yes', '--no-tidy', '--dir', 'plugins/hello'], {cwd: repository, env: GIT_IDENTITY})
    expect(made.exitCode).toBe(0)
    expect(made.stdout).toMatch(/already inside the git repository/)
    expect(made.stdout).toMatch(/✔ keep the pristine render: refs\/vaultkit\/base-[0-9a-f]{12}/)
    await commitAll(repository, 'A plugin')
    rmSync(kind, {recursive: true})
    cpSync(join(FIXTURE, 'v2'), kind, {recursive: true})
    const project = join(repository, 'plugins/hello')
    const result = await upgrade(project, ['--no-tidy'])
    expect(result.stderr).toBe('')
    expect(result.exitCode).toBe(0)
    expect(existsSync(join(project, 'CHANGELOG.md'))).toBe(true)
    expect((await run(repository, 'git', ['status', '--porcelain'])).stdout).toContain('plugins/hello/CHANGELOG.md')
  })

  test('a project made with --no-git: refused with what to do', async () => {
    const cwd = tempDir()
    const made = await runCli(['plugin', 'new', 'hello', '--yes', '--no-git', '--no-tidy'], {cwd})
    expect(made.exitCode).toBe(0)
    const project = join(cwd, 'vault-plugin-secrets-hello')
    const before = listTree(project)
    const result = await upgrade(project)
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toMatch(/^Error: \S+ is not in a git repository, so its pristine render was not kept \(made with --no-git\?\): /)
    expect(listTree(project)).toEqual(before)
  })
})

describe('template test: a project of the previous version upgrades without conflict', () => {
  test('the previous version comes from the git history of the kind folder', SLOW, async () => {
    const cwd = tempDir()
    const kind = join(cwd, 'kinds', 'demo')
    cpSync(join(FIXTURE, 'v1'), kind, {recursive: true})
    await run(cwd, 'git', ['init', '--quiet'])
    await commitAll(cwd, 'Version 1 of the kind')
    const first = (await run(cwd, 'git', ['rev-parse', 'HEAD'])).stdout.slice(0, 12)
    rmSync(kind, {recursive: true})
    cpSync(join(FIXTURE, 'v2'), kind, {recursive: true})
    await commitAll(cwd, 'Version 2 of the kind')
    const result = await runCli(['template', 'test', kind], {cwd, env: GIT_IDENTITY})
    expect(result.stderr).toBe('')
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toMatch(new RegExp(`✔ upgrade from 1\\.0\\.0 \\(commit ${first}\\): 1\\.0\\.0 to 2\\.0\\.0: 5 files changed, no conflict`))
  })

  test('go.mod of a project nobody edited upgrades cleanly where tidy moved lines next to the kind\'s change (--from-version DIR)', SLOW, async () => {
    // Version 1 leaves the SDK's neighbours out of go.mod: tidy adds them next to the line version 2 bumps. A
    // line merge conflicts there; go.mod is merged by its requirements, so it does not.
    const cwd = tempDir()
    const v1 = join(cwd, 'v1')
    cpSync(join(FIXTURE, 'v1'), v1, {recursive: true})
    const goMod = read(v1, 'files/go.mod.hbs')
    writeFileSync(join(v1, 'files/go.mod.hbs'), goMod.replace(/\tgithub.com\/hashicorp\/vault\/api .*\n/, ''))
    const result = await runCli(['template', 'test', join(FIXTURE, 'v2'), '--from-version', v1, '--json'], {cwd, env: GIT_IDENTITY})
    const step = JSON.parse(result.stdout).steps.find((s: {step: string}) => s.step.startsWith('upgrade from'))
    expect(step).toMatchObject({step: `upgrade from 1.0.0 (${v1})`, status: 'ok'})
    expect(result.exitCode, result.stderr).toBe(0)
  })

  test('a kind without history or --from-version skips the step and says how to have it', SLOW, async () => {
    const cwd = tempDir()
    const kind = join(cwd, 'demo')
    cpSync(join(FIXTURE, 'v2'), kind, {recursive: true})
    const result = await runCli(['template', 'test', kind, '--json'], {cwd, env: GIT_IDENTITY})
    expect(result.exitCode).toBe(0)
    expect(JSON.parse(result.stdout).steps).toContainEqual(
      expect.objectContaining({step: 'upgrade from the previous version', status: 'skipped', detail: 'the kind folder has no git history: pass --from-version DIR, a copy of the previous version'}),
    )
  })
})
