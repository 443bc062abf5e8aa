// Changes to the bundle, each worth milliseconds of every vaultkit start (measured with bench/new and
// performance marks; test/cli/start-up.test.ts pins down their effect).
import {builtinModules} from 'node:module'
import {fileURLToPath} from 'node:url'
import {parseAst} from 'rolldown/parseAst'

const WSL_SHIM = fileURLToPath(new URL('../src/lib/oclif-wsl-utils.ts', import.meta.url))

// oclif imports wsl-utils to ask whether this is WSL, and on Windows for PowerShell's path. wsl-utils loads
// child_process and its PowerShell helpers on import (about 5 ms); its isWsl is is-wsl's, which is light.
export function lightWslUtils() {
  return {
    name: 'vaultkit:light-wsl-utils',
    resolveId(source, importer) {
      if (source === 'wsl-utils' && importer?.includes('/node_modules/@oclif/core/')) return WSL_SHIM
    },
  }
}

// oclif sorts the manifest's commands with localeCompare, and the first localeCompare of a process loads
// ICU's collation tables (about 6 ms). Command ids are lowercase ASCII, where a code-unit comparison gives
// the same order. The build fails if oclif's code changes, so a new oclif version is looked at, not missed.
const SORT_BY_LOCALE = '.sort((a, b) => a.id.localeCompare(b.id))'
const SORT_BY_CODE_UNIT = '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))'

export function noCollatorAtStart() {
  return {
    name: 'vaultkit:no-collator-at-start',
    transform(code, id) {
      if (!id.endsWith('/node_modules/@oclif/core/lib/config/plugin.js')) return
      if (!code.includes(SORT_BY_LOCALE)) {
        throw new Error(`${id} no longer sorts commands with "${SORT_BY_LOCALE}": review scripts/rolldown-start-up.js`)
      }
      return code.replace(SORT_BY_LOCALE, SORT_BY_CODE_UNIT)
    },
  }
}

// oclif's util/os.js loads child_process (and with it dgram and the process-spawning internals) at start, for
// its Windows shell detection alone: load it when that runs. Commands that spawn load it themselves.
const EAGER_CHILD_PROCESS = 'const node_child_process_1 = require("node:child_process");'
const LAZY_CHILD_PROCESS = 'const node_child_process_1 = { get execSync() { return require("node:child_process").execSync; } };'

export function childProcessOnDemand() {
  return {
    name: 'vaultkit:child-process-on-demand',
    transform(code, id) {
      if (!id.endsWith('/node_modules/@oclif/core/lib/util/os.js')) return
      const uses = [...code.matchAll(/node_child_process_1\.(\w+)/g)].map((m) => m[1])
      if (!code.includes(EAGER_CHILD_PROCESS) || uses.some((name) => name !== 'execSync')) {
        throw new Error(`${id} no longer loads child_process as it did: review scripts/rolldown-start-up.js`)
      }
      return code.replace(EAGER_CHILD_PROCESS, LAZY_CHILD_PROCESS)
    },
  }
}

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
