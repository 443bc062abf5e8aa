import {constants, existsSync} from 'node:fs'
import {access, mkdir, rmdir, stat} from 'node:fs/promises'
import {delimiter, dirname, isAbsolute, join, relative, resolve} from 'node:path'
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

/**
 * Makes `dir` and its missing parents one level at a time, and returns the folders it made, outermost first,
 * so that a failed write can take them back; a failure here takes back its own. (Node's recursive mkdir
 * loops forever under /proc.)
 */
export async function makeFolders(dir: string): Promise<string[]> {
  const missing: string[] = []
  for (let at = resolve(dir); !(await stat(at).then(() => true, () => false)) && dirname(at) !== at; at = dirname(at)) missing.unshift(at)
  const made: string[] = []
  try {
    for (const folder of missing) {
      await mkdir(folder)
      made.push(folder)
    }
  } catch (error) {
    await removeFolders(made)
    throw error
  }
  return made
}

/** Takes back what makeFolders made, innermost first; a folder something was put in since stays. */
export async function removeFolders(made: string[]): Promise<void> {
  for (const folder of [...made].reverse()) await rmdir(folder).catch(() => {})
}
