import {Chalk} from 'chalk'

/** chalk, but off when NO_COLOR is set (https://no-color.org), which chalk itself does not read. */
export const color = new Chalk(process.env.NO_COLOR ? {level: 0} : {})

export function formatBytes(size: number): string {
  return size < 1024 ? `${size} B` : `${(size / 1024).toFixed(1)} KiB`
}

/** A path or word as a POSIX shell reads it back, quoted only when it must be. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`
}
