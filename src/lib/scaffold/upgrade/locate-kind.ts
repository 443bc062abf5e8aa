import {UserError} from '../../errors.js'
import {compareVersions} from '../../versions.js'
import {ORIGIN_FILE, type Origin} from '../origin.js'
import {checkExtends, type Kind, listKinds, readExternalKind} from '../../templates/kinds.js'
import {kindOfOrigin} from '../../templates/origin-kind.js'

/**
 * The kind a project was made from, as it is now: --template DIR first (also for a built-in kind someone
 * keeps a copy of), else the built-in kind or the folder the origin names, else a kind of that name on the
 * search path. `kinds` is what the answers are resolved against.
 */
export function locateKind(origin: Origin, options: {template?: string; kindVersion?: string}): {kind: Kind; kinds: Kind[]} {
  const wanted = origin.kind.name
  const builtins = listKinds()
  let kind: Kind | undefined
  if (options.template !== undefined) {
    kind = readExternalKind(options.template, 'flag', '--template')
    checkExtends(kind, builtins)
    if (kind.manifest.name !== wanted) {
      throw new UserError(`${options.template} holds the ${kind.manifest.name} kind, but the project was made from the ${wanted} kind`, `pass --template the folder of the ${wanted} kind`)
    }
  } else {
    kind = kindOfOrigin(origin.kind, ORIGIN_FILE, builtins)
    if (!kind && origin.kind.builtin) throw new UserError(`This vaultkit has no built-in ${wanted} kind`, `pass --template DIR, a folder holding the ${wanted} kind`)
    if (!kind) throw new UserError(`The ${wanted} kind is no longer at ${origin.kind.path}, nor on the template path`, `pass --template DIR, where the ${wanted} kind is now`)
  }
  const found = kind.manifest.version
  if (options.kindVersion !== undefined && found !== options.kindVersion.replace(/^v/, '')) {
    throw new UserError(`The ${wanted} kind at ${kind.dir} is version ${found ?? '(none)'}, not ${options.kindVersion}`, `pass --template DIR, a folder holding version ${options.kindVersion} of the kind`)
  }
  if (found !== undefined && origin.kind.version !== undefined && compareVersions(found, origin.kind.version) < 0) {
    throw new UserError(`The ${wanted} kind at ${kind.dir} is version ${found}, older than the project's ${origin.kind.version}`, 'plugin upgrade does not go back: pass --template DIR, a folder holding a newer version of the kind')
  }
  return {kind, kinds: [kind]}
}
