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
// bin/run.js provides it on the Node 22 releases that lack it.
const BUILTINS = new Set(builtinModules)
const isBuiltin = (source) => source.startsWith('node:') || BUILTINS.has(source)

export function builtinsWithoutFacades() {
  return {
    name: 'vaultkit:builtins-without-facades',
    renderChunk(code, chunk) {
      let out = ''
      let at = 0
      for (const node of parseAst(code).body) {
        if (!node.source || typeof node.source.value !== 'string' || !isBuiltin(node.source.value)) continue
        if (node.type !== 'ImportDeclaration') {
          throw new Error(`${chunk.fileName}: re-exports a built-in module; scripts/rolldown-start-up.js handles imports only`)
        }
        out += code.slice(at, node.start) + builtinDeclarations(node)
        at = node.end
      }
      return at === 0 ? null : out + code.slice(at)
    },
  }
}

function builtinDeclarations(node) {
  // globalThis: the chunk may name a local `process` (`import process from "node:process"`).
  const module = `globalThis.process.getBuiltinModule(${JSON.stringify(node.source.value)})`
  const named = []
  const whole = []
  for (const specifier of node.specifiers) {
    if (specifier.type === 'ImportSpecifier') {
      const imported = specifier.imported.type === 'Identifier' ? specifier.imported.name : JSON.stringify(specifier.imported.value)
      named.push(imported === specifier.local.name ? imported : `${imported}: ${specifier.local.name}`)
    } else {
      // Default and namespace imports of a built-in are both its module object.
      whole.push(specifier.local.name)
    }
  }
  const declarations = whole.map((name) => `const ${name} = ${module};`)
  if (named.length > 0) declarations.push(`const {${named.join(', ')}} = ${module};`)
  return declarations.length > 0 ? declarations.join(' ') : `${module};`
}
