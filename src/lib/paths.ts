import {constants, existsSync} from 'node:fs'
import {access} from 'node:fs/promises'
import {delimiter, dirname, isAbsolute, join, relative} from 'node:path'
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

/** Whether this user may run the file. */
export async function isExecutable(path: string): Promise<boolean> {
  return access(path, constants.X_OK).then(
    () => true,
    () => false,
  )
}

/** The first of `names` a shell would run with this PATH, as found there (links not resolved). */
export async function findOnPath(names: string[], env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  for (const name of names) {
    for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
      if (await isExecutable(join(dir, name))) return join(dir, name)
    }
  }
  return undefined
}
