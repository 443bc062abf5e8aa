import {describe, expect, test} from 'vitest'

import {BUILTIN_PLUGIN_NAMES, pluginNames, validateModulePath, validatePluginName} from '../../src/lib/scaffold/names.js'

describe('validatePluginName', () => {
  test.each(['hello', 'my-plugin', 'a1', 'vault-plugin-secrets-hello', 'kv2'])('accepts %j', (name) => {
    expect(validatePluginName(name, 'secret')).toBeUndefined()
  })

  test.each([
    ['', /is empty/],
    ['   ', /is empty/],
    ['my plugin', /not a valid plugin name.*lowercase/],
    ['Hello', /not a valid plugin name/],
    ['my_plugin', /not a valid plugin name/],
    ['1hello', /starting with a letter/],
    ['hello-', /not a valid plugin name/],
    ['a--b', /not a valid plugin name/],
    ['../x', /is a path.*--dir/],
    ['x/y', /is a path/],
    ['a'.repeat(200), /200 characters long: keep it to 40/],
    ['kv', /shadow Vault's builtin kv plugin.*"kv-custom"/],
    ['pki', /shadow/],
    ['transit', /shadow/],
    ['database', /shadow/],
    ['userpass', /shadow/],
    ['vault-plugin-secrets-kv', /shadow/],
    ['vault-plugin-auth-hello', /named as a auth plugin.*drop the "vault-plugin-auth-" prefix/],
  ])('refuses %j', (name, message) => {
    expect(validatePluginName(name, 'secret')).toMatch(message)
  })

  test('the builtin list holds the common engines, methods and database plugins', () => {
    for (const name of ['kv', 'pki', 'transit', 'database', 'userpass', 'approle', 'postgresql']) {
      expect(BUILTIN_PLUGIN_NAMES.has(name)).toBe(true)
    }
  })
})

describe('pluginNames', () => {
  test.each([
    ['hello', 'secret', {name: 'hello', binaryName: 'vault-plugin-secrets-hello', goPackage: 'hello'}],
    ['vault-plugin-secrets-hello', 'secret', {name: 'hello', binaryName: 'vault-plugin-secrets-hello', goPackage: 'hello'}],
    ['my-plugin', 'auth', {name: 'my-plugin', binaryName: 'vault-plugin-auth-my-plugin', goPackage: 'myplugin'}],
    ['mysql2', 'database', {name: 'mysql2', binaryName: 'vault-plugin-database-mysql2', goPackage: 'mysql2'}],
    ['go', 'secret', {name: 'go', binaryName: 'vault-plugin-secrets-go', goPackage: 'goplugin'}],
    ['main', 'secret', {name: 'main', binaryName: 'vault-plugin-secrets-main', goPackage: 'mainplugin'}],
  ] as const)('%j as %s', (input, type, expected) => {
    expect(pluginNames(input, type)).toEqual(expected)
  })
})

describe('validateModulePath', () => {
  test.each(['example.com/vault-plugin-secrets-hello', 'github.com/Acme/vault-plugin-secrets-hello', 'a.b/c_d/e-f', 'example.com/x/v2'])(
    'accepts %j',
    (path) => expect(validateModulePath(path)).toBeUndefined(),
  )

  test.each([
    ['', /is empty/],
    ['github.com/acme/my plugin', /white space/],
    ['GitHub.com/acme/x', /must start with a lowercase domain/],
    ['hello', /must start with a lowercase domain/],
    ['std', /must start with a lowercase domain/],
    ['.hidden/x', /may not start with "."/],
    ['example.com/.x', /may not start with "."/],
    ['example.com/x.', /end with "."/],
    ['example.com/~x', /character Go does not allow/],
    ['example.com/con', /Windows reserves/],
    ['example.com/aux.txt', /Windows reserves/],
    ['../x', /"\.\." element/],
    ['github.com//x', /empty/],
    ['github.com/acme/x/', /empty/],
    ['github.com/acme/x$', /character Go does not allow/],
    ['github.com/-x', /may not start with "." or "-"/],
    [`github.com/${'a'.repeat(200)}`, /characters long/],
  ])('refuses %j', (path, message) => {
    expect(validateModulePath(path)).toMatch(message)
  })
})
