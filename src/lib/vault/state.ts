import {chmod, mkdir, readFile, rename, rm, writeFile} from 'node:fs/promises'
import {dirname, join} from 'node:path'

import {UserError, errnoCode} from '../errors.js'

/** Per-project dev server state, in `<project>/.vaultkit/` (gitignored in generated projects). */
export interface ServerState {
  addr: string
  /** The dev server's root token: the file is 0600 and never printed unless asked. */
  token: string
  pid: number
  port: number
  logFile: string
  pluginDir: string
  vaultBin: string
  startedAt: string
}

export const stateDir = (projectDir: string) => join(projectDir, '.vaultkit')

/**
 * The state folder, made private and ignored by git from inside (a `.gitignore` of `*`): in a repository
 * that vaultkit did not generate, nothing tells git to keep a root token, logs and builds out of a commit.
 */
export async function makeStateDir(projectDir: string): Promise<string> {
  const dir = stateDir(projectDir)
  await mkdir(dir, {recursive: true, mode: 0o700})
  await writeFile(join(dir, '.gitignore'), '# vaultkit state: dev server token, logs, builds\n*\n', {flag: 'wx'}).catch((error: unknown) => {
    if (errnoCode(error) !== 'EEXIST') throw error
  })
  return dir
}
const stateFile = (projectDir: string) => join(stateDir(projectDir), 'server.json')

export async function readState(projectDir: string): Promise<ServerState | undefined> {
  const file = stateFile(projectDir)
  const state = await readStateFile(file)
  if (state === undefined) return undefined
  const fields = state as Partial<ServerState> | null
  if (typeof fields?.addr !== 'string' || typeof fields.token !== 'string' || typeof fields.pid !== 'number') {
    throw new UserError(
      `${file} is damaged: it does not say which dev server runs`,
      'stop any vault dev server of this project by hand, delete the file, then run `vaultkit server start`',
    )
  }
  return state as ServerState
}

export async function writeState(projectDir: string, state: ServerState): Promise<void> {
  await writeStateFile(stateFile(projectDir), state)
}

/**
 * A state file under .vaultkit/ (the dev server's, the cluster's): its JSON; undefined when there is none;
 * null when it is not JSON, which vaultkit never writes (it writes the file whole): the caller says damaged.
 */
export async function readStateFile(file: string): Promise<unknown> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined
    throw error
  }
  try {
    return JSON.parse(text)
  } catch {
    return null
  }
}

/** 0600 (it holds a root token), written beside and renamed over, so a command reading it never sees half a file. */
export async function writeStateFile(file: string, value: unknown): Promise<void> {
  await mkdir(dirname(file), {recursive: true, mode: 0o700})
  const partial = `${file}.${process.pid}`
  await writeFile(partial, `${JSON.stringify(value, null, 2)}\n`, {mode: 0o600})
  await chmod(partial, 0o600)
  await rename(partial, file)
}

export async function removeState(projectDir: string): Promise<void> {
  await rm(stateFile(projectDir), {force: true})
}

/** Shows enough of a token to tell two apart, never enough to use it. */
export function maskToken(token: string): string {
  return token.length <= 8 ? '****' : `${token.slice(0, 4)}****${token.slice(-4)}`
}
