import {fieldAt, parseFieldPath, type RequestValues, SECRET_FIELD, type SmokeExpectation, substitute} from '../templates/smoke-spec.js'

// What a smoke answer looks like to the user: the kind's `show` filled in from the answer, the checks of
// its `expect`, and the secrets (the random value, passwords and tokens in answers) kept out of both.

const HIDDEN = '(hidden)'
const MAX_SHOWN = 200

/** The secret values of one smoke run, replaced wherever text is shown. */
export class Secrets {
  private readonly values: Set<string>

  constructor(initial: string[]) {
    this.values = new Set(initial)
  }

  /** Remembers every string an answer holds under a secret field name (auth.client_token, data.password). */
  collect(answer: unknown, key = ''): void {
    if (typeof answer === 'string') {
      if (SECRET_FIELD.test(key) && answer.length >= 4) this.values.add(answer)
    } else if (Array.isArray(answer)) {
      for (const item of answer) this.collect(item, key)
    } else if (typeof answer === 'object' && answer !== null) {
      for (const [name, value] of Object.entries(answer)) this.collect(value, name)
    }
  }

  hide(text: string): string {
    let clean = text
    for (const secret of this.values) clean = clean.replaceAll(secret, HIDDEN)
    return clean
  }
}

/** A JSON value with every secret field's value replaced. */
export function redact(value: unknown, key = ''): unknown {
  if (SECRET_FIELD.test(key) && value !== null && value !== undefined) return HIDDEN
  if (Array.isArray(value)) return value.map((item) => redact(item, key))
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, k)]))
  return value
}

/** A field's value as text: strings as they are, lists joined with ", ", objects as JSON; `key` names it. */
export function formatValue(value: unknown, key: string): string {
  if (value === undefined || value === null) return '(none)'
  if (SECRET_FIELD.test(key)) return HIDDEN
  if (typeof value === 'string') return value
  if (Array.isArray(value)) return value.map((item) => (typeof item === 'object' && item !== null ? JSON.stringify(redact(item)) : formatValue(item, key))).join(', ')
  if (typeof value === 'object') return JSON.stringify(redact(value))
  return String(value)
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text)

/** The answer as the kind's `show` says (default: its data as JSON), on one line, secrets hidden. */
export function showAnswer(answer: Record<string, unknown> | undefined, show: string | undefined, values: Omit<RequestValues, 'random'>, secrets: Secrets): string {
  let text: string
  if (show === undefined) {
    text = answer === undefined ? '(no content)' : JSON.stringify(redact(answer.data ?? answer))
  } else {
    text = substitute(show, (name) => {
      if (name === 'path' || name === 'name') return values[name]
      const segments = parseFieldPath(name)!
      return formatValue(fieldAt(answer, segments), segments.at(-1)!)
    })
  }
  return clip(secrets.hide(text).replace(/\s*\n\s*/g, ' '), MAX_SHOWN)
}

/** Why a field of the answer fails its expectation, or undefined when it meets it. */
export function expectationFailure(answer: unknown, segments: string[], expectation: SmokeExpectation, secrets: Secrets): string | undefined {
  const value = fieldAt(answer, segments)
  if (value === undefined) return expectation === true ? 'is missing' : `is missing (expected a match for ${expectation})`
  if (expectation === true) return undefined
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  if (new RegExp(expectation, 'u').test(text)) return undefined
  const shown = SECRET_FIELD.test(segments.at(-1)!) ? HIDDEN : JSON.stringify(clip(secrets.hide(text), 60))
  return `is ${shown}, which does not match ${expectation}`
}
