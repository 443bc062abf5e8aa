// The OpenAPI document a plugin gives Vault (sdk/framework's OASDocument), as much of it as the docs read.

export interface Schema {
  $ref?: string
  type?: string
  description?: string
  format?: string
  properties?: Record<string, Schema>
  required?: string[]
  items?: Schema
  enum?: unknown[]
  default?: unknown
  example?: unknown
  deprecated?: boolean
  /** OpenAPI's own mark: a request sets it, a response never holds it. */
  writeOnly?: boolean
  'x-vault-displayAttrs'?: {sensitive?: boolean; name?: string; value?: unknown}
}

export interface Parameter {
  name: string
  description?: string
  in: 'path' | 'query' | string
  schema?: Schema
  required?: boolean
  deprecated?: boolean
}

interface Content {
  content?: Record<string, {schema?: Schema}>
}

export interface Operation {
  summary?: string
  description?: string
  operationId?: string
  parameters?: Parameter[]
  requestBody?: Content & {required?: boolean}
  responses?: Record<string, Content & {description?: string}>
  deprecated?: boolean
}

export const METHODS = ['post', 'get', 'patch', 'delete'] as const
export type Method = (typeof METHODS)[number]

export type PathItem = {
  description?: string
  parameters?: Parameter[]
  'x-vault-sudo'?: boolean
  'x-vault-unauthenticated'?: boolean
  'x-vault-createSupported'?: boolean
} & Partial<Record<Method, Operation>>

export interface OpenAPIDocument {
  openapi?: string
  info?: {title?: string; description?: string; version?: string}
  paths: Record<string, PathItem>
  components?: {schemas?: Record<string, Schema>}
}

/** The paths with at least one operation, in order (KV's catch-all `^.*$` has none). */
export const documentedPaths = (doc: OpenAPIDocument) =>
  Object.keys(doc.paths)
    .filter((path) => METHODS.some((method) => doc.paths[path]![method]))
    .sort()

/** A schema with its `$ref` (to #/components/schemas/...) followed. */
export function resolve(doc: OpenAPIDocument, schema: Schema | undefined): Schema | undefined {
  if (!schema?.$ref) return schema
  const name = schema.$ref.replace('#/components/schemas/', '')
  return doc.components?.schemas?.[name]
}

export const jsonSchema = (doc: OpenAPIDocument, body: Content | undefined) => resolve(doc, body?.content?.['application/json']?.schema)

/** A list operation: Vault's OpenAPI writes it as a GET with a required `list=true` query parameter. */
export const isList = (operation: Operation) => Boolean(operation.parameters?.some((p) => p.name === 'list' && p.in === 'query' && p.required))

/**
 * The mount's document as a client generator wants it: paths under the mount path, only the schemas they
 * use, every object's keys sorted (the same plugin gives the same bytes).
 */
export function mountDocument(doc: OpenAPIDocument, mountPrefix: string, info: {title: string; version: string; description: string}): OpenAPIDocument {
  const paths = Object.fromEntries(Object.entries(doc.paths).map(([path, item]) => [`/${mountPrefix}${path}`, item]))
  const used = new Set(JSON.stringify(paths).match(/#\/components\/schemas\/[^"]+/g)?.map((ref) => ref.split('/').at(-1)!) ?? [])
  const schemas = Object.fromEntries(Object.entries(doc.components?.schemas ?? {}).filter(([name]) => used.has(name)))
  return sortKeys({openapi: doc.openapi ?? '3.0.2', info, paths, components: {schemas}}) as OpenAPIDocument
}

export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, sortKeys(v)]),
    )
  }
  return value
}
