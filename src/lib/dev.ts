import {relative} from 'node:path'

import {buildPlugin} from './build.js'
import {UserError} from './errors.js'
import {type PluginProject, readProject} from './project.js'
import {defaultPath, registerPlugin} from './register.js'
import type {DatabaseConnection} from './register-database.js'
import {smokeTest} from './smoke.js'
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

const USAGE: Record<PluginProject['pluginType'], (path: string, name: string) => string[]> = {
  secret: (path) => [`vault read ${path}/hello`, `curl -s -H "X-Vault-Token: $VAULT_TOKEN" $VAULT_ADDR/v1/${path}/hello`],
  auth: (path) => [
    `vault write auth/${path}/users/alice password=changeme policies=default`,
    `vault write auth/${path}/login username=alice password=changeme`,
    `curl -s -X POST -d '{"username":"alice","password":"changeme"}' $VAULT_ADDR/v1/auth/${path}/login`,
  ],
  database: (path, name) => [`vault read ${path}/creds/${name}`, `curl -s -H "X-Vault-Token: $VAULT_TOKEN" $VAULT_ADDR/v1/${path}/creds/${name}`],
}

const WATCHED = /(\.go|\/go\.mod|\/go\.sum)$/
const IGNORED = /(^|\/)(\.git|\.vaultkit|node_modules)(\/|$)/

/** Dev server, build, register, smoke; then the same on every source change until stopped. */
export async function runDevLoop(options: DevOptions): Promise<void> {
  const {log} = options
  const first = await readProject(options.projectDir)
  const path = options.path ?? defaultPath(first.pluginType, first.name)
  const vault = await ensureVaultBinary({vaultBin: options.vaultBin, build: true, onProgress: log})
  const {state, alreadyRunning} = await startDevServer(first, vault.path)
  log(`${alreadyRunning ? 'Using' : 'Started'} Vault dev server ${state.addr} (${vault.version})`)
  if (!alreadyRunning) startedHere.add(options.projectDir)
  const client = devServerClient(state)
  let watcher: {close: () => Promise<void>} | undefined
  try {
    /** One round; every failure is reported and the loop goes on: the running plugin keeps serving. */
    const cycle = async (reason: string): Promise<boolean> => {
      const started = performance.now()
      try {
        // Read again each time: an edit to version/version.go is a new version to register.
        const project = await readProject(options.projectDir)
        const built = await buildPlugin(project, options.logError)
        const registered = await registerPlugin(client, {
          type: project.pluginType,
          name: project.name,
          version: built.version,
          binary: built.path,
          sha256: built.sha256,
          path,
          database: options.database,
        })
        const smoke = await smokeTest(client, project.pluginType, path, project.name)
        const total = ((performance.now() - started) / 1000).toFixed(2)
        log(`✔ ${reason}: build ${built.seconds} s, register ${registered.seconds} s (${registered.mount}), ${smoke.request} ${smoke.ms} ms, total ${total} s`)
        log(`  ${smoke.request} -> ${smoke.answer}`)
        return true
      } catch (error) {
        if (!(error instanceof UserError)) throw error
        log(`✖ ${reason}: ${error.message}${error.hint ? ` (${error.hint})` : ''}; the running plugin keeps serving`)
        return false
      }
    }

    if (!(await cycle('ready'))) log('Fix the problem above and save: the next change tries again.')
    log('')
    log('Use it from another terminal:')
    log(`  eval "$(vaultkit server env --project ${first.dir})"`)
    for (const line of USAGE[first.pluginType](path, first.name)) log(`  ${line}`)

    let pending: string | undefined
    let running: Promise<void> | undefined
    let timer: NodeJS.Timeout | undefined
    let failure: unknown
    const drain = async () => {
      while (pending) {
        const reason = pending
        pending = undefined
        await cycle(reason)
      }
    }
    const schedule = () => {
      clearTimeout(timer)
      // Editors write in several steps, and a change during a build waits for it: settle, then build once.
      timer = setTimeout(() => {
        if (running) return schedule()
        running = drain()
          .catch((error: unknown) => {
            failure = error
          })
          .finally(() => {
            running = undefined
          })
      }, 50)
    }
    const {watch} = await import('chokidar')
    const fsWatcher = watch(first.dir, {
      ignoreInitial: true,
      ignored: (file) => IGNORED.test(relative(first.dir, file)) || file.startsWith(first.pluginDir),
    })
    watcher = fsWatcher
    fsWatcher.on('all', (_event, file) => {
      if (!WATCHED.test(`/${relative(first.dir, file)}`)) return
      pending = `changed ${relative(first.dir, file)}`
      schedule()
    })
    // Said once the watcher is ready, so a save made as soon as it is read is not missed.
    await new Promise<void>((resolve) => fsWatcher.once('ready', () => resolve()))
    log('Watching for changes to Go sources; Ctrl-C to stop.')
    await options.stop
    clearTimeout(timer)
    await running
    if (failure) throw failure
  } finally {
    await watcher?.close()
    if (!alreadyRunning) {
      await stopDevServer(first.dir)
      log('Stopped the dev server.')
    }
  }
}

/** A second Ctrl-C: stop the dev server now if this loop started it (its state says so), then exit. */
export async function forceStop(projectDir: string): Promise<void> {
  if (startedHere.has(projectDir)) await stopDevServer(projectDir)
}

const startedHere = new Set<string>()
