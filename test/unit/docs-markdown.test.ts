import MarkdownIt from 'markdown-it'
import {describe, expect, test} from 'vitest'

import {renderMarkdown, sample} from '../../src/lib/docs/markdown.js'
import {type OpenAPIDocument, mountDocument} from '../../src/lib/docs/openapi.js'

// A document in the shape the SDK gives Vault (framework.OASDocument), small enough to read.
const doc: OpenAPIDocument = {
  paths: {
    '/roles/{name}': {
      description: 'Manage roles.',
      parameters: [{name: 'name', in: 'path', required: true, description: 'Name of the role.', schema: {type: 'string'}}],
      get: {summary: 'Read a role.', responses: {'200': {content: {'application/json': {schema: {$ref: '#/components/schemas/RoleRead'}}}}}},
      post: {summary: 'Write a role.', requestBody: {content: {'application/json': {schema: {$ref: '#/components/schemas/RoleWrite'}}}}, responses: {'204': {description: 'empty'}}},
      patch: {summary: 'Patch a role.', requestBody: {content: {'application/json': {schema: {$ref: '#/components/schemas/RoleWrite'}}}}},
    },
    '/roles/': {get: {summary: 'List roles.', parameters: [{name: 'list', in: 'query', required: true, schema: {type: 'string', enum: ['true']}}]}},
    '/login': {'x-vault-unauthenticated': true, post: {summary: 'Log in.'}},
  },
  components: {
    schemas: {
      RoleWrite: {
        type: 'object',
        required: ['ttl'],
        properties: {
          ttl: {type: 'string', format: 'duration', default: 3600, description: 'TTL | of the creds.'},
          secret: {type: 'string', description: 'A secret.', 'x-vault-displayAttrs': {sensitive: true}},
          tags: {type: 'array', items: {type: 'string'}},
        },
      },
      RoleRead: {type: 'object', properties: {ttl: {type: 'integer', 'x-vault-displayAttrs': {value: 60}}, tags: {type: 'array', items: {type: 'string'}}}},
      Unused: {type: 'object'},
    },
  },
}
const subject = {binaryName: 'vault-plugin-secrets-x', noun: 'secrets engine', name: 'x', mountPrefix: 'x'}

describe('plugin docs Markdown', () => {
  const text = renderMarkdown(doc, subject)

  test('paths in order, operations in the order a reader uses them: write, read, list, patch', () => {
    const headings = new MarkdownIt()
      .parse(text, {})
      .filter((t, i, all) => t.type === 'inline' && all[i - 1]?.type === 'heading_open')
      .map((t) => t.content)
    expect(headings.filter((h) => h.startsWith('`'))).toEqual(['`/x/login`', '`/x/roles/`', '`/x/roles/{name}`'])
    expect(headings.slice(headings.indexOf('`/x/roles/{name}`') + 1, headings.indexOf('`/x/roles/{name}`') + 4)).toEqual(['Write a role', 'Parameters', 'Sample payload'])
    expect(text).toContain('| `LIST` | `/x/roles/` |')
  })

  test('the parameters table: path first, required before optional, sensitive and write-only marked, pipes escaped', () => {
    const rows = text.slice(text.indexOf('### Write a role'), text.indexOf('### Read a role')).split('\n').filter((l) => l.startsWith('| `') && !l.startsWith('| `POST`'))
    expect(rows).toEqual([
      '| `name` | string (path) | yes |  | Name of the role. |',
      '| `ttl` | string (duration) | yes | `3600` | TTL \\| of the creds. |',
      '| `secret` | string | no |  | **Sensitive.** **Write-only:** a read never returns it. A secret. |',
      '| `tags` | array of string | no |  |  |',
    ])
  })

  test('samples: the path filled in, the payload file for non-scalar values, merge-patch for PATCH, no token where none is needed', () => {
    expect(text).toContain('$ vault write x/roles/my-name @payload.json')
    expect(text).toContain('"$VAULT_ADDR/v1/x/roles/my-name"')
    expect(text).toContain('--header "Content-Type: application/merge-patch+json"')
    const login = text.slice(text.indexOf('### Log in'), text.indexOf('## `/x/roles/`'))
    expect(login).not.toContain('X-Vault-Token')
    expect(text).toContain('{\n  "data": {\n    "tags": [\n      "my-tags"\n    ],\n    "ttl": 60\n  }\n}')
    expect(text).toContain('This endpoint answers `204 No Content`.')
  })

  test('sample values: example, display value, default, enum, then the type', () => {
    expect(sample(doc, {type: 'string', example: 'e', default: 'd'}, 'f')).toBe('e')
    expect(sample(doc, {type: 'integer', default: 5}, 'f')).toBe(5)
    expect(sample(doc, {type: 'string', enum: ['a', 'b']}, 'f')).toBe('a')
    expect(sample(doc, {type: 'boolean'}, 'f')).toBe(false)
    expect(sample(doc, {type: 'string', format: 'duration'}, 'f')).toBe('1h')
    expect(sample(doc, {$ref: '#/components/schemas/RoleRead'}, 'f')).toEqual({ttl: 60, tags: ['my-tags']})
  })

  test('the same document gives the same bytes; JSON keeps only the schemas the paths use, keys sorted', () => {
    expect(renderMarkdown(structuredClone(doc), subject)).toBe(text)
    const json = mountDocument(doc, 'x', {title: 't', version: '1.0.0', description: 'd'})
    expect(Object.keys(json.paths)).toEqual(['/x/login', '/x/roles/', '/x/roles/{name}'])
    expect(Object.keys(json.components?.schemas ?? {})).toEqual(['RoleRead', 'RoleWrite'])
  })
})
