import {METHODS, type Method, documentedPaths, type OpenAPIDocument, type Operation, type Parameter, type PathItem, type Schema, isList, jsonSchema, resolve} from './openapi.js'

/** Who the reference is for: the plugin, what it is, and the path its examples mount it at. */
export interface DocsSubject {
  binaryName: string
  /** "secrets engine", "auth method". */
  noun: string
  name: string
  /** As requests name it: `hello`, `auth/hello`. */
  mountPrefix: string
  /** The paragraphs under the title; default: the plugin's own HTTP API. */
  intro?: string[]
  /** Whether a write's sample payload carries this field (default: every field that is not deprecated). */
  inSample?: (method: Method, path: string, field: string) => boolean
}

/** One parameter of an operation, from the path, the query or the request body. */
interface Field {
  name: string
  schema: Schema
  required: boolean
  where: 'path' | 'query' | 'header' | 'body'
  writeOnly: boolean
}

/**
 * The API reference in the shape of HashiCorp's API pages: a section per path, then per operation its
 * method and URL, a parameters table, a sample payload, a curl and a vault command, and a sample response
 * from the response schema. Nothing in it depends on the server it was read from: the same plugin gives
 * the same bytes.
 */
export function renderMarkdown(doc: OpenAPIDocument, subject: DocsSubject): string {
  const out: string[] = []
  out.push(`# ${subject.binaryName} API`, '')
  const intro = subject.intro ?? [
    `The HTTP API of the ${subject.name} ${subject.noun}, as the plugin describes itself to Vault. The examples mount it at \`${subject.mountPrefix}/\`: replace that with your mount path. Paths are relative to \`$VAULT_ADDR/v1/\`, and every request needs a token (\`X-Vault-Token\`) unless it says otherwise.`,
    'Written by `vaultkit plugin docs` from the OpenAPI document the plugin gives Vault. `vaultkit plugin docs --check` fails when it no longer matches the plugin.',
  ]
  for (const paragraph of intro) out.push(paragraph, '')
  for (const path of documentedPaths(doc)) out.push(...pathSection(doc, path, doc.paths[path]!, subject))
  return `${out.join('\n').trimEnd()}\n`
}

function pathSection(doc: OpenAPIDocument, path: string, item: PathItem, subject: DocsSubject): string[] {
  const url = `/${subject.mountPrefix}${path}`
  const out = [`## \`${url}\``, '']
  if (item.description) out.push(oneLine(item.description), '')
  const notes = [item['x-vault-unauthenticated'] ? 'needs no token' : '', item['x-vault-sudo'] ? 'needs a token with `sudo`' : ''].filter(Boolean)
  if (notes.length) out.push(`This path ${notes.join(' and ')}.`, '')
  const readable = readFields(doc, item)
  for (const method of METHODS) {
    const operation = item[method]
    if (operation) out.push(...operationSection(doc, {path, url, item, method, operation, readable, inSample: subject.inSample}))
  }
  return out
}

interface OperationContext {
  path: string
  url: string
  item: PathItem
  method: Method
  operation: Operation
  /** The fields a read of this path returns; undefined when its response has no schema. */
  readable?: Set<string>
  inSample?: DocsSubject['inSample']
}

function operationSection(doc: OpenAPIDocument, context: OperationContext): string[] {
  const {url, item, method, operation} = context
  const list = method === 'get' && isList(operation)
  const verb = list ? 'LIST' : method.toUpperCase()
  const title = operation.summary ? oneLine(operation.summary).replace(/\.$/, '') : `${verb} ${url}`
  const out = [`### ${title}${operation.deprecated ? ' (deprecated)' : ''}`, '']
  if (operation.description) out.push(oneLine(operation.description), '')
  out.push('| Method | Path |', '| :----- | :--- |', `| \`${verb}\` | \`${url}\` |`, '')

  const fields = operationFields(doc, context)
  if (fields.length) {
    out.push('#### Parameters', '', '| Name | Type | Required | Default | Description |', '| :--- | :--- | :------- | :------ | :---------- |')
    for (const field of fields) out.push(`| \`${field.name}\` | ${typeName(field.schema)}${field.where === 'body' ? '' : ` (${field.where})`} | ${field.required ? 'yes' : 'no'} | ${field.schema.default === undefined ? '' : `\`${JSON.stringify(field.schema.default)}\``} | ${describeField(field)} |`)
    out.push('')
  }

  const body = fields.filter((f) => f.where === 'body' && !f.schema.deprecated && (context.inSample?.(method, context.path, f.name) ?? true))
  const payload = body.length ? Object.fromEntries(body.map((f) => [f.name, sample(doc, f.schema, f.name)])) : undefined
  if (payload) out.push('#### Sample payload', '', '```json', JSON.stringify(payload, null, 2), '```', '')

  const samplePath = fields.filter((f) => f.where === 'path').reduce((p, f) => p.replace(`{${f.name}}`, String(sample(doc, f.schema, f.name))), url)
  out.push('#### Sample request', '', '```shell-session', ...curl(verb, samplePath, {payload: Boolean(payload), token: !item['x-vault-unauthenticated'], patch: method === 'patch'}), '```', '')
  out.push('```shell-session', `$ ${vaultCommand(verb, samplePath.slice(1), payload)}`, '```', '')

  const response = sampleResponse(doc, operation)
  if (response) out.push('#### Sample response', '', ...response, '')
  return out
}

/** Path and query parameters, then the request body's fields: required first, each group by name. */
function operationFields(doc: OpenAPIDocument, {item, method, operation, readable}: OperationContext): Field[] {
  const parameters = [...(item.parameters ?? []), ...(operation.parameters ?? [])].filter((p) => !(p.name === 'list' && p.in === 'query'))
  const fromParameter = (p: Parameter): Field => ({name: p.name, schema: {...p.schema, ...(p.description ? {description: p.description} : {})}, required: Boolean(p.required), where: p.in === 'path' || p.in === 'header' ? p.in : 'query', writeOnly: false})
  const request = jsonSchema(doc, operation.requestBody)
  const writes = method === 'post' || method === 'patch'
  const body = Object.entries(request?.properties ?? {}).map(([name, schema]): Field => ({
    name,
    schema: resolve(doc, schema) ?? schema,
    required: Boolean(request?.required?.includes(name)),
    where: 'body',
    writeOnly: writes && readable !== undefined && !readable.has(name),
  }))
  const order = (a: Field, b: Field) => Number(b.required) - Number(a.required) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  return [...parameters.map(fromParameter).sort(order), ...body.sort(order)]
}

/** The fields a read of the path answers with, from its 200 response's schema. */
function readFields(doc: OpenAPIDocument, item: PathItem): Set<string> | undefined {
  if (!item.get || isList(item.get)) return undefined
  const schema = jsonSchema(doc, item.get.responses?.['200'])
  return schema?.properties ? new Set(Object.keys(schema.properties)) : undefined
}

function describeField(field: Field): string {
  const marks = [
    field.schema['x-vault-displayAttrs']?.sensitive ? '**Sensitive.**' : '',
    field.writeOnly || field.schema.writeOnly ? '**Write-only:** a read never returns it.' : '',
    field.schema.deprecated ? '**Deprecated.**' : '',
    field.schema.enum?.length ? `One of ${field.schema.enum.map((v) => `\`${JSON.stringify(v)}\``).join(', ')}.` : '',
  ].filter(Boolean)
  return [...marks, oneLine(field.schema.description ?? '')].filter(Boolean).join(' ')
}

function typeName(schema: Schema): string {
  if (schema.type === 'array') return `array of ${schema.items?.type ?? 'any'}`
  const type = schema.type ?? 'any'
  return schema.format ? `${type} (${schema.format})` : type
}

/** A value a request may carry: the field's example, display value or default, else one of its type. */
export function sample(doc: OpenAPIDocument, given: Schema | undefined, name: string): unknown {
  const schema = resolve(doc, given) ?? {}
  if (schema.example !== undefined) return schema.example
  // DisplayAttrs.Value: the example value a plugin gives a field (Vault's UI shows it as a placeholder).
  if (schema['x-vault-displayAttrs']?.value !== undefined) return schema['x-vault-displayAttrs'].value
  if (schema.default !== undefined) return schema.default
  if (schema.enum?.length) return schema.enum[0]
  switch (schema.type) {
    case 'integer':
    case 'number':
      return 1
    case 'boolean':
      // The value that switches nothing on: a sample request should not change how the mount behaves.
      return false
    case 'array':
      return [sample(doc, schema.items, name)]
    case 'object':
      return schema.properties ? sampleObject(doc, schema.properties) : {}
    default:
      return schema.format === 'duration' ? '1h' : `my-${name.replaceAll('_', '-')}`
  }
}

/** Each property's sample, keys in order: the bytes do not depend on the order a document lists them. */
function sampleObject(doc: OpenAPIDocument, properties: Record<string, Schema>): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(properties)
      .sort()
      .map((key) => [key, sample(doc, properties[key], key)]),
  )
}

function curl(verb: string, path: string, options: {payload: boolean; token: boolean; patch: boolean}): string[] {
  const lines = ['$ curl']
  if (options.token) lines.push('--header "X-Vault-Token: $VAULT_TOKEN"')
  if (options.patch) lines.push('--header "Content-Type: application/merge-patch+json"')
  lines.push(`--request ${verb}`)
  if (options.payload) lines.push('--data @payload.json')
  lines.push(`"$VAULT_ADDR/v1${path}"`)
  return lines.map((line, i) => (i === 0 ? line : `    ${line}`)).map((line, i, all) => (i < all.length - 1 ? `${line} \\` : line))
}

const CLI_VERB: Record<string, string> = {GET: 'read', LIST: 'list', POST: 'write', PATCH: 'patch', DELETE: 'delete'}

/** The vault CLI's command: key=value pairs when every value is a plain word, else the payload file. */
function vaultCommand(verb: string, path: string, payload: Record<string, unknown> | undefined): string {
  const command = `vault ${CLI_VERB[verb]} ${path}`
  // `vault write` with no data refuses ("Must supply data or use -force").
  if (!payload) return verb === 'POST' ? `vault write -f ${path}` : command
  const plain = Object.values(payload).every((v) => ['string', 'number', 'boolean'].includes(typeof v) && /^[\w./:@-]+$/.test(String(v)))
  return plain ? `${command} ${Object.entries(payload).map(([k, v]) => `${k}=${String(v)}`).join(' ')}` : `${command} @payload.json`
}

/** `{"data": ...}` from the 200 response's schema; a 204's note; nothing when the response has no schema. */
function sampleResponse(doc: OpenAPIDocument, operation: Operation): string[] | undefined {
  const responses = operation.responses ?? {}
  const ok = jsonSchema(doc, responses['200'])
  if (ok?.properties) {
    const data = sampleObject(doc, ok.properties)
    return ['```json', JSON.stringify({data}, null, 2), '```']
  }
  if (responses['204'] && !responses['200']) return ['This endpoint answers `204 No Content`.']
  return undefined
}

/** Descriptions as one Markdown table-safe line; a `<` escaped, so that `<name>` is not taken for HTML. */
const oneLine = (text: string) => text.replaceAll(/\s*\n\s*/g, ' ').replaceAll('|', '\\|').replaceAll('<', '\\<').trim()
