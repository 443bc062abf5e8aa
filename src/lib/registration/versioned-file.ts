import {chmod, copyFile, link, rename, rm, stat} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'

import {UserError, errnoCode} from '../errors.js'
import {type FileIdentity, fileIdentity} from '../project/build-record.js'

/** `vault-plugin-secrets-hello_v0.2.0`: each version its own file, so the previous one stays for a rollback. */
export const versionedName = (binary: string, version: string) => `${binary}_${version}`

/**
 * The file is this very build (a link made earlier): nothing to do. Anything else is replaced, which costs a
 * link and a rename, less than reading tens of MB to compare bytes on every node in every dev round.
 */
export async function isSameFile(target: string, built: Pick<FileIdentity, 'dev' | 'ino'>): Promise<boolean> {
  const found = await stat(target, {bigint: true}).catch(() => undefined)
  return found !== undefined && found.ino === built.ino && found.dev === built.dev
}

/**
 * A hard link where the target folder is on the build's disk (a dev server's plugin directory, or a cluster
 * node's under .vaultkit/): no tens of MB copied. `go build -o` and vaultkit's build never write into an
 * existing file (they rename over it, or remove it first: cmd/go's moveOrCopyFile), so a linked file keeps
 * its bytes whatever happens to the build later. Else a copy.
 */
export async function linkOrCopy(source: string, partial: string): Promise<'linked' | 'copied'> {
  await rm(partial, {force: true})
  try {
    await link(source, partial)
    return 'linked'
  } catch (error) {
    if (!['EXDEV', 'EPERM', 'EMLINK'].includes(errnoCode(error) ?? '')) throw error
  }
  try {
    await copyFile(source, partial)
    await chmod(partial, 0o755)
  } catch (error) {
    // A disk that filled up midway: no half-copied file is left in the plugin directory.
    await rm(partial, {force: true}).catch(() => {})
    throw error
  }
  return 'copied'
}

/** The staging name of a file about to be renamed over `target`, in its folder (a rename does not cross disks). */
export const stagingName = (target: string) => join(dirname(target), `.${basename(target)}.${process.pid}.partial`)

/**
 * The build under its versioned name beside it, for a single server: linked under a staging name and
 * renamed over the previous build of that version (a running plugin keeps its file). `placed`: whether a
 * new link was made (which changes the build's ctime).
 */
export async function placeBesideBuild(build: string, version: string): Promise<{command: string; placed: boolean}> {
  const command = versionedName(basename(build), version)
  const target = join(dirname(build), command)
  if (await isSameFile(target, await fileIdentity(build))) return {command, placed: false}
  const partial = stagingName(target)
  try {
    await linkOrCopy(build, partial)
    await rename(partial, target)
  } catch (error) {
    throw unwritable(error, dirname(build), command) ?? error
  } finally {
    await rm(partial, {force: true}).catch(() => {})
  }
  return {command, placed: true}
}

/** A plugin directory vaultkit may not write (root-owned, read-only mount): one line saying what to do. */
export function unwritable(error: unknown, dir: string, command: string): UserError | undefined {
  const code = errnoCode(error)
  if (!code || !['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT'].includes(code)) return undefined
  return new UserError(`${command} cannot be written into the plugin directory ${dir} (${code})`, 'make that directory writable by this user (or free space on its disk), then register again')
}
