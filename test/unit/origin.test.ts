import {execFileSync} from 'node:child_process'
import {mkdirSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {describe, expect, test} from 'vitest'

import {treeId} from '../../src/lib/scaffold/origin.js'
import {compareVersions} from '../../src/lib/versions.js'
import type {RenderedFile} from '../../src/lib/templates/render.js'
import {listTree, tempDir} from '../helpers.js'

const file = (path: string, text: string, mode = 0o644): RenderedFile => ({path, contents: Buffer.from(text), mode})

/** What git itself makes of the files: written, added to a fresh index, write-tree. */
function gitTreeId(files: RenderedFile[]): string {
  const dir = tempDir()
  execFileSync('git', ['init', '--quiet'], {cwd: dir})
  for (const f of files) {
    mkdirSync(dirname(join(dir, f.path)), {recursive: true})
    writeFileSync(join(dir, f.path), f.contents, {mode: f.mode})
  }
  execFileSync('git', ['add', '--all'], {cwd: dir})
  return execFileSync('git', ['write-tree'], {cwd: dir, encoding: 'utf8'}).trim()
}

describe('treeId: the id git gives a tree, without git', () => {
  test.each([
    ['one file', [file('go.mod', 'module x\n')]],
    // Git sorts a folder as if its name ended in "/": "a-b" < "a/" < "a.b" would be wrong; "a-b", "a.b", "a/" is right.
    ['names that sort differently as folders', [file('a/b', '1'), file('a-b', '2'), file('a.b', '3'), file('a0', '4')]],
    ['an executable, nested folders, an empty file', [file('bin/run', '#!/bin/sh\n', 0o755), file('x/y/z/w.go', ''), file('.github/workflows/t.yml', 'on: push\n')]],
  ])('%s', (_what, files) => {
    expect(treeId(files)).toBe(gitTreeId(files))
  })

  test.each(['secrets', 'auth', 'database'])('the golden %s project records the id of its own files as its base', (kind) => {
    const golden = join(import.meta.dirname, '../golden', kind)
    const files = listTree(golden)
      .filter((path) => path !== '.vaultkit.json')
      .map((path) => ({path, contents: readFileSync(join(golden, path)), mode: statSync(join(golden, path)).mode}))
    const origin = JSON.parse(readFileSync(join(golden, '.vaultkit.json'), 'utf8'))
    expect(origin.base).toBe(treeId(files))
    expect(origin.base).toBe(gitTreeId(files))
    expect(readdirSync(golden)).toContain('.vaultkit.json')
  })
})

test.each([
  ['1.0.0', '1.0.0', 0],
  ['1.10.0', '1.9.9', 1],
  ['v2.0.0', '10.0.0', -1],
  ['1.2.3-rc.1', '1.2.2', 1],
])('compareVersions(%s, %s) has the sign of %i', (a, b, sign) => {
  expect(Math.sign(compareVersions(a, b))).toBe(sign)
})
