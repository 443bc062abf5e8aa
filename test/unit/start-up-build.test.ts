import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {REPO} from '../helpers.js'
// @ts-expect-error: a plain-JS build script, without type declarations
import {builtinsWithoutFacades, childProcessOnDemand, exactlyOnce, lightWslUtils, noCollatorAtStart, wslUtilsNamesRead} from '../../scripts/rolldown-start-up.js'

type Hook = (code: string, idOrChunk: unknown) => string | null | undefined
const renderChunk: Hook = (code, chunk) => builtinsWithoutFacades().renderChunk(code, chunk)
const chunk = {fileName: 'chunks/x.js'}

describe('built-in modules without ES facades', () => {
  it('turns each kind of import of a built-in into a lookup of the module object', () => {
    const code = [
      'import fs, { constants as c, readFileSync } from "node:fs";',
      'import * as os from "os";',
      'import process from "node:process";',
      'import { "default" as path } from "node:path";',
      'import "node:tty";',
      'import { a } from "./other.js";',
      'console.log(fs, c, readFileSync, os, process, path, a);',
    ].join('\n')
    expect(renderChunk(code, chunk)).toBe(
      [
        'const fs = globalThis.process.getBuiltinModule("node:fs"); const {"constants": c, readFileSync} = globalThis.process.getBuiltinModule("node:fs");',
        'const os = globalThis.process.getBuiltinModule("os");',
        'const process = globalThis.process.getBuiltinModule("node:process");',
        'const path = globalThis.process.getBuiltinModule("node:path");',
        'globalThis.process.getBuiltinModule("node:tty");',
        'import { a } from "./other.js";',
        'console.log(fs, c, readFileSync, os, process, path, a);',
      ].join('\n'),
    )
  })

  it('gives the same bindings as the imports it replaces', async () => {
    const code = 'import fs, { sep as separator } from "node:path";\nexport const result = [fs.join("a", "b"), separator];'
    const module = await import(`data:text/javascript,${encodeURIComponent(renderChunk(code, chunk)!)}`)
    expect(module.result).toEqual(['a/b', '/'])
  })

  it('leaves a chunk without built-in imports alone, and refuses what it would change the meaning of', () => {
    expect(renderChunk('import { a } from "./a.js";\nexport { a };', chunk)).toBeNull()
    expect(() => renderChunk('export { readFileSync } from "node:fs";', chunk)).toThrow('chunks/x.js: it re-exports a built-in module')
    expect(() => renderChunk('import * as fs from "node:fs";\nfs.default.readFileSync("x");', chunk)).toThrow('it reads .default of a namespace import of node:fs')
    expect(() => renderChunk('import * as fs$1 from "node:fs";\nfs$1.default.readFileSync("x");', chunk)).toThrow('it reads .default of a namespace import of node:fs')
    expect(renderChunk('import * as fs from "node:fs";\nmyfs.default.x(fs);', chunk)).toContain('const fs = globalThis.process.getBuiltinModule("node:fs");')
    expect(() => renderChunk('const early = 1;\nimport fs from "node:fs";', chunk)).toThrow('it imports a built-in module after other code')
    expect(() => renderChunk('import fs from "node:fs";\nconst globalThis = {};', chunk)).toThrow('it declares its own globalThis')
  })

  it('fails the build when chunks that had built-ins rewritten import each other', () => {
    const plugin = builtinsWithoutFacades()
    plugin.renderChunk('import fs from "node:fs";\nexport const a = fs;', {fileName: 'a.js'})
    const bundle = {'a.js': {imports: ['b.js']}, 'b.js': {imports: ['c.js']}, 'c.js': {imports: ['a.js']}, 'd.js': {imports: ['a.js']}}
    expect(() => plugin.generateBundle({}, bundle)).toThrow('chunks import each other (a.js -> b.js -> c.js -> a.js)')
    expect(() => plugin.generateBundle({}, {...bundle, 'c.js': {imports: []}})).not.toThrow()
  })
})

describe('oclif, bundled for a quick start', () => {
  it('routes only oclif’s import of wsl-utils to the light module', () => {
    const {resolveId} = lightWslUtils()
    expect(resolveId('wsl-utils', '/repo/node_modules/@oclif/core/lib/util/os.js')).toMatch(/src\/lib\/cli\/oclif-wsl-utils\.ts$/)
    expect(resolveId('wsl-utils', '/repo/src/lib/cli/oclif-wsl-utils.ts')).toBeUndefined()
    expect(resolveId('is-wsl', '/repo/node_modules/@oclif/core/lib/util/os.js')).toBeUndefined()
  })

  it('sorts commands by code unit, and fails the build when oclif’s sort is not where it was', () => {
    const {transform} = noCollatorAtStart()
    const id = '/repo/node_modules/@oclif/core/lib/config/plugin.js'
    expect(transform('x.sort((a, b) => a.id.localeCompare(b.id));', id)).toBe('x.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));')
    expect(() => transform('x.sort(byId);', id)).toThrow('0 times, not once')
    expect(transform('a.localeCompare(b)', '/repo/src/lib/x.ts')).toBeUndefined()
  })

  it('loads child_process for oclif only when its Windows shell detection runs', () => {
    const {transform} = childProcessOnDemand()
    const id = '/repo/node_modules/@oclif/core/lib/util/os.js'
    const code = 'const node_child_process_1 = require("node:child_process");\nfunction shell() { return (0, node_child_process_1.execSync)("x"); }'
    const lazy = transform(code, id)
    expect(lazy).not.toContain('const node_child_process_1 = require(')
    const load = new Function('require', `${lazy}; return node_child_process_1.execSync`)
    const loaded: string[] = []
    const getBuiltin = (name: string) => {
      loaded.push(name)
      return {execSync: 'the real one'}
    }
    expect(load(getBuiltin)).toBe('the real one')
    expect(loaded).toEqual(['node:child_process'])
    expect(() => transform(`${code}\nnode_child_process_1.spawn()`, id)).toThrow('not once as vaultkit:child-process-on-demand expects')
    expect(() => transform('const cp = require("node:child_process");', id)).toThrow('0 times, not once')
  })

  it('fails the build when a change applies to no module, or to two, or twice in one', () => {
    const plugin = () => exactlyOnce({name: 'test', file: '/oclif/a.js', find: 'X', replace: 'Y'})
    const none = plugin()
    expect(() => none.buildEnd()).toThrow('test applied 0 times, not once')
    const twice = plugin()
    twice.transform('X', '/repo/oclif/a.js')
    twice.transform('X', '/other/oclif/a.js')
    expect(() => twice.buildEnd()).toThrow('test applied 2 times, not once')
    expect(() => plugin().transform('X X', '/repo/oclif/a.js')).toThrow('holds "X" 2 times, not once')
    const once = plugin()
    expect(once.transform('aXb', '/repo/oclif/a.js')).toBe('aYb')
    expect(() => once.buildEnd()).not.toThrow()
  })

  it('the light wsl-utils exports every name oclif reads from wsl-utils, as oclif reads them today', async () => {
    const os = readFileSync(join(REPO, 'node_modules/@oclif/core/lib/util/os.js'), 'utf8')
    const names = wslUtilsNamesRead(os)
    expect(names.length).toBeGreaterThan(0)
    const shim = await import('../../src/lib/cli/oclif-wsl-utils.js')
    for (const name of names) expect(Object.keys(shim), name).toContain(name)
    expect(() => wslUtilsNamesRead("const w = require('wsl-utils')")).toThrow('does not follow')
    expect(() => wslUtilsNamesRead("const {isWsl} = await import('wsl-utils')")).toThrow('does not follow')
  })
})
