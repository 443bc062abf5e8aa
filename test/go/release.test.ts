import {appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'

import {BIN, runCli, tempDir, unwritableDir} from '../helpers.js'
import {scaffold} from '../e2e/vault.js'

// What `plugin release` refuses, and what an interrupted run leaves: the real CLI, go and git.
let parent: string
let project: string
const VERSION_GO = () => join(project, 'version/version.go')

beforeAll(async () => {
  parent = mkdtempSync(join(tmpdir(), 'vaultkit-release-'))
  project = await scaffold('secrets', parent)
  const env = {GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com'}
  await execa('git', ['init', '--quiet'], {cwd: project})
  await execa('git', ['add', '--all'], {cwd: project})
  await execa('git', ['commit', '--quiet', '-m', 'first'], {cwd: project, env})
}, 600_000)

afterAll(() => rmSync(parent, {recursive: true, force: true}))

// The vulnerability gate has its own tests (release-trust.test.ts); these are about the release itself.
const release = (...args: string[]) => runCli(['plugin', 'release', '--project', project, '--skip-audit', ...args])

describe('plugin release: bad input', () => {
  test('an unknown platform is refused, and the error lists the valid ones', async () => {
    const result = await release('--platform', 'plan9/amd64')
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toContain('unknown or unsupported platform "plan9/amd64": pass one of darwin/amd64, darwin/arm64, linux/amd64, linux/arm64, windows/amd64, windows/arm64')
    expect(existsSync(join(project, 'dist'))).toBe(false)
  })

  test('-check builds nothing and names the platforms a release would build, which the vulnerability gate scans', async () => {
    const check = await execa('go', ['run', './tools/release', '-check', '-json'], {cwd: project, reject: false})
    expect(check.exitCode, check.stderr).toBe(0)
    const done = check.stdout.split('\n').map((line) => JSON.parse(line) as {event: string; result?: {platforms: {platform: string}[]}}).find((e) => e.event === 'done')
    expect(done?.result?.platforms.map((p) => p.platform)).toEqual(['linux/amd64', 'linux/arm64', 'darwin/amd64', 'darwin/arm64', 'windows/amd64'])
    expect(existsSync(join(project, 'dist'))).toBe(false)
  })

  test('uncommitted changes are refused; --allow-dirty releases them with a warning', async () => {
    const readme = join(project, 'README.md')
    const original = readFileSync(readme, 'utf8')
    writeFileSync(readme, `${original}\nedited\n`)
    try {
      const refused = await release('--platform', 'linux/amd64')
      expect(refused.exitCode).toBe(1)
      expect(refused.stderr).toMatch(/has uncommitted changes: the release would not be of a commit: commit \(or stash\) first, or pass --allow-dirty/)
      expect(existsSync(join(project, 'dist'))).toBe(false)
      const out = join(parent, 'dirty-release')
      const allowed = await release('--platform', 'linux/amd64', '--allow-dirty', '--out', out, '--json')
      expect(allowed.exitCode, allowed.stderr).toBe(0)
      expect(allowed.stderr).toContain('warning: ')
      expect(allowed.stderr).toContain('the release is not of a commit')
      expect(JSON.parse(allowed.stdout)).toMatchObject({dirty: true, version: '0.1.0'})
      expect(readdirSync(out).sort()).toEqual([
        'vault-plugin-secrets-hello_0.1.0_SHA256SUMS',
        'vault-plugin-secrets-hello_0.1.0_linux_amd64.cdx.json',
        'vault-plugin-secrets-hello_0.1.0_linux_amd64.zip',
      ])
    } finally {
      writeFileSync(readme, original)
    }
  })

  test('--out inside the plugin directory is refused', async () => {
    const result = await release('--out', join(project, 'vault/plugins/release'))
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toContain(`${join(project, 'vault/plugins/release')} is inside the plugin directory ${join(project, 'vault/plugins')}: pass another --out`)
  })

  test('an --out that cannot be written is refused before anything is built', async () => {
    const result = await release('--out', join(unwritableDir(), 'dist'), '--json')
    expect(result.exitCode).toBe(1)
    expect(JSON.parse(result.stdout).error.message).toMatch(/^cannot write the release to .*\/dist: /)
    expect(result.stderr).not.toContain('building')
  })

  test('the release workflow\'s -tag must name the version in version/version.go', async () => {
    const result = await execa('go', ['run', './tools/release', '-tag', 'v9.9.9'], {cwd: project, reject: false})
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toContain('release: tag v9.9.9 does not name version 0.1.0 of version/version.go: tag the commit that sets that version')
  })

  test('a version that is not semver is refused', async () => {
    const original = readFileSync(VERSION_GO(), 'utf8')
    writeFileSync(VERSION_GO(), original.replace('"0.1.0"', '"1.0"'))
    try {
      const result = await release('--allow-dirty')
      expect(result.exitCode).toBe(1)
      expect(result.stderr).toContain('version/version.go sets Version = "1.0", which is not a semantic version: Vault needs MAJOR.MINOR.PATCH')
    } finally {
      writeFileSync(VERSION_GO(), original)
    }
  })
})

// The vulnerability gate scans the built binaries between the two halves, so these must be the same release.
describe('the release program in two halves: -stage, then -from', () => {
  // Minutes on a cold machine: windows/amd64 compiles the standard library and the SDK for the first time.
  test('-stage builds only the binaries; -from releases those same ones (a binary changed after -stage is refused), the same bytes as one run; -from refuses a folder -stage did not fill, and a version changed since', {timeout: 900_000}, async () => {
    const program = join(parent, 'release-program')
    const built = await execa('go', ['build', '-o', program, './tools/release'], {cwd: project, reject: false, all: true})
    expect(built.exitCode, built.all).toBe(0)
    const runProgram = (...args: string[]) => execa(program, ['-platform', 'linux/amd64,windows/amd64', ...args], {cwd: project, reject: false})
    const check = await runProgram('-check', '-json')
    expect(check.stdout).toContain('"staged":true')

    const stage = join(parent, 'stage')
    const staged = await runProgram('-stage', stage, '-out', join(parent, 'never'))
    expect(staged.exitCode, staged.stderr).toBe(0)
    expect(staged.stdout).toContain(join(stage, 'windows_amd64', 'vault-plugin-secrets-hello.exe'))
    expect(existsSync(join(parent, 'never'))).toBe(false)
    expect(readdirSync(join(stage, 'linux_amd64'))).toEqual(['vault-plugin-secrets-hello'])

    const whole = await runProgram('-out', join(parent, 'one-run'))
    expect(whole.exitCode, whole.stderr).toBe(0)
    const halves = await runProgram('-from', stage, '-out', join(parent, 'two-halves'))
    expect(halves.exitCode, halves.stderr).toBe(0)
    expect(halves.stderr).not.toMatch(/go build|building .* failed/)
    const files = readdirSync(join(parent, 'one-run')).sort()
    expect(readdirSync(join(parent, 'two-halves')).sort()).toEqual(files)
    for (const file of files) expect(readFileSync(join(parent, 'two-halves', file)).equals(readFileSync(join(parent, 'one-run', file))), file).toBe(true)

    // -from packs the staged bytes, and only those: a binary changed after -stage is refused, naming it.
    const stagedLinux = join(stage, 'linux_amd64', 'vault-plugin-secrets-hello')
    const mtime = statSync(stagedLinux).mtimeMs
    expect((await runProgram('-from', stage, '-out', join(parent, 'again'))).exitCode).toBe(0)
    expect(statSync(stagedLinux).mtimeMs).toBe(mtime)
    appendFileSync(stagedLinux, 'not what was scanned')
    const swapped = await runProgram('-from', stage, '-out', join(parent, 'refused'))
    expect(swapped.exitCode).toBe(1)
    expect(swapped.stderr).toContain(`release: the linux/amd64 binary in ${stage} changed after -stage built it: run -stage again, and release what it builds`)
    expect(existsSync(join(parent, 'refused'))).toBe(false)
    // A -stage that fails halfway leaves nothing -from would take for a staged build.
    const failed = await execa(program, ['-platform', 'linux/amd64', '-stage', stage], {cwd: project, reject: false, env: {GOFLAGS: '-toolexec=false'}})
    expect(failed.exitCode).toBe(1)
    expect(existsSync(join(stage, 'staged.json'))).toBe(false)
    expect((await runProgram('-stage', stage)).exitCode).toBe(0)

    const empty = await runProgram('-from', join(parent, 'no-stage'), '-out', join(parent, 'refused'))
    expect(empty.exitCode).toBe(1)
    expect(empty.stderr).toContain(`release: ${join(parent, 'no-stage')} holds no binaries built by -stage: run this program with -stage ${join(parent, 'no-stage')} first`)
    const original = readFileSync(VERSION_GO(), 'utf8')
    writeFileSync(VERSION_GO(), original.replace('"0.1.0"', '"0.2.0"'))
    try {
      const moved = await runProgram('-from', stage, '-out', join(parent, 'refused'), '-allow-dirty')
      expect(moved.exitCode).toBe(1)
      expect(moved.stderr).toContain(`release: ${stage} holds vault-plugin-secrets-hello 0.1.0, and the project now describes vault-plugin-secrets-hello 0.2.0: run -stage again`)
    } finally {
      writeFileSync(VERSION_GO(), original)
    }
    expect(existsSync(join(parent, 'refused'))).toBe(false)
  })
})

describe('plugin release: Ctrl-C during the builds', () => {
  // Minutes on a cold machine: the rerun cross-compiles the standard library and the SDK for darwin.
  test('leaves no zip, no SHA256SUMS, no staging or temporary files; a rerun succeeds', {timeout: 900_000}, async () => {
    const tmp = tempDir('vaultkit-release-tmp-')
    const args = [BIN, 'plugin', 'release', '--project', project, '--skip-audit', '--platform', 'linux/amd64', '--platform', 'darwin/arm64']
    const run = execa(process.execPath, args, {env: {NO_COLOR: '1', TMPDIR: tmp}, reject: false, stdin: 'ignore'})
    let stderr = ''
    run.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    const deadline = Date.now() + 600_000
    // Once the first go build has started (a warm link takes seconds), before it is done.
    while (!stderr.includes('building linux/amd64') && Date.now() < deadline && run.exitCode === null) await new Promise((r) => setTimeout(r, 20))
    expect(stderr).toMatch(/building 2 platforms, [12] at a time/)
    await new Promise((r) => setTimeout(r, 200))
    expect(stderr).not.toContain('built ')
    run.kill('SIGINT')
    const result = await run
    expect(result.exitCode, stderr).toBe(130)
    expect(stderr).toContain('Interrupted (SIGINT): nothing was written')
    expect(readdirSync(project).filter((f) => f.startsWith('dist') || f.startsWith('.dist'))).toEqual([])
    // Node's own compile cache aside, nothing of the release is left in the temporary folder.
    const leftovers = () => readdirSync(tmp).filter((f) => f !== 'node-compile-cache' && f !== 'again')
    expect(leftovers()).toEqual([])

    mkdirSync(join(tmp, 'again'))
    const rerun = await runCli(args.slice(1), {env: {TMPDIR: join(tmp, 'again')}})
    expect(rerun.exitCode, rerun.stderr).toBe(0)
    expect(readdirSync(join(project, 'dist')).sort()).toEqual([
      'vault-plugin-secrets-hello_0.1.0_SHA256SUMS',
      'vault-plugin-secrets-hello_0.1.0_darwin_arm64.cdx.json',
      'vault-plugin-secrets-hello_0.1.0_darwin_arm64.zip',
      'vault-plugin-secrets-hello_0.1.0_linux_amd64.cdx.json',
      'vault-plugin-secrets-hello_0.1.0_linux_amd64.zip',
    ])
    expect(readdirSync(join(tmp, 'again')).filter((f) => f !== 'node-compile-cache')).toEqual([])
  })
})

describe('plugin release: a project made before tools/release existed', () => {
  test("gets vaultkit's copy of the program, and the same bytes", async () => {
    const zip = 'vault-plugin-secrets-hello_0.1.0_linux_amd64.zip'
    const own = await release('--platform', 'linux/amd64', '--out', join(parent, 'own'), '--json')
    expect(own.exitCode, own.stderr).toBe(0)
    expect(JSON.parse(own.stdout).program).toBe('project')
    rmSync(join(project, 'tools'), {recursive: true})
    try {
      const copy = await release('--platform', 'linux/amd64', '--out', join(parent, 'copy'), '--allow-dirty', '--json')
      expect(copy.exitCode, copy.stderr).toBe(0)
      expect(JSON.parse(copy.stdout).program).toBe('vaultkit')
      expect(readFileSync(join(parent, 'copy', zip)).equals(readFileSync(join(parent, 'own', zip)))).toBe(true)
    } finally {
      await execa('git', ['checkout', '--', 'tools'], {cwd: project})
    }
  })
})
