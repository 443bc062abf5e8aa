import {join} from 'node:path'

import {PACKAGE_ROOT} from '../paths.js'
import validateManifestSchema from './manifest-validator.generated.js'

// The manifest's JSON Schema (schema/template.schema.json) is the one description of the format: editors
// read it, and the build compiles it with ajv into a standalone validator (scripts/compile-schema.js), so
// manifests are checked by a full JSON Schema implementation with no schema compiler loaded at run time.

export const SCHEMA_FILE = join(PACKAGE_ROOT, 'schema', 'template.schema.json')

/** Where a value breaks the schema: a JSON pointer without the leading "/" (e.g. "questions/0/type"), and why. */
export interface SchemaProblem {
  field: string
  problem: string
}

/** What ajv's standalone validator reports (with `verbose`: the schema around the failing keyword). */
interface AjvError {
  instancePath: string
  keyword: string
  params: Record<string, unknown>
  parentSchema?: {errorMessage?: string; properties?: Record<string, unknown>}
  data?: unknown
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  number: 'a number',
  integer: 'a whole number',
}

const list = (values: unknown[]) => values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ')

/** The first problem of a manifest against the schema, or undefined when it is valid. */
export function firstProblem(value: unknown): SchemaProblem | undefined {
  if (validateManifestSchema(value)) return undefined
  const error = (validateManifestSchema as unknown as {errors: AjvError[]}).errors[0]!
  const field = error.instancePath.slice(1).replaceAll('~1', '/').replaceAll('~0', '~')
  const at = (problem: string, key?: string) => ({field: key === undefined ? field : [field, key].filter(Boolean).join('/'), problem})
  const params = error.params
  switch (error.keyword) {
    case 'required':
      return at('is missing', String(params.missingProperty))
    case 'additionalProperties': {
      const known = Object.keys(error.parentSchema?.properties ?? {}).join(', ')
      return at(`is not ${field === '' ? 'a manifest field' : 'a known field'} (known: ${known})`, String(params.additionalProperty))
    }
  }
  return at(error.parentSchema?.errorMessage ?? wording(error))
}

/** ajv's keyword, in the words the rest of vaultkit's messages use. */
function wording({keyword, params, data}: AjvError): string {
  const limit = Number(params.limit)
  switch (keyword) {
    case 'type':
      return `must be ${String(params.type).split(',').map((t) => TYPE_NAMES[t] ?? t).join(' or ')}`
    case 'enum':
      return `must be one of ${list(params.allowedValues as unknown[])}`
    case 'const':
      return `must be ${JSON.stringify(params.allowedValue)}`
    case 'minLength':
      return limit === 1 ? 'must not be empty' : `must be at least ${limit} characters`
    case 'maxLength':
      return `must be at most ${limit} characters`
    case 'pattern':
      return `must match ${String(params.pattern)}`
    case 'minItems':
      return `must hold at least ${limit} item${limit === 1 ? '' : 's'}`
    case 'maxItems':
      return `must hold at most ${limit} item${limit === 1 ? '' : 's'}`
    case 'minimum':
      return `must be at least ${limit}`
    case 'maximum':
      return `must be at most ${limit}`
    case 'uniqueItems':
      return `holds ${JSON.stringify((data as unknown[])[Number(params.j)])} twice`
    default:
      return 'is not allowed here'
  }
}
