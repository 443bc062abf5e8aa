import {readlink} from 'node:fs/promises'

import type {UserError} from '../errors.js'
import {processesWhere} from './processes.js'
import type {PluginProject} from '../project/project.js'
import type {VaultClient} from '../vault/client.js'
import {type Follower, type LogFilter, type LogLine, serverLogLevel, startPluginLogs} from '../vault/plugin-logs.js'
import {devServerClient, isOurServer, startDevServer, stopDevServer} from '../vault/server.js'
import type {ServerState} from '../vault/state.js'

export interface DevServerOptions {
  project: PluginProject
  vaultBin: string
  logs: LogFilter
  log: (line: string) => void
  /** A new server replaced one that died: everything must be registered again. */
  onRestart: () => void
}

/**
 * The dev server a `plugin dev` loop runs against: started or reused, its plugin's log lines followed, and
 * started again when it dies under the loop (killed, out of memory), since a dev server keeps nothing.
 */
export class DevServerSession {
  private follower?: Follower
  /** The plugin's latest stderr and error lines, to quote when a round fails. */
  private said: {at: number; text: string}[] = []
  private watchdog?: NodeJS.Timeout
  private restarting?: Promise<void>
  private constructor(
    private readonly options: DevServerOptions,
    public state: ServerState,
    public client: VaultClient,
    /** Whether this loop started the server it now runs against (and so stops it at the end). */
    public startedHere: boolean,
  ) {}

  static async open(options: DevServerOptions): Promise<DevServerSession> {
    const {state, alreadyRunning} = await startDevServer(options.project, options.vaultBin, serverLogLevel(options.logs.level))
    const session = new DevServerSession(options, state, devServerClient(state), !alreadyRunning)
    session.follower = await startPluginLogs(session.client, state, options.project.binaryName, options.logs, alreadyRunning, options.log, session.remember)
    session.watchdog = setInterval(() => void session.check(), 500)
    return session
  }

  private readonly remember = (line: LogLine) => {
    if (!line.continuation && (line.stderr || line.level === 'error')) this.said = [...this.said.slice(-19), {at: Date.now(), text: line.text}]
  }

  /**
   * A failed round in one line, and what still serves. A plugin that did not start gets Vault's long go-plugin explanation replaced by
   * what the plugin itself said: its stderr, its exit status, or what it printed before the handshake.
   */
  async describeFailure(error: UserError, since: number): Promise<string> {
    await this.follower?.flush()
    // Vault tries to start a plugin more than once: each thing it said, once.
    const said = [...new Set(this.said.filter((line) => line.at >= since).map((line) => line.text.trim()))]
    const exit = said.map((text) => /^plugin process exited: .*error="(exit status \d+)"/.exec(text)?.[1]).findLast(Boolean)
    const stderr = clip(said.filter((text) => !text.startsWith('plugin process exited')).join(' | '))
    const stdout = /Unrecognized remote plugin message: ([^\n;]+)/.exec(error.message)?.[1]?.trim()
    if (NOT_STARTED.test(error.message)) {
      const wrote = [stdout && `printed "${clip(stdout)}" on stdout before go-plugin's handshake`, stderr && `wrote on stderr: ${stderr}`].filter(Boolean)
      const what = wrote.length > 0 ? wrote.join('; it ') : 'wrote nothing on stderr'
      return `the plugin did not start${exit ? ` (${exit})` : ''}: it ${what}; the mount answers with errors until a save fixes it`
    }
    const quoted = stderr ? `; the plugin wrote: ${stderr}` : ''
    return `${error.message}${error.hint ? ` (${error.hint})` : ''}${quoted}; the running plugin keeps serving`
  }

  private async check(): Promise<void> {
    if (this.restarting || isOurServer(this.state)) return
    const {pid} = this.state
    this.restarting = (async () => {
      this.options.log(`✖ The dev server (pid ${pid}) is gone; starting a new one. A dev server keeps everything in memory: what was written to it is lost.`)
      await this.follower?.close()
      await killOrphanedPlugins(this.state.pluginDir)
      const {state} = await startDevServer(this.options.project, this.options.vaultBin, serverLogLevel(this.options.logs.level))
      this.state = state
      this.client = devServerClient(state)
      this.startedHere = true
      this.follower = await startPluginLogs(this.client, state, this.options.project.binaryName, this.options.logs, false, this.options.log, this.remember)
      this.options.log(`Started Vault dev server ${state.addr}`)
      this.options.onRestart()
    })()
      .catch((error: unknown) => {
        // Not tried again every half second: the next plugin dev run starts one, or says why it cannot.
        clearInterval(this.watchdog)
        this.options.log(`✖ The dev server could not be started again: ${(error as Error).message}; stop plugin dev and run it again`)
      })
      .finally(() => {
        this.restarting = undefined
      })
  }

  async close(): Promise<void> {
    clearInterval(this.watchdog)
    await this.restarting
    await this.follower?.close()
    if (this.startedHere) {
      await stopDevServer(this.options.project.dir)
      this.options.log('Stopped the dev server.')
    }
  }
}

/** A killed Vault leaves its plugin processes running, adopted by init (or a subreaper): they serve nobody now. */
async function killOrphanedPlugins(pluginDir: string): Promise<void> {
  for (const plugin of await processesWhere((exe) => exe.startsWith(`${pluginDir}/`))) {
    const parent = await readlink(`/proc/${plugin.ppid}/exe`).catch(() => '')
    if (!/\/(vault|bao)$/.test(parent)) process.kill(plugin.pid, 'SIGKILL')
  }
}

// go-plugin's words for a plugin process that exited or talked nonsense before its handshake.
const NOT_STARTED = /Unrecognized remote plugin message|plugin exited before we could connect|failed to negotiate the initial go-plugin protocol handshake/

const clip = (text: string) => (text.length > 300 ? `${text.slice(0, 300)}...` : text)
