import {existsSync} from 'node:fs'
import {join} from 'node:path'

import {readDescription, readProjectFile} from '../project/description.js'
import {ORIGIN_FILE, readOrigin} from '../scaffold/origin.js'
import {type Kind, listKinds} from '../templates/kinds.js'
import {kindOfOrigin} from '../templates/origin-kind.js'
import type {SmokeDeclaration} from '../templates/smoke-spec.js'

export interface DeclaredSmoke {
  smoke?: SmokeDeclaration
  /** The template.json that declares it: named in failures, so the author knows what to fix. */
  file: string
  /** Without a smoke: why, for the one line that says so. */
  none: string
}

/**
 * The smoke of the kind a project was made from, read afresh on each call: an edit of the kind's
 * template.json counts from the next round of `plugin dev`. A kind that declares none takes the smoke of the
 * built-in kind it extends, whose files (and so paths) lie under its own.
 */
export function projectSmoke(projectDir: string): DeclaredSmoke {
  // The project's own description first: an adopted plugin's smoke, or one a generated project overrides.
  const described = readDescription(projectDir)
  if (described?.smoke) return {smoke: described.smoke, file: ORIGIN_FILE, none: `${ORIGIN_FILE} declares an empty plugin.smoke list`}
  if (!existsSync(join(projectDir, ORIGIN_FILE))) {
    return {file: ORIGIN_FILE, none: `the project has no ${ORIGIN_FILE}, so the kind that would declare one is unknown`}
  }
  if (readProjectFile(projectDir)?.kind === undefined) {
    return {file: ORIGIN_FILE, none: `${ORIGIN_FILE} declares no plugin.smoke requests, and the project was not made from a kind that would`}
  }
  const origin = readOrigin(projectDir)
  const builtins = listKinds()
  const kind = kindOfOrigin(origin.kind, ORIGIN_FILE, builtins)
  if (!kind) {
    return {file: ORIGIN_FILE, none: `the ${origin.kind.name} kind the project was made from is no longer at ${origin.kind.path}, nor on the template path`}
  }
  return kindSmoke(kind, builtins)
}

/** The smoke a kind declares, or the one of the built-in kind it extends. */
export function kindSmoke(kind: Kind, builtins: Kind[]): DeclaredSmoke {
  const file = join(kind.dir, 'template.json')
  const base = kind.manifest.extends === undefined ? undefined : builtins.find((k) => k.manifest.name === kind.manifest.extends)
  if (kind.manifest.smoke === undefined && base?.manifest.smoke !== undefined) return kindSmoke(base, builtins)
  const none = kind.manifest.smoke === undefined ? `${file} declares none` : `${file} declares an empty list`
  return {smoke: kind.manifest.smoke, file, none}
}
