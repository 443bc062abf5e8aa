// Template helpers. Each is a plain function so it can be unit-tested without Handlebars.

/** Splits "my-plugin", "myPlugin", "my_plugin" or "My Plugin" into lowercase words. */
export function words(input: string): string[] {
  return input
    .replaceAll(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase())
}

const capitalize = (w: string) => w.charAt(0).toUpperCase() + w.slice(1)

export const pascalCase = (input: string) => words(input).map(capitalize).join('')
export const camelCase = (input: string) => {
  const pascal = pascalCase(input)
  return pascal.charAt(0).toLowerCase() + pascal.slice(1)
}
export const snakeCase = (input: string) => words(input).join('_')
export const kebabCase = (input: string) => words(input).join('-')
export const constantCase = (input: string) => snakeCase(input).toUpperCase()
export const lowerCase = (input: string) => input.toLowerCase()
export const upperCase = (input: string) => input.toUpperCase()

const SIMPLE_ESCAPES: Record<string, string> = {'"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t'}
// Controls, format characters (U+FEFF, which Go refuses inside source, zero-width spaces...) and line
// separators are written as escapes, so what renders is both valid Go and visible to a reader.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u

/** A Go interpreted string literal holding `input` exactly; lone surrogates, which Go rejects, become U+FFFD. */
export function goString(input: string): string {
  let literal = '"'
  for (const char of input.toWellFormed()) {
    const code = char.codePointAt(0)!
    if (SIMPLE_ESCAPES[char]) literal += SIMPLE_ESCAPES[char]
    else if (INVISIBLE.test(char)) literal += code > 0xffff ? `\\U${code.toString(16).padStart(8, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`
    else literal += char
  }
  return `${literal}"`
}

/** `{{#if (eq a b)}}` */
export const eq = (a: unknown, b: unknown) => a === b

export const helpers = {camelCase, constantCase, eq, goString, kebabCase, lowerCase, pascalCase, snakeCase, upperCase}
