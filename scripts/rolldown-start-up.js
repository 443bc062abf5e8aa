// Changes to the bundle, each worth milliseconds of every vaultkit start (measured with bench/new and
// performance marks; test/cli/start-up.test.ts pins down their effect). Each fails the build when oclif's
// code no longer looks as it expects, so a new oclif version is looked at, not missed.
import {builtinModules} from 'node:module'
import {fileURLToPath} from 'node:url'
import {parseAst} from 'rolldown/parseAst'

const WSL_SHIM = fileURLToPath(new URL('../src/lib/cli/oclif-wsl-utils.ts', import.meta.url))

// oclif imports wsl-utils to ask whether this is WSL, and on Windows for PowerShell's path. wsl-utils loads
// child_process and its PowerShell helpers on import (about 5 ms); its isWsl is is-wsl's, which is light.
// The build fails unless oclif's imports were redirected and the shim exports every name oclif reads.
export function lightWslUtils() {
  const redirected = new Set()
  const read = new Set()
  return {
    name: 'vaultkit:light-wsl-utils',
    resolveId(source, importer) {
      if (source === 'wsl-utils' && importer?.includes('/node_modules/@oclif/core/')) {
        redirected.add(importer)
        return WSL_SHIM
      }
    },
    transform(code, id) {
      if (!/\/node_modules\/@oclif\/core\/lib\/.*\.js$/.test(id) || !code.includes('wsl-utils')) return
      for (const name of wslUtilsNamesRead(code, id)) read.add(name)
    },
    buildEnd(error) {
      if (error) return
      if (redirected.size === 0) throw new Error('oclif no longer imports wsl-utils: drop lightWslUtils from scripts/rolldown-start-up.js')
      const exported = new Set(this.getModuleInfo(WSL_SHIM)?.exports ?? [])
      const missing = [...read].filter((name) => !exported.has(name))
      if (missing.length > 0) throw new Error(`oclif reads ${missing.join(', ')} from wsl-utils, which src/lib/cli/oclif-wsl-utils.ts does not export`)
    },
  }
}

/** The names oclif's code reads from wsl-utils; refuses any use of the module it cannot follow. */
export function wslUtilsNamesRead(code, id = 'the module') {
  const uses = code.split('wsl-utils').length - 1
  const names = [...code.matchAll(/\(await import\('wsl-utils'\)\)\.(\w+)/g)].map((m) => m[1])
  if (names.length !== uses) throw new Error(`${id} uses wsl-utils in a way scripts/rolldown-start-up.js does not follow: review lightWslUtils`)
  return names
}

/**
 * A change to one file of oclif's that must apply exactly once: to one module, whose text holds `find`
 * exactly once (and passes `check`). Anything else fails the build.
 */
export function exactlyOnce({name, file, find, replace, check}) {
  let applied = 0
  return {
    name,
    transform(code, id) {
      if (!id.endsWith(file)) return
      const found = code.split(find).length - 1
      if (found !== 1 || (check && !check(code))) {
        throw new Error(`${id} holds "${find}" ${found} times, not once as ${name} expects: review scripts/rolldown-start-up.js`)
      }
      applied++
      return code.replace(find, replace)
    },
    buildEnd(error) {
      if (!error && applied !== 1) throw new Error(`${name} applied ${applied} times, not once (${file}): review scripts/rolldown-start-up.js`)
    },
  }
}

// oclif sorts the manifest's commands with localeCompare, and the first localeCompare of a process loads
// ICU's collation tables (about 6 ms). Command ids are lowercase ASCII, where a code-unit comparison gives
// the same order.
const SORT_BY_LOCALE = '.sort((a, b) => a.id.localeCompare(b.id))'
const SORT_BY_CODE_UNIT = '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))'

export const noCollatorAtStart = () =>
  exactlyOnce({name: 'vaultkit:no-collator-at-start', file: '/node_modules/@oclif/core/lib/config/plugin.js', find: SORT_BY_LOCALE, replace: SORT_BY_CODE_UNIT})

// oclif's util/os.js loads child_process (and with it dgram and the process-spawning internals) at start, for
// its Windows shell detection alone: load it when that runs. Commands that spawn load it themselves.
const EAGER_CHILD_PROCESS = 'const node_child_process_1 = require("node:child_process");'
const LAZY_CHILD_PROCESS = 'const node_child_process_1 = { get execSync() { return require("node:child_process").execSync; } };'

export const childProcessOnDemand = () =>
  exactlyOnce({
    name: 'vaultkit:child-process-on-demand',
    file: '/node_modules/@oclif/core/lib/util/os.js',
    find: EAGER_CHILD_PROCESS,
    replace: LAZY_CHILD_PROCESS,
    // The getter covers execSync alone: any other use of child_process needs the module itself.
    check: (code) => [...code.matchAll(/node_child_process_1\.(\w+)/g)].every((m) => m[1] === 'execSync'),
  })

// `import {readFileSync} from 'node:fs'` in an ES module makes Node build an ES facade of the whole built-in
// module, reading every export; for node:fs or node:process that loads more built-ins behind lazy getters
// (1-4 ms each, measured). process.getBuiltinModule hands over the module object as require() does.
// bin/run.js provides it on the Node 22 releases that lack it; dist/ is loaded only through bin/run.js (the
// build's own `oclif manifest` step runs on the repo's Node 24).
const BUILTINS = new Set(builtinModules)
const isBuiltin = (source) => source.startsWith('node:') || BUILTINS.has(source)

export function builtinsWithoutFacades() {
  const rewritten = new Set()
  return {
    name: 'vaultkit:builtins-without-facades',
    renderChunk(code, chunk) {
      const refuse = (why) => {
        throw new Error(`${chunk.fileName}: ${why}; review scripts/rolldown-start-up.js`)
      }
      let out = ''
      let at = 0
      let codeSeen = false
      for (const node of parseAst(code).body) {
        const builtin = typeof node.source?.value === 'string' && isBuiltin(node.source.value)
        if (!builtin) {
          codeSeen ||= node.type !== 'ImportDeclaration'
          continue
        }
        if (node.type !== 'ImportDeclaration') refuse('it re-exports a built-in module')
        // An import is bound before any code runs; a declaration only where it stands.
        if (codeSeen) refuse('it imports a built-in module after other code')
        out += code.slice(at, node.start) + builtinDeclarations(node, code, refuse)
        at = node.end
      }
      if (at === 0) return null
      if (/\b(?:var|let|const|function|class)\s+globalThis\b/.test(code)) refuse('it declares its own globalThis')
      rewritten.add(chunk.fileName)
      return out + code.slice(at)
    },
    generateBundle(_options, bundle) {
      // In an import cycle a chunk's code can run before another's body has declared its built-ins.
      const cycle = findImportCycle(bundle)
      if (cycle?.some((file) => rewritten.has(file))) {
        throw new Error(`chunks import each other (${cycle.join(' -> ')}), so their built-ins may be read before they are declared`)
      }
    },
  }
}

function builtinDeclarations(node, code, refuse) {
  // globalThis: the chunk may name a local `process` (`import process from "node:process"`).
  const module = `globalThis.process.getBuiltinModule(${JSON.stringify(node.source.value)})`
  const named = []
  const whole = []
  for (const specifier of node.specifiers) {
    const imported = specifier.type === 'ImportSpecifier' ? (specifier.imported.name ?? specifier.imported.value) : 'default'
    const local = specifier.local.name.replaceAll('$', '\\$')
    if (specifier.type === 'ImportNamespaceSpecifier' && new RegExp(`(?<![\\w$])${local}\\.default\\b`).test(code)) {
      refuse(`it reads .default of a namespace import of ${node.source.value}`)
    }
    // A built-in's default export, and its namespace, are its module object.
    if (imported === 'default' || specifier.type === 'ImportNamespaceSpecifier') whole.push(specifier.local.name)
    else named.push(imported === specifier.local.name ? imported : `${JSON.stringify(imported)}: ${specifier.local.name}`)
  }
  const declarations = whole.map((name) => `const ${name} = ${module};`)
  if (named.length > 0) declarations.push(`const {${named.join(', ')}} = ${module};`)
  return declarations.length > 0 ? declarations.join(' ') : `${module};`
}

/** A cycle of static imports between the bundle's chunks, as file names, or undefined. */
function findImportCycle(bundle) {
  const state = new Map()
  const visit = (file, path) => {
    if (state.get(file) === 'done') return undefined
    if (state.get(file) === 'open') return [...path.slice(path.indexOf(file)), file]
    state.set(file, 'open')
    for (const next of bundle[file]?.imports ?? []) {
      const cycle = visit(next, [...path, file])
      if (cycle) return cycle
    }
    state.set(file, 'done')
    return undefined
  }
  for (const file of Object.keys(bundle)) {
    const cycle = visit(file, [])
    if (cycle) return cycle
  }
  return undefined
}

/**
 * Writes which npm packages each output file bundles (the minified bundle keeps no markers of them), so the
 * start-up test can tell from the files a run loaded which libraries it loaded. Not part of the package.
 */
export function childPackagesMap(file) {
  return {
    name: 'vaultkit:chunk-packages',
    async generateBundle(_options, bundle) {
      const {mkdir, writeFile} = await import('node:fs/promises')
      const {dirname} = await import('node:path')
      const map = {}
      for (const [fileName, output] of Object.entries(bundle)) {
        if (output.type !== 'chunk') continue
        const packages = new Set()
        for (const id of output.moduleIds) {
          const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(id.replaceAll('\\', '/'))
          if (match) packages.add(match[1])
        }
        map[fileName] = [...packages].sort()
      }
      await mkdir(dirname(file), {recursive: true})
      await writeFile(file, `${JSON.stringify(map, null, 2)}\n`)
    },
  }
}
