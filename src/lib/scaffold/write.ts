import {chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {basename, dirname, join, resolve} from 'node:path'

import {UserError, errnoCode, interruptedError} from '../errors.js'
import type {RenderedFile} from '../templates/render.js'

const WRITE_DENIED = new Set(['EACCES', 'EPERM', 'EROFS'])

function fsError(error: unknown, what: string): unknown {
  const code = errnoCode(error)
  if (code && WRITE_DENIED.has(code)) return new UserError(`Cannot ${what} (${code})`, 'choose a --dir where you may create files')
  if (code === 'ENOTDIR') return new UserError(`Cannot ${what}: a part of that path is a file`, 'choose another --dir')
  if (code === 'ENOSPC' || code === 'EDQUOT') return new UserError(`Cannot ${what}: the disk is full (${code})`, 'free some space or choose another --dir; nothing was left behind')
  return error
}

/**
 * Refuses a target that holds anything: a new project never mixes with existing files.
 * Returns whether the target exists (as an empty folder).
 */
export function checkTarget(directory: string): boolean {
  let entries: string[]
  try {
    entries = readdirSync(directory)
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return false
    throw fsError(error, `read ${directory}`)
  }
  if (entries.length > 0) throw notEmpty(directory)
  return true
}

const notEmpty = (directory: string) => new UserError(`${directory} already exists and is not empty`, 'choose another --dir, or move it away first')

const LOCK = '.vaultkit-writing'

/** An exclusive lock file in an empty folder; refused when another run holds one or the folder filled up. */
function lockEmptyFolder(directory: string): string {
  const lock = join(directory, LOCK)
  try {
    writeFileSync(lock, `${process.pid}\n`, {flag: 'wx'})
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') throw new UserError(`Another vaultkit is writing a project into ${directory}`, 'wait for it to finish, or choose another --dir')
    throw fsError(error, `write in ${directory}`)
  }
  if (readdirSync(directory).some((entry) => entry !== LOCK)) {
    rmSync(lock, {force: true})
    throw notEmpty(directory)
  }
  return lock
}

/**
 * Writes every file into a hidden staging folder, then moves it into place: a new folder appears whole
 * with one rename; an existing empty folder (perhaps the user's working directory) keeps its identity and
 * receives the staged entries. Failure or Ctrl-C during the write removes everything this call made.
 */
export async function writeProject(directory: string, files: RenderedFile[]): Promise<void> {
  const target = resolve(directory)
  const exists = checkTarget(target)
  // Listening before the first file appears: a signal with no listener ends the process at once, leaving it.
  let interrupted: NodeJS.Signals | undefined
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = signal
  }
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal)
  try {
    await writeStaged(target, exists, files, () => interrupted)
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal)
  }
}

async function writeStaged(target: string, exists: boolean, files: RenderedFile[], interrupted: () => NodeJS.Signals | undefined): Promise<void> {
  // Filling an existing folder takes one rename per entry, and a rename replaces a file: hold a lock so two
  // runs into the same folder cannot mix, then check again that it is still empty.
  const lock = exists ? lockEmptyFolder(target) : undefined
  const createdParent = exists ? undefined : makeParents(dirname(target))
  const staging = join(exists ? target : dirname(target), `.${basename(target)}.vaultkit-${process.pid}-${Date.now().toString(36)}`)
  let moved: string[] = []
  let placed = false
  const undo = () => {
    rmSync(staging, {recursive: true, force: true})
    for (const entry of moved) rmSync(join(target, entry), {recursive: true, force: true})
    // Only what this call put there: another run may have created the folder in the meantime.
    if (placed) rmSync(target, {recursive: true, force: true})
    if (createdParent && !existsSync(target)) rmSync(createdParent, {recursive: true, force: true})
    if (lock) rmSync(lock, {force: true})
  }
  try {
    // Synchronous: a few dozen small files, written faster without thread-pool round trips.
    mkdirSync(staging, {mode: 0o700})
    for (const file of files) {
      const path = join(staging, file.path)
      mkdirSync(dirname(path), {recursive: true})
      writeFileSync(path, file.contents, {mode: file.mode})
    }
    if (exists) {
      moved = readdirSync(staging)
      for (const entry of moved) renameSync(join(staging, entry), join(target, entry))
      rmSync(staging, {recursive: true})
    } else {
      chmodSync(staging, 0o755)
      renameSync(staging, target)
      placed = true
    }
    if (lock) rmSync(lock)
  } catch (error) {
    undo()
    // Renamed onto a folder that another run filled since it was checked.
    if (errnoCode(error) === 'ENOTEMPTY' || errnoCode(error) === 'EEXIST') throw notEmpty(target)
    throw fsError(error, `write in ${exists ? target : dirname(target)}`)
  }
  // A signal that came during the synchronous write is delivered now; honour it rather than lose it.
  await new Promise((resolve) => setImmediate(resolve))
  await new Promise((resolve) => setImmediate(resolve))
  const signal = interrupted()
  if (signal) {
    undo()
    throw interruptedError(signal)
  }
}

/** mkdir -p that returns the topmost folder it created, so a failure can remove exactly that. */
function makeParents(directory: string): string | undefined {
  try {
    if (statSync(directory).isDirectory()) return undefined
    throw new UserError(`${directory} is a file`, 'choose another --dir')
  } catch (error) {
    if (error instanceof UserError) throw error
    if (errnoCode(error) !== 'ENOENT') throw fsError(error, `use ${directory}`)
  }
  try {
    return mkdirSync(directory, {recursive: true})
  } catch (error) {
    throw fsError(error, `create ${directory}`)
  }
}
