import {type ResultPromise, execa} from 'execa'

import {BIN} from './helpers.js'

// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the terminal's escape sequences, to strip
const ANSI = /\u001B\[[0-9;?]*[ -/]*[@-~]|\u001B[()][A-Z0-9]|\u001B[=>]/g

/** The CLI in a real pseudo-terminal (util-linux `script`), typed at like a person would. */
export class Terminal {
  private output = ''
  private readonly child: ResultPromise

  constructor(args: string[], cwd: string) {
    const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(' ')
    this.child = execa('script', ['--quiet', '--return', '--command', `stty cols 120 rows 40; exec ${quoted}`, '/dev/null'], {
      cwd,
      reject: false,
      env: {NO_COLOR: '1', TERM: 'xterm'},
    })
    this.child.stdout?.on('data', (chunk: Buffer) => {
      this.output += chunk.toString('utf8')
    })
  }

  /** Everything the terminal has shown, escape codes removed. */
  get screen(): string {
    return this.output.replaceAll(ANSI, '')
  }

  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (!pattern.test(this.screen)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; the terminal shows:\n${this.screen}`)
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
  }

  /** Types `text` one key at a time, as a person would. */
  async type(text: string): Promise<void> {
    for (const key of text) {
      this.child.stdin?.write(key)
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  }

  async exit(): Promise<number | undefined> {
    const result = await this.child
    return result.exitCode
  }
}
