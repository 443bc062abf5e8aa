/** How every template is compiled, at build time (precompiled) and at run time alike. */
export const COMPILE_OPTIONS = {noEscape: true, strict: true} as const

/**
 * What a precompiled template is found by: its length and a 32-bit hash of its UTF-8 bytes, mixed a word at
 * a time (MurmurHash2's step). An edited template gets another key and is compiled at render; keying by the
 * text itself would ship every template twice (the text is also inside its compiled code). No crypto here:
 * loading node:crypto alone takes longer than all of plugin new's rendering.
 */
export function templateKey(source: string): string {
  const bytes = new Uint8Array((source.length * 3 + 3) & ~3)
  const {written} = encoder.encodeInto(source, bytes)
  const words = new Int32Array(bytes.buffer, 0, (written + 3) >> 2)
  let hash = written
  for (const word of words) {
    hash = Math.imul(hash ^ word, 0x5bd1e995)
    hash ^= hash >>> 15
  }
  return `${source.length}:${(hash >>> 0).toString(36)}`
}

const encoder = new TextEncoder()
