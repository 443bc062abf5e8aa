import type {BigIntStats} from 'node:fs'
import {readFile, rename, rm, stat, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {makeStateDir, stateDir} from '../vault/state.js'

/**
 * The sha256 of the last build, beside the file's identity when it was hashed, so that `plugin register`
 * after `plugin build` need not read a few tens of MB again. Trusted only while the file is the very same:
 * any write, copy or rename over it changes its inode, size, mtime or ctime (which no user can set). The
 * identity is taken before the file is read and checked after, so a build landing meanwhile is not recorded
 * under the old bytes' sha256; a stale record would have every later register give Vault a wrong sha256.
 */
interface BuildRecord {
  path: string
  identity: string
  sha256: string
  /** The fingerprint of what the build read (build-inputs.ts), when it could be told. */
  inputs?: string
}

/** A file's identity: what a write, copy or rename over it changes. */
export type FileIdentity = Pick<BigIntStats, 'dev' | 'ino' | 'size' | 'mtimeNs' | 'ctimeNs'>

const recordFile = (projectDir: string) => join(stateDir(projectDir), 'last-build.json')

export async function fileIdentity(path: string): Promise<FileIdentity> {
  const {dev, ino, size, mtimeNs, ctimeNs} = await stat(path, {bigint: true})
  return {dev, ino, size, mtimeNs, ctimeNs}
}

const serialized = (id: FileIdentity) => [id.dev, id.ino, id.size, id.mtimeNs, id.ctimeNs].join(':')

/** The same file with the same bytes; its ctime aside (a hard link to it changes only that). */
const sameContent = (a: FileIdentity, b: FileIdentity) => a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs

/**
 * Remembers a build's sha256, taken while the file had identity `hashed`: only if it still has it (a file
 * replaced while it was read is not recorded, and false says so). A cache, so a project folder that cannot
 * be written only costs the hash later.
 */
export async function recordBuild(projectDir: string, path: string, sha256: string, hashed: FileIdentity, inputs?: string): Promise<boolean> {
  const now = await fileIdentity(path).catch(() => undefined)
  if (!now || serialized(now) !== serialized(hashed)) return false
  await writeRecord(projectDir, {path, identity: serialized(now), sha256, ...(inputs === undefined ? {} : {inputs})})
  return true
}

/**
 * After a hard link to the build (which changes its ctime): the record renewed, only if the file is still
 * the one whose sha256 was checked (same inode, size and mtime), so a build landing meanwhile is not given
 * the old sha256.
 */
export async function renewRecord(projectDir: string, path: string, sha256: string, checked: FileIdentity): Promise<void> {
  const now = await fileIdentity(path).catch(() => undefined)
  if (!now || !sameContent(now, checked)) return
  const {inputs} = (await readRecord(projectDir)) ?? {}
  await writeRecord(projectDir, {path, identity: serialized(now), sha256, ...(inputs === undefined ? {} : {inputs})})
}

async function readRecord(projectDir: string): Promise<BuildRecord | undefined> {
  return readFile(recordFile(projectDir), 'utf8')
    .then((text) => JSON.parse(text) as BuildRecord)
    .catch(() => undefined)
}

/** Forgets the record: Vault found the registered sha256 wrong, so the next register reads the file again. */
export async function dropRecord(projectDir: string): Promise<void> {
  await rm(recordFile(projectDir), {force: true}).catch(() => {})
}

async function writeRecord(projectDir: string, record: BuildRecord): Promise<void> {
  const file = recordFile(projectDir)
  const partial = `${file}.${process.pid}`
  try {
    await makeStateDir(projectDir)
    await writeFile(partial, JSON.stringify(record))
    await rename(partial, file)
  } catch {
    await rm(partial, {force: true})
  }
}

/** The sha256 recorded for this file when it was built, if it has not changed since, with the identity checked. */
export async function recordedBuild(projectDir: string, path: string): Promise<{sha256: string; identity: FileIdentity; inputs?: string} | undefined> {
  try {
    const record = await readRecord(projectDir)
    if (record?.path !== path || typeof record.sha256 !== 'string') return undefined
    const identity = await fileIdentity(path)
    return record.identity === serialized(identity) ? {sha256: record.sha256, identity, inputs: record.inputs} : undefined
  } catch {
    return undefined
  }
}

export async function recordedSha256(projectDir: string, path: string): Promise<string | undefined> {
  return (await recordedBuild(projectDir, path))?.sha256
}
