import {readFile, readdir} from 'node:fs/promises'
import {join, relative} from 'node:path'

import {describe, expect, test} from 'vitest'

// A fresh machine gets every command the tests run from `.ci/run`: either a `need` it checks, or a line of its
// package table. A machine that already had the command proves nothing, so this reads the sources instead.
const ROOT = join(import.meta.dirname, '../..')

// The first argument of a process call, when it is a command name written as a literal.
const SPAWNS = [
  /\b(?:execa|execFileSync|execFile|spawnSync|spawn|run|asPostgres)\(\s*'([\w.+-]+)'/g,
  // test/cli/completion.test.ts: a table of shell name -> [command, args].
  /\b\w+: \['([\w.+-]+)', \[/g,
]

// Commands that come from elsewhere, each with where.
const PROVIDED_OTHERWISE: Record<string, string> = {
  node: 'the node devDependency the npm scripts run on',
  gofmt: "Go's own distribution, which `need go` checks",
  vault: 'built from source into the user cache by the tests (test/e2e/vault.ts installVault)',
  vaultkit: 'the package under test',
}

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(join(ROOT, dir), {recursive: true, withFileTypes: true})
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => relative(ROOT, join(e.parentPath, e.name)))
}

async function spawnedCommands(): Promise<Map<string, string>> {
  const found = new Map<string, string>()
  for (const file of [...(await sources('test')), ...(await sources('src'))]) {
    const text = await readFile(join(ROOT, file), 'utf8')
    for (const pattern of SPAWNS) for (const match of text.matchAll(pattern)) if (!found.has(match[1]!)) found.set(match[1]!, file)
  }
  return found
}

async function ciProvides(): Promise<Set<string>> {
  const script = await readFile(join(ROOT, '.ci/run'), 'utf8')
  const needs = [...script.matchAll(/^need (\S+)/gm)].map((m) => m[1]!)
  const table = /^packages='\n([\s\S]*?)^'/m.exec(script)?.[1] ?? ''
  const tabled = table.split('\n').filter((line) => line.trim()).map((line) => line.trim().split(/\s+/)[0]!)
  return new Set([...needs, ...tabled])
}

describe('.ci/run', () => {
  test('provides every command the tests and vaultkit spawn', async () => {
    const spawned = await spawnedCommands()
    // The scan itself must see the commands it exists for, or an empty scan would pass.
    for (const known of ['go', 'git', 'psql', 'zsh', 'fish', 'setpriv']) expect(spawned.has(known), known).toBe(true)
    const provides = await ciProvides()
    const missing = [...spawned].filter(([command]) => !provides.has(command) && !(command in PROVIDED_OTHERWISE))
    expect(missing.map(([command, file]) => `${command} (spawned in ${file})`)).toEqual([])
  })

  test('names a Debian package for every table line', async () => {
    const script = await readFile(join(ROOT, '.ci/run'), 'utf8')
    const table = /^packages='\n([\s\S]*?)^'/m.exec(script)![1]!
    for (const line of table.split('\n').filter((l) => l.trim())) expect(line.trim().split(/\s+/), line).toHaveLength(2)
  })
})
