import {chmodSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, test} from 'vitest'

import {databaseDocument, databaseSampleFields, readConnectionSettings} from '../../src/lib/docs/database-docs.js'
import type {OpenAPIDocument} from '../../src/lib/docs/openapi.js'

// What a database plugin's binary answers to -connection-settings (real processes: shell scripts in its
// place), and how the engine's document takes the settings in.
const dir = mkdtempSync(join(tmpdir(), 'vaultkit-database-docs-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

function binary(name: string, script: string): string {
  const file = join(dir, name)
  writeFileSync(file, `#!/bin/sh\n${script}\n`)
  chmodSync(file, 0o755)
  return file
}

describe('readConnectionSettings', () => {
  test('a list of settings is read as it is', async () => {
    const settings = [{name: 'url', type: 'string', required: true, description: 'Where.'}]
    expect(await readConnectionSettings(binary('lists', `echo '${JSON.stringify(settings)}'`))).toEqual(settings)
  })

  test("a binary that does not answer (go-plugin's refusal, exit 1) lists nothing, and so does one that prints no JSON", async () => {
    expect(await readConnectionSettings(binary('refuses', 'echo "This binary is a plugin." >&2; exit 1'))).toBeUndefined()
    expect(await readConnectionSettings(binary('talks', 'echo hello'))).toBeUndefined()
  })

  test('a binary that cannot be run is one line saying to build it', async () => {
    await expect(readConnectionSettings(join(dir, 'missing'))).rejects.toThrow(/could not be run \(ENOENT\)/)
  })

  test('JSON of another shape is one line saying what to print', async () => {
    await expect(readConnectionSettings(binary('wrong', `echo '[{"name": "url", "type": "float", "description": "x"}]'`))).rejects.toThrow(/printed something else than a list of settings/)
    await expect(readConnectionSettings(binary('object', `echo '{"name": "url"}'`))).rejects.toThrow(/printed something else/)
  })
})

describe('databaseDocument', () => {
  const engine: OpenAPIDocument = {
    paths: {
      '/config/{name}': {parameters: [{name: 'name', in: 'path', schema: {type: 'string'}, required: true}], post: {requestBody: {content: {'application/json': {schema: {$ref: '#/components/schemas/Config'}}}}}},
      '/creds/{name}': {parameters: [{name: 'name', in: 'path', schema: {type: 'string'}, required: true}], get: {}},
      '/reload/{plugin_name}': {post: {}},
    },
    components: {schemas: {Config: {type: 'object', properties: {plugin_name: {type: 'string'}, allowed_roles: {type: 'array', items: {type: 'string'}}, verify_connection: {type: 'boolean', default: true}}}}},
  }
  const settings = [
    {name: 'url', type: 'string' as const, required: true, example: 'pg://x', description: 'Where.'},
    {name: 'secret', type: 'string' as const, sensitive: true, description: 'Shh.'},
    {name: 'lifetime', type: 'duration' as const, default: 0, description: 'How long.'},
  ]

  test("the engine's paths a user calls, with the settings in config's request; the engine's own schema untouched", () => {
    const doc = databaseDocument(engine, {name: 'pg', version: '1.2.0'}, settings)
    expect(Object.keys(doc.paths)).toEqual(['/config/{name}', '/creds/{name}'])
    const request = doc.paths['/config/{name}']!.post!.requestBody!.content!['application/json']!.schema!
    expect(request.required).toEqual(['url'])
    expect(request.properties!.plugin_name!.example).toBe('pg')
    expect(request.properties!.secret).toMatchObject({writeOnly: true, 'x-vault-displayAttrs': {sensitive: true}})
    expect(request.properties!.lifetime).toMatchObject({type: 'string', format: 'duration', default: 0})
    expect(doc.paths['/config/{name}']!.parameters![0]!.schema!.example).toBe('pg')
    expect(doc.paths['/creds/{name}']!.parameters![0]!.schema!.example).toBe('my-role')
    expect(engine.components!.schemas!.Config!.properties!.url).toBeUndefined()
    expect(engine.paths['/config/{name}']!.parameters![0]!.schema!.example).toBeUndefined()
  })

  test('the sample connection: the plugin name, the roles, and the settings that are required, exemplified or sensitive', () => {
    const inSample = databaseSampleFields(settings)
    expect(['plugin_name', 'allowed_roles', 'url', 'secret', 'lifetime', 'verify_connection'].filter((f) => inSample('post', '/config/{name}', f))).toEqual([
      'plugin_name',
      'allowed_roles',
      'url',
      'secret',
    ])
    expect(inSample('post', '/reset/{name}', 'anything')).toBe(true)
  })
})
