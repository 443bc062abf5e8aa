import {relative} from 'node:path'

import {deploy} from './deploy.js'
import {UserError} from './errors.js'
import {PLUGIN_TYPE} from './plugin-types.js'
import {readProject} from './project.js'
import type {DatabaseConnection} from './register-database.js'
import {secondsSince} from './timing.js'
import {ensureVaultBinary} from './vault/install.js'
import {devServerClient, startDevServer, stopDevServer} from './vault/server.js'

export interface DevOptions {
  projectDir: string
  vaultBin?: string
  path?: string
  /** Database plugins: connection settings for the engine's config. */
  database?: DatabaseConnection
  log: (line: string) => void
  /** Compiler output, as the compiler wrote it. */
  logError: (text: string) => void
  /** Resolves when the loop should end (the first Ctrl-C). */
  stop: Promise<void>
}

export interface DevLoop {
  /** Resolves when the loop has ended and cleaned up; rejects at once on a bug in a round. */
  done: Promise<void>
  /** A second Ctrl-C: stop the dev server now if this loop started it, without waiting for the round. */
  forceStop: () => Promise<void>
}

const WATCHED = /(\.go|\/go\.mod|\/go\.sum)$/
const IGNORED = /(^|\/)(\.git|\.vaultkit|node_modules)(\/|$)/
/** Editors write in several steps, and a change during a build waits for it: settle, then build once. */
export const SETTLE_MS = 50

/** Dev server, build, register, smoke; then the same on every source change until stopped. */
export function startDevLoop(options: DevOptions): DevLoop {
  let startedServer = false
  const done = runDevLoop(options, () => {
    startedServer = true
  })
  return {
    done,
    forceStop: async () => {
      if (startedServer) await stopDevServer(options.projectDir)
    },
  }
}

async function runDevLoop(options: DevOptions, onServerStarted: () => void): Promise<void> {
  const {log} = options
  const first = await readProject(options.projectDir)
  const type = PLUGIN_TYPE[first.pluginType]
  const path = options.path ?? type.defaultPath(first.name)
  const vault = await ensureVaultBinary({vaultBin: options.vaultBin, build: true, onProgress: log})
  const {state, alreadyRunning} = await startDevServer(first, vault.path)
  log(`${alreadyRunning ? 'Using' : 'Started'} Vault dev server ${state.addr} (${vault.version})`)
  if (!alreadyRunning) onServerStarted()
  const client = devServerClient(state)
  let watcher: {close: () => Promise<void>} | undefined
  try {
    /** One round; every failure is reported and the loop goes on: the running plugin keeps serving. */
    const round = async (reason: string): Promise<boolean> => {
      const started = performance.now()
      if (reason !== 'ready') log(`… ${reason}: building`)
      try {
        const {built, registered, smoke} = await deploy(client, options.projectDir, {path, database: options.database, onCompilerOutput: options.logError})
        log(`✔ ${reason}: build ${built.seconds} s, register ${registered.seconds} s (${registered.mount}), ${smoke.request} ${smoke.ms} ms, total ${secondsSince(started)} s`)
        log(`  ${smoke.request} -> ${smoke.answer}`)
        return true
      } catch (error) {
        if (!(error instanceof UserError)) throw error
        log(`✖ ${reason}: ${error.message}${error.hint ? ` (${error.hint})` : ''}; the running plugin keeps serving`)
        return false
      }
    }

    if (!(await round('ready'))) log('Fix the problem above and save: the next change tries again.')
    log('')
    log('Use it from another terminal:')
    log(`  eval "$(vaultkit server env --project ${first.dir})"`)
    for (const line of type.usage(path, first.name)) log(`  ${line}`)

    const {watch} = await import('chokidar')
    const fsWatcher = watch(first.dir, {
      ignoreInitial: true,
      ignored: (file) => IGNORED.test(relative(first.dir, file)) || file.startsWith(first.pluginDir),
    })
    watcher = fsWatcher
    const rounds = debouncedRounds(round, SETTLE_MS)
    fsWatcher.on('all', (_event, file) => {
      if (WATCHED.test(`/${relative(first.dir, file)}`)) rounds.request(`changed ${relative(first.dir, file)}`)
    })
    // Said once the watcher is ready, so a save made as soon as it is read is not missed.
    await new Promise<void>((resolve) => fsWatcher.once('ready', () => resolve()))
    log('Watching for changes to Go sources; Ctrl-C to stop.')
    // A bug in a round ends the loop now, not at the next Ctrl-C.
    await Promise.race([options.stop, rounds.failed])
    await rounds.settle()
  } finally {
    await watcher?.close()
    if (!alreadyRunning) {
      await stopDevServer(first.dir)
      log('Stopped the dev server.')
    }
  }
}

/**
 * Runs `round` once per burst of requests: each request restarts a settle timer, and requests made while a
 * round runs make one more round after it. `failed` rejects with the first error a round throws.
 */
export function debouncedRounds(round: (reason: string) => Promise<unknown>, settleMs: number) {
  let pending: string | undefined
  let running: Promise<void> | undefined
  let timer: NodeJS.Timeout | undefined
  let fail: (error: unknown) => void = () => {}
  const failed = new Promise<never>((_, reject) => {
    fail = reject
  })
  failed.catch(() => {}) // observed through `failed` by the caller; not an unhandled rejection meanwhile
  const drain = async () => {
    while (pending) {
      const reason = pending
      pending = undefined
      await round(reason)
    }
  }
  const schedule = () => {
    clearTimeout(timer)
    timer = setTimeout(() => {
      if (running !== undefined) return schedule()
      running = drain()
        .catch(fail)
        .finally(() => {
          running = undefined
        })
    }, settleMs)
  }
  return {
    request(reason: string) {
      pending = reason
      schedule()
    },
    failed,
    /** Stop scheduling and wait for a round in progress. */
    async settle() {
      clearTimeout(timer)
      await running
    },
  }
}
