import {existsSync} from 'node:fs'
import {dirname, join} from 'node:path'
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
