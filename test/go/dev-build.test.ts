import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, expect, test} from 'vitest'

import {buildPlugin} from '../../src/lib/project/build.js'
import {type PluginProject, readProject} from '../../src/lib/project/project.js'
import {runCli} from '../helpers.js'

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

test('go build as an author types it, in the same repository, does stamp it: the check above can fail', {timeout: 600_000}, async () => {
  const out = join(parent, 'by-hand')
  // Go's default (-buildvcs=auto), whatever this machine's go env says.
  await execa('go', ['build', '-o', out, project.description.main], {cwd: project.dir, env: {GOFLAGS: '-buildvcs=auto'}})
  expect(await vcsStamp(out)).toContain('vcs=git')
})
