import {existsSync} from 'node:fs'
import {dirname, isAbsolute, join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'

/** vaultkit's own folder, found from this file whether it runs from src/ or bundled into dist/. */
function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'templates', 'common'))) {
    const parent = dirname(dir)
    if (parent === dir) throw new Error(`vaultkit's templates folder was not found above ${fileURLToPath(import.meta.url)}`)
    dir = parent
  }
  return dir
}

export const PACKAGE_ROOT = findPackageRoot()

/** A path as the user would type it: relative to where they are when it is below, else absolute. */
export function shownPath(path: string, cwd = process.cwd()): string {
  const rel = relative(cwd, path)
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path
}
