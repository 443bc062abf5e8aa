// Two changes to how oclif is bundled, each worth several milliseconds of every vaultkit start (measured
// with bench/new and performance marks; see the README's "Start-up" notes).
import {fileURLToPath} from 'node:url'

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
