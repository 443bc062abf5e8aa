import type {UserError} from '../errors.js'
import type {LogLine} from '../vault/plugin-logs.js'

/** The plugin's latest stderr and error lines (of every node on a cluster), to quote when a round fails. */
export class PluginSaid {
  private said: {at: number; text: string}[] = []

  readonly remember = (line: LogLine) => {
    if (!line.continuation && (line.stderr || line.level === 'error')) this.said = [...this.said.slice(-19), {at: Date.now(), text: line.text}]
  }

  /**
   * A failed round in one line, and what still serves. A plugin that did not start gets Vault's long go-plugin explanation replaced by
   * what the plugin itself said: its stderr, its exit status, or what it printed before the handshake.
   */
  describeFailure(error: UserError, since: number): string {
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
}

// go-plugin's words for a plugin process that exited or talked nonsense before its handshake.
const NOT_STARTED = /Unrecognized remote plugin message|plugin exited before we could connect|failed to negotiate the initial go-plugin protocol handshake/

const clip = (text: string) => (text.length > 300 ? `${text.slice(0, 300)}...` : text)
