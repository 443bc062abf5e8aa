import {chmodSync, mkdirSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {mkdir, readdir, stat} from 'node:fs/promises'
import {basename, dirname, join, resolve} from 'node:path'

import {UserError, errnoCode} from './errors.js'
import type {RenderedFile} from './templates/render.js'

/** Refuses a target that holds anything: a new project never mixes with existing files. */
export async function checkTarget(directory: string): Promise<void> {
  let entries: string[]
  try {
    entries = await readdir(directory)
  } catch (error) {
    const code = errnoCode(error)
    if (code === 'ENOENT') return
    if (code === 'ENOTDIR') throw new UserError(`${directory} is a file`, 'choose another --dir')
    throw error
  }
  if (entries.length > 0) {
    throw new UserError(`${directory} already exists and is not empty`, 'choose another --dir, or move it away first')
  }
}

const WRITE_DENIED = new Set(['EACCES', 'EPERM', 'EROFS'])

/**
 * Writes every file into a hidden sibling folder, then renames it into place: the project appears whole
 * or not at all. On failure or interruption the sibling is removed, and so are parents this call made.
 */
export async function writeProject(directory: string, files: RenderedFile[]): Promise<void> {
  const target = resolve(directory)
  await checkTarget(target)
  const parent = dirname(target)
  const createdParent = await makeParents(parent)
  const staging = join(parent, `.${basename(target)}.vaultkit-${`${process.pid}-${Date.now().toString(36)}`}`)
  const cleanUp = () => {
    rmSync(staging, {recursive: true, force: true})
    if (createdParent) rmSync(createdParent, {recursive: true, force: true})
  }
  const onSignal = (signal: NodeJS.Signals) => {
    cleanUp()
    process.exit(signal === 'SIGINT' ? 130 : 143)
  }
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal)
  try {
    // Synchronous: a few dozen small files, written faster without the thread pool round trips.
    mkdirSync(staging, {mode: 0o700})
    for (const file of files) {
      const path = join(staging, file.path)
      mkdirSync(dirname(path), {recursive: true})
      writeFileSync(path, file.contents, {mode: file.mode})
    }
    chmodSync(staging, 0o755)
    renameSync(staging, target)
  } catch (error) {
    cleanUp()
    const code = errnoCode(error)
    if (code && WRITE_DENIED.has(code)) {
      throw new UserError(`Cannot write in ${parent} (${code})`, 'choose a --dir where you may create files')
    }
    if (code === 'ENOTEMPTY' || code === 'EEXIST') {
      throw new UserError(`${target} appeared while the project was being written`, 'choose another --dir')
    }
    throw error
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal)
  }
}

/** mkdir -p that returns the topmost folder it created, so a failure can remove exactly that. */
async function makeParents(directory: string): Promise<string | undefined> {
  try {
    if ((await stat(directory)).isDirectory()) return undefined
    throw new UserError(`${directory} is a file`, 'choose another --dir')
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error
  }
  try {
    return await mkdir(directory, {recursive: true})
  } catch (error) {
    const code = errnoCode(error)
    if (code && WRITE_DENIED.has(code)) {
      throw new UserError(`Cannot create ${directory} (${code})`, 'choose a --dir where you may create files')
    }
    if (code === 'ENOTDIR') throw new UserError(`A parent of ${directory} is a file`, 'choose another --dir')
    throw error
  }
}
