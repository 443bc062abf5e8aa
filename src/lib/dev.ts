import {watch} from 'node:fs'

import {buildPlugin} from './build.js'
import {UserError} from './errors.js'
import type {PluginProject} from './project.js'
import {registerPlugin} from './register.js'
import type {DatabaseConnection} from './register-database.js'
import {smokeTest} from './smoke.js'
import {VaultClient} from './vault/client.js'
import {ensureVaultBinary} from './vault/install.js'
import {startDevServer, stopDevServer} from './vault/server.js'

export interface DevOptions {
  project: PluginProject
  vaultBin?: string
  path?: string
  /** Database plugins: connection settings for the engine's config. */
  database?: DatabaseConnection
  log: (line: string) => void
  /** Compiler output, as the compiler wrote it. */
  logError: (text: string) => void
  /** Resolves when the loop should end (Ctrl-C). */
  stop: Promise<void>
}

const USAGE: Record<PluginProject['pluginType'], (path: string) => string[]> = {
  secret: (path) => [`vault read ${path}/hello`, `curl -s -H "X-Vault-Token: $VAULT_TOKEN" $VAULT_ADDR/v1/${path}/hello`],
  auth: (path) => [
    `vault write auth/${path}/users/alice password=changeme policies=default`,
    `vault write auth/${path}/login username=alice password=changeme`,
  ],
  database: (path) => [`vault read ${path}/creds/<plugin name>`],
}

const WATCHED = /(\.go|go\.mod|go\.sum)$/
const IGNORED = /^(\.git|\.vaultkit|vault)(\/|$)/

/** Dev server, build, register, smoke; then the same on every source change until stopped. */
export async function runDevLoop(options: DevOptions): Promise<void> {
  const {project, log} = options
  const path = options.path ?? (project.pluginType === 'database' ? 'database' : project.name)
  const vault = await ensureVaultBinary({vaultBin: options.vaultBin, build: true, onProgress: log})
  const {state, alreadyRunning} = await startDevServer(project, vault.path)
  log(`${alreadyRunning ? 'Using' : 'Started'} Vault dev server ${state.addr} (${vault.version})`)
  const client = new VaultClient({addr: state.addr, token: state.token, source: 'the dev server'})

  const cycle = async (reason: string): Promise<boolean> => {
    const started = performance.now()
    let built
    try {
      built = await buildPlugin(project, options.logError)
    } catch (error) {
      if (!(error instanceof UserError)) throw error
      log(`✖ ${reason}: ${error.message}; the running plugin keeps serving`)
      return false
    }
    const registered = await registerPlugin(client, {
      type: project.pluginType,
      name: project.name,
      version: built.version,
      binary: built.path,
      sha256: built.sha256,
      path,
      database: options.database,
    })
    const smoke = await smokeTest(client, project.pluginType, path, project.name).catch((error: Error) => ({request: 'smoke request', answer: `failed: ${error.message}`, ms: 0}))
    const total = ((performance.now() - started) / 1000).toFixed(2)
    log(`✔ ${reason}: build ${built.seconds} s, register ${registered.seconds} s (${registered.mount}), ${smoke.request} ${smoke.ms} ms, total ${total} s`)
    log(`  ${smoke.request} -> ${smoke.answer}`)
    return true
  }

  await cycle('ready')
  log('')
  log('Use it from another terminal:')
  log(`  eval "$(vaultkit server env --project ${project.dir})"`)
  for (const line of USAGE[project.pluginType](path)) log(`  ${line}`)
  log('Watching for changes to Go sources; Ctrl-C to stop.')

  let pending: string | undefined
  let running: Promise<void> | undefined
  let timer: NodeJS.Timeout | undefined
  const runPending = async () => {
    while (pending) {
      const reason = pending
      pending = undefined
      await cycle(reason)
    }
    running = undefined
  }
  const watcher = watch(project.dir, {recursive: true}, (_event, file) => {
    if (!file || IGNORED.test(file) || !WATCHED.test(file)) return
    pending = `changed ${file}`
    clearTimeout(timer)
    // Editors write a file in several steps; wait for them to settle before building.
    timer = setTimeout(() => {
      running ??= runPending()
    }, 50)
  })
  await options.stop
  watcher.close()
  clearTimeout(timer)
  await running
  if (!alreadyRunning) {
    await stopDevServer(project.dir)
    log('Stopped the dev server.')
  }
}
