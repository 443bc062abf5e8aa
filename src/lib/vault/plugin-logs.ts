import {open, stat} from 'node:fs/promises'
import {basename} from 'node:path'

import {LOG_LEVELS, type LogLevel} from '../dev/log-levels.js'
import {color} from '../cli/output.js'
import type {VaultClient} from './client.js'
import type {ServerState} from './state.js'

/**
 * A plugin's own log lines, picked out of a Vault server's log.
 *
 * Vault reads a plugin's stderr through go-plugin, which logs each line again under the logger of the mount
 * that started the plugin, named after the binary:
 *   `<time> [INFO]  secrets.hello.hello_72db2dc4.hello.vault-plugin-secrets-hello: hello requested: path=hello timestamp=<time>`
 * A line the plugin wrote as hclog JSON (the SDK's logger) keeps its level and gets a `timestamp=` pair; any
 * other stderr line (a panic and its stack trace, fmt.Fprintln(os.Stderr), a database plugin's plain hclog
 * output) is logged at DEBUG as written. So a plugin line is one whose logger name has the binary's name as
 * its last part, and its raw stderr reaches the log only when Vault logs at debug (see serverLogLevel).
 */

export {LOG_LEVELS, type LogLevel}

export interface LogLine {
  source: 'plugin' | 'vault'
  level: LogLevel
  /** A plugin stderr line that was not a log entry: a panic, its stack trace, a print. Always shown. */
  stderr: boolean
  /** `14:40:00.123`, or '' for a continuation line. */
  time: string
  /** The Vault logger's name (Vault's own lines only). */
  name: string
  text: string
  /** A later line of a multi-line entry: shown or not with its first line. */
  continuation: boolean
}

export interface LogFilter {
  level: LogLevel
  /** Vault's own lines too (at the same level). */
  vaultLogs: boolean
}

const rank = (level: LogLevel) => LOG_LEVELS.indexOf(level)

/** The level the dev server logs at: a plugin's raw stderr (panics) is logged at debug, so never above it. */
export function serverLogLevel(level: LogLevel): LogLevel {
  return rank(level) < rank('debug') ? level : 'debug'
}

// hclog's standard format: time, bracketed level padded to 7, the logger name, then the message.
const ENTRY = /^(\d{4}-\d\d-\d\dT(\d\d:\d\d:\d\d(?:\.\d+)?)\S*) \[(TRACE|DEBUG|INFO|WARN|ERROR)\] ?\s(.*)$/
// go-plugin infers a level from lines that start with one (its "[INFO] ..." convention).
const BRACKET = /^\[(TRACE|DEBUG|INFO|WARN|ERROR)\]\s*(.*)$/
const GO_PLUGIN_CHATTER = /^(configuring server automatic mTLS|plugin address)(:|$)/
// The pair go-plugin appends to every line it parsed as the plugin's JSON log.
const FROM_JSON = /(?:^|\s)timestamp=\d{4}-\d\d-\d\dT\S+$/

/**
 * A reader of a Vault log, line by line (it keeps which entry a continuation line belongs to).
 * `binaryName` is the plugin's binary; a versioned file name (`<binary>_v0.2.0`) counts as the same plugin.
 */
export function createLogReader(binaryName: string): (line: string) => LogLine {
  const isPluginLogger = (name: string) => {
    const last = name.lastIndexOf(`.${binaryName}`)
    const at = last >= 0 ? last + 1 : name === binaryName || name.startsWith(`${binaryName}_`) ? 0 : -1
    if (at < 0) return false
    const rest = name.slice(at + binaryName.length)
    return rest === '' || /^_[\w.+-]*$/.test(rest)
  }
  // go-plugin's own lines about the process ("plugin process exited", "starting plugin") name it by path.
  const namesBinary = (text: string) =>
    /(?:^|\s)(?:plugin|path)=(\S+)/.exec(text)?.[1]?.split('/').at(-1)?.match(new RegExp(`^${escapeRegExp(binaryName)}(_[\\w.+-]*)?$`)) != null
  let previous: LogLine | undefined

  return (line) => {
    const entry = ENTRY.exec(line)
    if (!entry) {
      // hclog writes a multi-line value on the lines after its entry, each starting with two spaces.
      const base = previous ?? {source: 'vault' as const, level: 'info' as const, stderr: false, name: ''}
      return {...base, time: '', text: line, continuation: true}
    }
    const [, , time, bracket, rest] = entry
    const level = bracket!.toLowerCase() as LogLevel
    const named = /^([^\s:]+):(?: (.*))?$/.exec(rest!)
    const name = named?.[1] ?? ''
    const message = named ? (named[2] ?? '') : rest!
    let result: LogLine
    if (named && isPluginLogger(name)) result = pluginLine(level, time!, message)
    else if (namesBinary(rest!)) {
      // A clean exit is Vault's version probe or a reload ending the old process: not news at info.
      const quiet = level === 'info' && /^plugin process exited:/.test(message) && !/ error=/.test(message)
      result = {source: 'plugin', level: quiet ? 'debug' : level, stderr: false, time: time!, name: '', text: message, continuation: false}
    }
    else result = {source: 'vault', level, stderr: false, time: time!, name, text: message, continuation: false}
    previous = result
    return result
  }
}

function pluginLine(level: LogLevel, time: string, message: string): LogLine {
  const line = {source: 'plugin' as const, level, stderr: false, time, name: '', continuation: false}
  if (FROM_JSON.test(message)) {
    const text = message.replace(FROM_JSON, '').replace(/:$/, '')
    // go-plugin's own start-up lines inside the plugin, on every reload: not the author's, so debug.
    return {...line, level: GO_PLUGIN_CHATTER.test(text) ? 'debug' : level, text}
  }
  if (level !== 'debug') return {...line, text: message}
  // Raw stderr: a plain hclog line (database plugins log this way) or a bracketed one keeps its own level.
  const inner = ENTRY.exec(message)
  if (inner) return {...line, level: inner[3]!.toLowerCase() as LogLevel, text: inner[4]!}
  const bracketed = BRACKET.exec(message)
  if (bracketed) return {...line, level: bracketed[1]!.toLowerCase() as LogLevel, text: bracketed[2]!}
  return {...line, stderr: true, text: message}
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

export function shouldShow(line: LogLine, filter: LogFilter): boolean {
  if (line.source === 'vault' && !filter.vaultLogs) return false
  return line.stderr || rank(line.level) >= rank(filter.level)
}

const LEVEL_COLOR: Record<LogLevel, (text: string) => string> = {
  trace: color.gray,
  debug: color.cyan,
  info: color.green,
  warn: color.yellow,
  error: color.red,
}

/** `14:40:00.123 INFO  hello requested: path=hello`; Vault's own lines dimmed and named. */
export function formatLogLine(line: LogLine): string {
  if (line.continuation) return `${' '.repeat(19)}${line.source === 'vault' ? color.dim(line.text) : line.text}`
  const time = color.dim(line.time.padEnd(12))
  if (line.stderr) return `${time} ${color.red('STDERR')} ${line.text}`
  const level = LEVEL_COLOR[line.level](line.level.toUpperCase().padEnd(6))
  if (line.source === 'vault') return `${time} ${level}${color.dim(`vault ${line.name ? `${line.name}: ` : ''}${line.text}`)}`
  return `${time} ${level}${line.text}`
}

export interface FollowOptions {
  /** Where to start: a byte offset (the dev loop: what happens from now on), or the beginning. */
  from: number
  /** Keep reading as the file grows (and from the top when it is truncated or replaced); else stop at its end. */
  follow: boolean
  onLine: (line: string) => void
  intervalMs?: number
}

export interface Follower {
  /** Resolves once the file has been read to its end (without follow), or after close(). */
  done: Promise<void>
  /** Reads what has been written so far now, rather than at the next poll. */
  flush: () => Promise<void>
  close: () => Promise<void>
}

/** Reads a log file line by line as it is written, polling (a dev server restart truncates it in place). */
export function followFile(file: string, options: FollowOptions): Follower {
  let closed = false
  let wake: (() => void) | undefined
  const passed: (() => void)[] = []
  let finished = false
  let hurry = false
  const done = (async () => {
    let offset = -1
    let inode = -1
    let partial = ''
    for (;;) {
      const info = await stat(file).catch(() => undefined)
      if (info) {
        if (offset < 0) offset = Math.min(options.from, info.size)
        if (info.ino !== inode && inode >= 0) offset = 0
        if (info.size < offset) offset = 0
        inode = info.ino
        if (info.size > offset) {
          const handle = await open(file, 'r')
          try {
            const buffer = Buffer.alloc(info.size - offset)
            const {bytesRead} = await handle.read(buffer, 0, buffer.length, offset)
            offset += bytesRead
            const lines = (partial + buffer.subarray(0, bytesRead).toString('utf8')).split('\n')
            partial = lines.pop()!
            for (const line of lines) options.onLine(line)
          } finally {
            await handle.close()
          }
        }
      } else if (offset < 0) {
        offset = 0
      }
      for (const resolve of passed.splice(0)) resolve()
      if (closed || !options.follow) break
      if (hurry) {
        hurry = false
        continue
      }
      await new Promise<void>((resolve) => {
        wake = resolve
        setTimeout(resolve, options.intervalMs ?? 100)
      })
      if (closed) break
    }
    if (partial && !options.follow) options.onLine(partial)
    finished = true
    while (passed.length > 0) for (const resolve of passed.splice(0)) resolve()
  })()
  return {
    done,
    flush: () =>
      new Promise<void>((resolve) => {
        if (finished) return resolve()
        // A pass under way may have read before this call: wait for the end of the one after it.
        passed.push(() => {
          passed.push(resolve)
          hurry = true
        })
        wake?.()
      }),
    close: async () => {
      closed = true
      wake?.()
      await done
    },
  }
}

export interface PluginLogOptions extends LogFilter {
  file: string
  binaryName: string
  from: number
  follow: boolean
  print: (text: string) => void
  /** Every plugin line, shown or not. */
  onPluginLine?: (line: LogLine) => void
}

/** The plugin's lines of a Vault log (and Vault's own, if asked), formatted, as they are written. */
export function followPluginLogs(options: PluginLogOptions): Follower {
  const read = createLogReader(basename(options.binaryName))
  let showing = false
  return followFile(options.file, {
    from: options.from,
    follow: options.follow,
    onLine: (raw) => {
      const line = read(raw)
      if (line.source === 'plugin') options.onPluginLine?.(line)
      if (!line.continuation) showing = shouldShow(line, options)
      if (showing && (line.text || !line.continuation)) options.print(formatLogLine(line))
    },
  })
}

/**
 * Sets a running server's log level (sys/loggers, Vault 1.13+), for a dev server started earlier at another
 * level. Loggers of plugin processes already running keep theirs until they restart (the next reload).
 */
export async function setServerLogLevel(client: VaultClient, level: LogLevel): Promise<void> {
  await client.post('sys/loggers', {level: serverLogLevel(level)})
}

/** The dev loop's view: the plugin's lines from now on, printed as they come; a reused server set to the level. */
export async function startPluginLogs(
  client: VaultClient,
  state: Pick<ServerState, 'logFile'>,
  binaryName: string,
  filter: LogFilter,
  reused: boolean,
  print: (text: string) => void,
  onPluginLine?: (line: LogLine) => void,
): Promise<Follower> {
  if (reused) await setServerLogLevel(client, filter.level)
  const from = reused ? ((await stat(state.logFile).catch(() => undefined))?.size ?? 0) : 0
  return followPluginLogs({...filter, file: state.logFile, binaryName, from, follow: true, print, onPluginLine})
}
