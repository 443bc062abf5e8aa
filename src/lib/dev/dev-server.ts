import {join} from 'node:path'

import type {UserError} from '../errors.js'
import {endOrphanedPlugins} from '../vault/processes.js'
import type {PluginProject} from '../project/project.js'
import type {DeployTarget} from '../registration/deploy.js'
import type {RegisterResult} from '../registration/register.js'
import {PluginSaid} from './round-failure.js'
import type {VaultClient} from '../vault/client.js'
import {type Follower, type LogFilter, serverLogLevel, startPluginLogs} from '../vault/plugin-logs.js'
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
  private readonly said = new PluginSaid()
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
    session.follower = await startPluginLogs(session.client, state, options.project.binaryName, options.logs, alreadyRunning, options.log, session.said.remember)
    session.watchdog = setInterval(() => void session.check(), 500)
    return session
  }

  /** Where this round deploys: the server running now (a new one after a restart). */
  async currentTarget(): Promise<DeployTarget> {
    return {client: this.client}
  }

  /** The Vault process that runs the plugin, and the plugin's file there (for Delve). */
  async pluginHost(registered: Pick<RegisterResult, 'command'>): Promise<{vaultPid: number; binary: string}> {
    return {vaultPid: this.state.pid, binary: join(this.state.pluginDir, registered.command)}
  }

  async describeFailure(error: UserError, since: number): Promise<string> {
    await this.follower?.flush()
    return this.said.describeFailure(error, since)
  }

  private async check(): Promise<void> {
    if (this.restarting || isOurServer(this.state)) return
    const {pid} = this.state
    this.restarting = (async () => {
      this.options.log(`✖ The dev server (pid ${pid}) is gone; starting a new one. A dev server keeps everything in memory: what was written to it is lost.`)
      await this.follower?.close()
      await endOrphanedPlugins(this.state.pluginDir)
      const {state} = await startDevServer(this.options.project, this.options.vaultBin, serverLogLevel(this.options.logs.level))
      this.state = state
      this.client = devServerClient(state)
      this.startedHere = true
      this.follower = await startPluginLogs(this.client, state, this.options.project.binaryName, this.options.logs, false, this.options.log, this.said.remember)
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

  /**
   * A second Ctrl-C, while the loop winds down: stop the server now if this loop started it. The watchdog
   * goes first, so the server stopped here is not taken for one that died; a restart under way is awaited,
   * since the server it starts is this loop's to stop.
   */
  async forceClose(): Promise<void> {
    clearInterval(this.watchdog)
    await this.restarting
    if (this.startedHere) await stopDevServer(this.options.project.dir)
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

