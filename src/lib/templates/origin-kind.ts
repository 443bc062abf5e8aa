import {existsSync} from 'node:fs'

import {UserError} from '../errors.js'
import {checkExtends, type Kind, listKinds, readExternalKind} from './kinds.js'
import {discoverKinds} from './search-path.js'

/** How a generated project records the kind it was made from: a built-in kind, or the folder it was read from. */
export interface KindReference {
  name: string
  version?: string
  builtin?: true
  path?: string
}

/**
 * The kind `ref` names, as it is now: the built-in kind, or the folder it names, or a kind of that name on
 * the search path; undefined when it is in none of them. `recordedIn` is the file that holds `ref`, for errors.
 */
export function kindOfOrigin(ref: KindReference, recordedIn: string, builtins = listKinds()): Kind | undefined {
  const wanted = ref.name
  if (ref.builtin) return builtins.find((k) => k.manifest.name === wanted)
  if (ref.path && existsSync(ref.path)) {
    const kind = readExternalKind(ref.path, 'config', recordedIn)
    checkExtends(kind, builtins)
    if (kind.manifest.name !== wanted) {
      throw new UserError(`${ref.path} now holds the ${kind.manifest.name} kind, not the ${wanted} kind the project was made from`, `pass --template DIR, the folder of the ${wanted} kind`)
    }
    return kind
  }
  return discoverKinds().kinds.find((k) => k.manifest.name === wanted && k.source !== 'builtin')
}
