import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {PACKAGE_ROOT} from '../paths.js'

// The manifest's JSON Schema (schema/template.schema.json) is the one description of the format: editors
// read it, and this checks manifests against it. A schema compiler such as ajv costs more start-up time
// than all of `plugin new`, so this walks the small subset of JSON Schema that file uses; a unit test runs
// ajv over a corpus of manifests to prove both agree.

export const SCHEMA_FILE = join(PACKAGE_ROOT, 'schema', 'template.schema.json')

export type Schema = boolean | SchemaObject

interface SchemaObject {
  type?: string | string[]
  enum?: unknown[]
  const?: unknown
  pattern?: string
  minLength?: number
  maxLength?: number
  minItems?: number
  uniqueItems?: boolean
  required?: string[]
  properties?: Record<string, Schema>
  additionalProperties?: boolean
  items?: Schema
  allOf?: Schema[]
  if?: Schema
  then?: Schema
  not?: Schema
  $ref?: string
  $defs?: Record<string, Schema>
  errorMessage?: string
}

/** Where a value breaks the schema: a JSON pointer without the leading "/" (e.g. "questions/0/type"), and why. */
export interface SchemaProblem {
  field: string
  problem: string
}

let loaded: SchemaObject | undefined
export function manifestSchema(): SchemaObject {
  loaded ??= JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as SchemaObject
  return loaded
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  number: 'a number',
  integer: 'a whole number',
}

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return 'array'
  if (value === null) return 'null'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value
}

const matchesType = (value: unknown, type: string) => typeOf(value) === type || (type === 'number' && typeOf(value) === 'integer')

const list = (values: unknown[]) => values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ')

/** The first problem of `value` against `schema`, or undefined when it is valid. */
export function firstProblem(value: unknown, schema: Schema = manifestSchema(), path: string[] = [], root = manifestSchema()): SchemaProblem | undefined {
  if (schema === true) return undefined
  const at = (problem: string, field = path) => ({field: field.join('/'), problem})
  if (schema === false) return at('is not allowed here')
  if (schema.$ref) {
    const target = schema.$ref.replace(/^#\/\$defs\//, '')
    return firstProblem(value, root.$defs?.[target] ?? false, path, root)
  }
  const own = (problem: string) => at(schema.errorMessage ?? problem)
  const types = schema.type === undefined ? [] : [schema.type].flat()
  if (types.length > 0 && !types.some((t) => matchesType(value, t))) return own(`must be ${types.map((t) => TYPE_NAMES[t] ?? t).join(' or ')}`)
  if (schema.enum && !schema.enum.includes(value)) return own(`must be one of ${list(schema.enum)}`)
  if ('const' in schema && value !== schema.const) return own(`must be ${JSON.stringify(schema.const)}`)
  if (schema.not !== undefined && firstProblem(value, schema.not, path, root) === undefined) return own('is not allowed here')

  if (typeof value === 'string') {
    const length = [...value].length
    if (schema.minLength !== undefined && length < schema.minLength) return own(schema.minLength === 1 ? 'must not be empty' : `must be at least ${schema.minLength} characters`)
    if (schema.maxLength !== undefined && length > schema.maxLength) return own(`must be at most ${schema.maxLength} characters`)
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) return own(`must match ${schema.pattern}`)
  }

  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) return own(`must hold at least ${schema.minItems} item${schema.minItems === 1 ? '' : 's'}`)
    if (schema.uniqueItems) {
      const seen = new Set<string>()
      for (const item of value) {
        const key = JSON.stringify(item)
        if (seen.has(key)) return own(`holds ${key} twice`)
        seen.add(key)
      }
    }
    if (schema.items !== undefined) {
      for (const [index, item] of value.entries()) {
        const problem = firstProblem(item, schema.items, [...path, String(index)], root)
        if (problem) return problem
      }
    }
  }

  if (typeOf(value) === 'object') {
    const record = value as Record<string, unknown>
    const properties = schema.properties ?? {}
    if (schema.additionalProperties === false) {
      for (const key of Object.keys(record)) {
        if (!(key in properties)) {
          const noun = path.length === 0 ? 'a manifest field' : 'a known field'
          return at(`is not ${noun} (known: ${Object.keys(properties).join(', ')})`, [...path, key])
        }
      }
    }
    for (const key of schema.required ?? []) if (!(key in record)) return at('is missing', [...path, key])
    for (const [key, property] of Object.entries(properties)) {
      if (!(key in record)) continue
      const problem = firstProblem(record[key], property, [...path, key], root)
      if (problem) return problem
    }
  }

  for (const part of schema.allOf ?? []) {
    const problem = firstProblem(value, part, path, root)
    if (problem) return problem
  }
  if (schema.if !== undefined && schema.then !== undefined && firstProblem(value, schema.if, path, root) === undefined) {
    return firstProblem(value, schema.then, path, root)
  }
  return undefined
}
