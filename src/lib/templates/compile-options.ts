/** How every template is compiled, at build time (precompiled) and at run time alike. */
export const COMPILE_OPTIONS = {noEscape: true, strict: true} as const

/**
 * What a precompiled template is found by: its length and a 32-bit FNV-1a hash of its text. An edited
 * template gets another key and is compiled at render; keying by the text itself would ship every template
 * twice (the text is also inside its compiled code).
 */
export function templateKey(source: string): string {
  let hash = 0x811c9dc5
  for (let i = 0; i < source.length; i++) {
    hash ^= source.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return `${source.length}:${(hash >>> 0).toString(36)}`
}
