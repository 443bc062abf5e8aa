/** Where long work reports itself: a line redrawn in place in a terminal, a line every few seconds in a log. */
export interface Progress {
  /** The current state, e.g. "412/1536 packages"; shown at once in a terminal, throttled without one. */
  update(text: string): void
  /** Clears the live line (in a terminal) and prints `line`, if given, as a lasting one. */
  done(line?: string): void
}

export interface ProgressStream {
  write(text: string): unknown
  isTTY?: boolean
}

export function createProgress(stream: ProgressStream, options: {intervalMs?: number; now?: () => number} = {}): Progress {
  const now = options.now ?? (() => performance.now())
  const terminal = Boolean(stream.isTTY)
  // A terminal redraws ten times a second at most; a log (CI, a pipe) gets a line every five seconds.
  const interval = options.intervalMs ?? (terminal ? 100 : 5000)
  let last: number | undefined
  let shown = false
  return {
    update(text) {
      const at = now()
      if (last === undefined && !terminal) last = at
      if (last !== undefined && at - last < interval) return
      last = at
      if (terminal) {
        stream.write(`\r\x1b[K${text}`)
        shown = true
      } else {
        stream.write(`${text}\n`)
      }
    },
    done(line) {
      if (shown) stream.write('\r\x1b[K')
      shown = false
      if (line) stream.write(`${line}\n`)
    },
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} kB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

export function formatSeconds(seconds: number): string {
  const s = Math.max(0, Math.round(seconds))
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
}

/** `[#####.....]` for a fraction from 0 to 1. */
export function bar(fraction: number, width = 20): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width)
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`
}
