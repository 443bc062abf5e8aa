import type {UserError} from '../errors.js'

// A kind's smoke: the requests `plugin dev` and `template test --e2e` send through Vault's HTTP API after
// each reload, declared in template.json (see docs/templates.md). This module is the format: its types, the
// `${...}` placeholders, response field paths, and the checks the schema cannot make. The interpreter is
// src/lib/registration/smoke.ts.

export const SMOKE_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'LIST'] as const
export type SmokeMethod = (typeof SMOKE_METHODS)[number]

/** What a field of the answer must be: a regular expression its text must match, or `true`: present. */
export type SmokeExpectation = string | true

/** One request: path and string values of the body may hold placeholders. */
export interface SmokeCall {
  method: SmokeMethod
  path: string
  body?: Record<string, unknown>
  /** Response field path (`data.message`) -> what it must be. */
  expect?: Record<string, SmokeExpectation>
}

/** If the request answers `status` with an error matching `error`: send `requests` once, then retry it. */
export interface SmokeSetup {
  status: number
  error?: string
  requests: SmokeCall[]
}

export interface SmokeRequest extends SmokeCall {
  setup?: SmokeSetup
}

export interface SmokeDeclaration {
  /** Sent in order; the last one is the request reported. Empty: the kind declares no smoke. */
  requests: SmokeRequest[]
  /** The answer shown, from the last response's fields (`${data.message}`); default: its data as JSON. */
  show?: string
}

/** Placeholders of request paths and bodies; `random` is a secret made afresh for each smoke run. */
export const REQUEST_PLACEHOLDERS = ['path', 'name', 'random'] as const
export type RequestValues = Record<(typeof REQUEST_PLACEHOLDERS)[number], string>

/** The top-level fields of a Vault answer that a field path may start with. */
export const RESPONSE_FIELDS = ['data', 'auth', 'lease_id', 'lease_duration', 'renewable', 'warnings', 'wrap_info'] as const

/**
 * `${name}`; `$${` is a literal `${`. Not Handlebars' `{{ }}`: template.json is not rendered, and request
 * bodies often carry Vault's own `{{...}}` templates (username templates, identity templates).
 */
const PLACEHOLDER = /\$(\$?)\{([^}]*)\}/g

/** The placeholders a text uses, in order (escaped ones left out). */
export function placeholdersIn(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].filter((m) => m[1] === '').map((m) => m[2]!)
}

/** Replaces every placeholder with what `value` gives for its name; `$${` becomes `${`. */
export function substitute(text: string, value: (name: string) => string): string {
  return text.replace(PLACEHOLDER, (_match, escaped: string, name: string) => (escaped ? `\${${name}}` : value(name)))
}

/** The same through a JSON value: every string in it (keys stay as written). */
export function substituteDeep(value: unknown, lookup: (name: string) => string): unknown {
  if (typeof value === 'string') return substitute(value, lookup)
  if (Array.isArray(value)) return value.map((item) => substituteDeep(item, lookup))
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteDeep(v, lookup)]))
  return value
}

/** `data.keys.0` -> ['data', 'keys', '0'], or undefined when it does not start at a response field. */
export function parseFieldPath(path: string): string[] | undefined {
  const segments = path.split('.')
  if (segments.some((s) => s === '') || !(RESPONSE_FIELDS as readonly string[]).includes(segments[0]!)) return undefined
  return segments
}

/** The value at a field path of an answer (a number segment indexes a list); undefined when absent. */
export function fieldAt(answer: unknown, segments: string[]): unknown {
  let value = answer
  for (const segment of segments) {
    if (Array.isArray(value) && /^\d+$/.test(segment)) value = value[Number(segment)]
    else if (typeof value === 'object' && value !== null && !Array.isArray(value)) value = (value as Record<string, unknown>)[segment]
    else return undefined
  }
  return value ?? undefined
}

/** Field names whose values are secrets: never shown in an answer or an error. */
export const SECRET_FIELD = /(^|_)(password|passphrase|secret|secret_id|token|key|private_key|credentials?|hmac)$/i

type Fail = (field: string, problem: string) => UserError

const fieldExample = `a field of the answer such as data.message or auth.policies (starting at ${RESPONSE_FIELDS.join(', ')})`

/** What the schema cannot say: placeholders are known, expectations compile, bodies go with methods. */
export function checkSmoke(smoke: SmokeDeclaration | undefined, fail: Fail): void {
  if (smoke === undefined) return
  for (const [index, request] of smoke.requests.entries()) {
    checkCall(request, `smoke/requests/${index}`, fail)
    if (request.setup) {
      if (request.setup.error !== undefined) checkRegExp(request.setup.error, `smoke/requests/${index}/setup/error`, fail)
      for (const [n, call] of request.setup.requests.entries()) checkCall(call, `smoke/requests/${index}/setup/requests/${n}`, fail)
    }
  }
  if (smoke.show !== undefined) {
    for (const name of placeholdersIn(smoke.show)) {
      if (name === 'random') throw fail('smoke/show', `uses \${random}, a secret, which is never shown`)
      if (name !== 'path' && name !== 'name' && !parseFieldPath(name)) {
        throw fail('smoke/show', `uses \${${name}}, which is neither \${path} nor \${name} nor ${fieldExample}`)
      }
    }
  }
}

function checkCall(call: SmokeCall, at: string, fail: Fail) {
  checkPlaceholders(call.path, `${at}/path`, fail)
  if (call.body !== undefined) {
    if (call.method === 'GET' || call.method === 'LIST') throw fail(`${at}/body`, `is sent with no ${call.method} request: use POST or PUT`)
    for (const [key, text] of stringsIn(call.body, `${at}/body`)) checkPlaceholders(text, key, fail)
  }
  for (const [field, expectation] of Object.entries(call.expect ?? {})) {
    if (!parseFieldPath(field)) throw fail(`${at}/expect/${field}`, `is not ${fieldExample}`)
    if (typeof expectation === 'string') checkRegExp(expectation, `${at}/expect/${field}`, fail)
  }
}

function checkPlaceholders(text: string, field: string, fail: Fail) {
  const unknown = placeholdersIn(text).find((name) => !(REQUEST_PLACEHOLDERS as readonly string[]).includes(name))
  if (unknown !== undefined) {
    throw fail(field, `uses \${${unknown}}, which is not a placeholder (${REQUEST_PLACEHOLDERS.map((p) => `\${${p}}`).join(', ')}; write $\${ for a literal \${)`)
  }
}

function checkRegExp(source: string, field: string, fail: Fail) {
  try {
    new RegExp(source, 'u')
  } catch (error) {
    throw fail(field, `is not a valid regular expression (${(error as Error).message})`)
  }
}

/** Every string of a JSON value, with its field (a JSON pointer without the leading "/"). */
function stringsIn(value: unknown, at: string): [string, string][] {
  if (typeof value === 'string') return [[at, value]]
  if (typeof value !== 'object' || value === null) return []
  return Object.entries(value).flatMap(([key, item]) => stringsIn(item, `${at}/${key}`))
}
