import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, expect, test} from 'vitest'

import {buildPlugin} from '../../src/lib/project/build.js'
import {type PluginProject, readProject} from '../../src/lib/project/project.js'
import {SHIPPED_BUILD_ENV, runCli} from '../helpers.js'

// A dev build (plugin build, a plugin dev round) drops the symbol table and DWARF, which only a debugger
// reads; a --debug build keeps them. Read from the binaries' own ELF section headers. Neither asks git for
// a VCS stamp (the project is a git repository, as plugin new leaves it).
let parent: string
let project: PluginProject

/** The section names of a little-endian ELF64 file (what Go builds for linux/amd64 and arm64). */
function elfSections(file: string): string[] {
  const elf = readFileSync(file)
  expect(elf.readUInt32BE(0)).toBe(0x7f454c46)
  const offset = Number(elf.readBigUInt64LE(0x28))
  const size = elf.readUInt16LE(0x3a)
  const count = elf.readUInt16LE(0x3c)
  const header = (i: number) => offset + i * size
  const names = header(elf.readUInt16LE(0x3e))
  const strings = Number(elf.readBigUInt64LE(names + 0x18))
  return Array.from({length: count}, (_, i) => {
    const start = strings + elf.readUInt32LE(header(i))
    return elf.toString('latin1', start, elf.indexOf(0, start))
  })
}

/** The VCS lines of the build info Go wrote into the binary (`go version -m`). */
async function vcsStamp(file: string): Promise<string[]> {
  const {stdout} = await execa('go', ['version', '-m', file])
  return stdout.split('\n').map((line) => line.trim().replace(/^build\s+/, '')).filter((line) => line.startsWith('vcs'))
}

beforeAll(async () => {
  parent = mkdtempSync(join(tmpdir(), 'vaultkit-dev-build-'))
  const dir = join(parent, 'hello')
  const created = await runCli(['plugin', 'new', 'hello', '--yes', '--dir', dir])
  expect(created.exitCode, created.stderr).toBe(0)
  project = await readProject(dir)
}, 600_000)

afterAll(() => {
  if (parent) rmSync(parent, {recursive: true, force: true})
})

test('a dev build has no symbol table or DWARF, and still runs as a plugin', {timeout: 600_000}, async () => {
  const built = await buildPlugin(project)
  const sections = elfSections(built.path)
  expect(sections).toContain('.text')
  expect(sections).not.toContain('.symtab')
  expect(sections.filter((s) => s.startsWith('.debug_') || s.startsWith('.zdebug_'))).toEqual([])
  expect(await vcsStamp(built.path)).toEqual([])
  const run = await execa(built.path, [], {reject: false, all: true})
  expect(run.all).toMatch(/^This binary is a plugin\./m)
})

test('a --debug build keeps them for the debugger', {timeout: 600_000}, async () => {
  const built = await buildPlugin(project, undefined, {debug: true})
  const sections = elfSections(built.path)
  expect(sections).toContain('.symtab')
  expect(sections).toContain('.debug_info')
  expect(await vcsStamp(built.path)).toEqual([])
})

test('go build with Go\'s default -buildvcs=auto, in the same repository, does stamp it: the check above can fail', {timeout: 600_000}, async () => {
  const out = join(parent, 'by-hand')
  // Go's default (-buildvcs=auto), whatever this machine's go env says; cgo and paths as plugin build has them.
  await execa('go', ['build', '-o', out, project.description.main], {cwd: project.dir, env: {...SHIPPED_BUILD_ENV, GOFLAGS: `${SHIPPED_BUILD_ENV.GOFLAGS} -buildvcs=auto`}})
  expect(await vcsStamp(out)).toContain('vcs=git')
})

test('a build whose inputs are unchanged runs no go; an edit, a flag or the environment builds again', {timeout: 600_000}, async () => {
  // A go on PATH that logs each run, then runs the real one.
  const bin = join(parent, 'logging-go')
  const log = join(parent, 'go-runs.log')
  mkdirSync(bin, {recursive: true})
  const realGo = (await execa('sh', ['-c', 'command -v go'])).stdout.trim()
  writeFileSync(join(bin, 'go'), `#!/bin/sh\necho "$*" >> '${log}'\nexec '${realGo}' "$@"\n`, {mode: 0o755})
  const runs = () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter((line) => line.startsWith('build')).length : 0)
  const path = process.env.PATH
  process.env.PATH = `${bin}:${path}`
  try {
    const first = await buildPlugin(project)
    expect(first.upToDate).toBeUndefined()
    expect(runs()).toBe(1)
    const again = await buildPlugin(project)
    expect(again).toMatchObject({upToDate: true, sha256: first.sha256, path: first.path})
    expect(runs()).toBe(1)
    // Touched, same bytes: still up to date. A README edit: not a build input.
    const readme = join(project.dir, 'README.md')
    writeFileSync(readme, `${readFileSync(readme, 'utf8')}\nMore words.\n`)
    const hello = join(project.dir, 'path_hello.go')
    writeFileSync(hello, readFileSync(hello, 'utf8'))
    expect((await buildPlugin(project)).upToDate).toBe(true)
    expect(runs()).toBe(1)
    // A source edit builds, and the new binary's sha256 is recorded.
    writeFileSync(hello, readFileSync(hello, 'utf8').replace('hello %s from', 'hullo %s from'))
    const edited = await buildPlugin(project)
    expect(edited.upToDate).toBeUndefined()
    expect(edited.sha256).not.toBe(first.sha256)
    expect(runs()).toBe(2)
    // Another build's flags (--debug), then the dev build again: each builds.
    await buildPlugin(project, undefined, {debug: true})
    await buildPlugin(project)
    expect(runs()).toBe(4)
    // The environment go reads: a GOFLAGS change builds.
    process.env.GOFLAGS = '-mod=mod'
    await buildPlugin(project)
    expect(runs()).toBe(5)
    // The binary replaced behind vaultkit's back (make build writes the same file): built again.
    delete process.env.GOFLAGS
    await buildPlugin(project)
    expect(runs()).toBe(6)
    writeFileSync(first.path, readFileSync(first.path))
    expect((await buildPlugin(project)).upToDate).toBeUndefined()
    expect(runs()).toBe(7)
  } finally {
    process.env.PATH = path
    delete process.env.GOFLAGS
  }
})
