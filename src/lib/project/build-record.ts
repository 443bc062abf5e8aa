import {mkdir, readFile, rename, rm, stat, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {stateDir} from '../vault/state.js'

/**
 * The sha256 of the last build, beside the file's identity when it was hashed, so that `plugin register`
 * after `plugin build` need not read a few tens of MB again. Trusted only while the file is the very same:
 * any write, copy or rename over it changes its inode, size, mtime or ctime (which no user can set). A
 * stale record could at worst register a wrong sha256, which Vault refuses to run.
 */
interface BuildRecord {
  path: string
  identity: string
  sha256: string
}

const recordFile = (projectDir: string) => join(stateDir(projectDir), 'last-build.json')

async function identity(path: string): Promise<string> {
  const info = await stat(path, {bigint: true})
  return [info.dev, info.ino, info.size, info.mtimeNs, info.ctimeNs].join(':')
}

/** Remembers a build's sha256; a cache, so a project folder that cannot be written only costs the hash later. */
export async function recordBuild(projectDir: string, path: string, sha256: string): Promise<void> {
  const file = recordFile(projectDir)
  const partial = `${file}.${process.pid}`
  try {
    const record: BuildRecord = {path, identity: await identity(path), sha256}
    await mkdir(stateDir(projectDir), {recursive: true})
    await writeFile(partial, JSON.stringify(record))
    await rename(partial, file)
  } catch {
    await rm(partial, {force: true})
  }
}

/** The sha256 recorded for this file when it was built, if it has not changed since. */
export async function recordedSha256(projectDir: string, path: string): Promise<string | undefined> {
  try {
    const record = JSON.parse(await readFile(recordFile(projectDir), 'utf8')) as BuildRecord
    if (record.path !== path || typeof record.sha256 !== 'string') return undefined
    return record.identity === (await identity(path)) ? record.sha256 : undefined
  } catch {
    return undefined
  }
}
