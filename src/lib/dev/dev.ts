import {relative} from 'node:path'

import {PluginDebugger, ensureDelve} from './delve.js'
import {deploy} from '../registration/deploy.js'
import {describeSmoke} from '../registration/smoke.js'
import {tryCommands} from '../registration/smoke-hints.js'
import {type DeclaredSmoke, projectSmoke} from '../registration/smoke-source.js'
import {ClusterSession} from './cluster-session.js'
import {DevServerSession} from './dev-server.js'
import {UserError} from '../errors.js'
import {PLUGIN_TYPE} from '../project/plugin-types.js'
import {readProject} from '../project/project.js'
import type {ClusterRegisterResult} from '../registration/register-cluster.js'
import type {DatabaseConnection} from '../registration/register-database.js'
import {secondsSince} from '../timing.js'
import {cliCommand} from '../vault/cli-env.js'
import {readClusterState} from '../vault/cluster-state.js'
import {ensureVaultBinary} from '../vault/install/install.js'
import type {LogFilter} from '../vault/plugin-logs.js'

export interface DevOptions {
  projectDir: string
  vaultBin?: string
  path?: string
  /** Database plugins: connection settings for the engine's config. */
  database?: DatabaseConnection
  log: (line: string) => void
  /** Compiler output, as the compiler wrote it. */
  logError: (text: string) => void
  /** Which log lines of the plugin (and of Vault) to show as they are written. */
  logs: LogFilter
  /** Build without optimisations and attach Delve to the plugin after every round, on this port. */
  debugPort?: number
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
/**
 * Editors write in several steps (a few ms apart, or a temp file renamed over), and a change during a build
 * waits for it: settle, then build once. Short, since it adds to every round (bench/dev-loop.js).
 */
export const SETTLE_MS = 20

/** Dev server, build, register, smoke; then the same on every source change until stopped. */
export function startDevLoop(options: DevOptions): DevLoop {
  const opened: {session?: Promise<Session>} = {}
  const done = runDevLoop(options, opened)
  return {
    done,
    // Waits for a server being started: it would otherwise be left running after the exit.
    forceStop: async () => (await opened.session?.catch(() => undefined))?.forceClose(),
  }
}

type Session = ClusterSession | DevServerSession

async function runDevLoop(options: DevOptions, opened: {session?: Promise<Session>}): Promise<void> {
  const {log} = options
  const first = await readProject(options.projectDir)
  const type = PLUGIN_TYPE[first.pluginType]
  const path = options.path ?? type.defaultPath(first.name)
  // Delve before anything starts: without it, --debug stops here.
  const debug = options.debugPort === undefined ? undefined : new PluginDebugger(await ensureDelve(log), options.debugPort)
  let rounds: ReturnType<typeof debouncedRounds> | undefined
  // The project's cluster when it runs one (`server start --nodes N`), else its dev server.
  const cluster = await readClusterState(options.projectDir)
  let server: Session
  if (cluster) {
    opened.session = ClusterSession.open({project: first, logs: options.logs, log}, cluster)
    server = await opened.session
    log(`Using the project's ${cluster.nodes.length}-node raft cluster; it keeps running after plugin dev (\`vaultkit server stop\` ends it)`)
  } else {
    const vault = await ensureVaultBinary({vaultBin: options.vaultBin, build: true, onProgress: log})
    const session = DevServerSession.open({
      project: first,
      vaultBin: vault.path,
      logs: options.logs,
      log,
      onRestart: () => rounds?.request('dev server restarted'),
    })
    opened.session = session
    server = await session
    log(`${server.startedHere ? 'Started' : 'Using'} Vault dev server ${server.state.addr} (${vault.version})`)
  }
  let watcher: {close: () => Promise<void>} | undefined
  try {
    /** One round; every failure is reported and the loop goes on: the running plugin keeps serving. */
    const round = async (reason: string): Promise<boolean> => {
      const started = performance.now()
      const startedAt = Date.now()
      if (reason !== 'ready') log(`… ${reason}: building`)
      // Detached first: a plugin stopped at a breakpoint could not shut down when a reload asks it to.
      await debug?.close()
      try {
        // A reused server's level was just set (sys/loggers): a plugin it already runs logs at the old one until restarted.
        const restart = reason === 'ready' && !server.startedHere
        const deployOptions = {path, database: options.database, onCompilerOutput: options.logError, debug: Boolean(debug), restart}
        const {built, registered, smoke} = await deploy(await server.currentTarget(), options.projectDir, deployOptions)
        log(`✔ ${reason}: build ${built.seconds} s, register ${registered.seconds} s (${registered.mount}), ${smoke.request ?? 'no smoke'} ${smoke.ms} ms, total ${secondsSince(started)} s`)
        if ('nodes' in registered) log(`  ${nodesLine(registered)}`)
        log(`  ${describeSmoke(smoke)}`)
        if (debug) {
          const host = await server.pluginHost(registered)
          log(`  ${await debug.attach(host.vaultPid, host.binary)}`)
        }
        return true
      } catch (error) {
        if (!(error instanceof UserError)) throw error
        log(`✖ ${reason}: ${await server.describeFailure(error, startedAt)}`)
        return false
      }
    }

    if (!(await round('ready'))) log('Fix the problem above and save: the next change tries again.')
    log('')
    log('Use it from another terminal:')
    log(`  eval "$(vaultkit server env --project ${first.dir})"`)
    const vault = cliCommand(server.state.vaultBin)
    for (const line of tryCommands(smokeIfValid(first.dir), {type: first.pluginType, path, name: first.name}, vault)) log(`  ${line}`)

    const {watch} = await import('chokidar')
    const fsWatcher = watch(first.dir, {
      ignoreInitial: true,
      ignored: (file) => IGNORED.test(relative(first.dir, file)) || file.startsWith(first.pluginDir),
    })
    watcher = fsWatcher
    const queue = debouncedRounds(round, SETTLE_MS)
    rounds = queue
    fsWatcher.on('all', (_event, file) => {
      if (WATCHED.test(`/${relative(first.dir, file)}`)) queue.request(`changed ${relative(first.dir, file)}`)
    })
    // Said once the watcher is ready, so a save made as soon as it is read is not missed.
    await new Promise<void>((resolve) => fsWatcher.once('ready', () => resolve()))
    log('Watching for changes to Go sources; Ctrl-C to stop.')
    // A bug in a round ends the loop now, not at the next Ctrl-C.
    await Promise.race([options.stop, queue.failed])
    await queue.settle()
  } finally {
    await watcher?.close()
    await debug?.close()
    await server.close()
  }
}

/** What each node of a cluster got: `<binary>_v0.1.0: node-1 active linked, node-2 standby linked, node-3 down linked (…)`. */
function nodesLine(registered: ClusterRegisterResult): string {
  const nodes = registered.nodes.map((node) => `${node.id} ${node.role} ${node.binary}`).join(', ')
  return `${registered.command}: ${nodes}${registered.down.length > 0 ? ` (${registered.down.join(', ')} down: \`vaultkit server start\` brings it back with this build)` : ''}`
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

/** The kind's smoke for the commands printed once; a broken template.json is already reported by the round. */
function smokeIfValid(projectDir: string): DeclaredSmoke | undefined {
  try {
    return projectSmoke(projectDir)
  } catch (error) {
    if (error instanceof UserError) return undefined
    throw error
  }
}
