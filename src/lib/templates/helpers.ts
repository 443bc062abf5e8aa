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

/**
 * A Go interpreted string literal holding `input` exactly. JSON's escapes are a subset of Go's;
 * lone surrogates, which Go rejects, become U+FFFD first.
 */
export function goString(input: string): string {
  return JSON.stringify(input.toWellFormed())
}

/** `{{#if (eq a b)}}` */
export const eq = (a: unknown, b: unknown) => a === b

export const helpers = {camelCase, constantCase, eq, goString, kebabCase, lowerCase, pascalCase, snakeCase, upperCase}
