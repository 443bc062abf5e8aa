// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the smoke placeholders ${path}, ${name}, ${random}, written as template.json holds them
import {describe, expect, it} from 'vitest'

import {tryCommands} from '../../src/lib/registration/smoke-hints.js'
import {kindSmoke} from '../../src/lib/registration/smoke-source.js'
import {listKinds} from '../../src/lib/templates/kinds.js'
import type {SmokeDeclaration} from '../../src/lib/templates/smoke-spec.js'

const builtins = listKinds()
const builtin = (name: string) => kindSmoke(builtins.find((k) => k.manifest.name === name)!, builtins)
const declared = (smoke: SmokeDeclaration) => ({smoke, file: 'template.json', none: ''})

describe('the commands plugin dev prints to try the plugin', () => {
  it('are the built-in kinds’ smoke requests as vault commands, and the last one as curl', () => {
    expect(tryCommands(builtin('secrets'), {type: 'secret', path: 'hello', name: 'hello'}, 'vault')).toEqual([
      'vault read hello/hello',
      'curl -s -H "X-Vault-Token: $VAULT_TOKEN" "$VAULT_ADDR/v1/hello/hello"',
    ])
    expect(tryCommands(builtin('auth'), {type: 'auth', path: 'users', name: 'hello'}, 'bao')).toEqual([
      'bao write auth/users/users/vaultkit-smoke password=changeme token_policies=default',
      'bao write auth/users/login username=vaultkit-smoke password=changeme',
      `curl -s -H "X-Vault-Token: $VAULT_TOKEN" -X POST -d '{"username":"vaultkit-smoke","password":"changeme"}' "$VAULT_ADDR/v1/auth/users/login"`,
    ])
    expect(tryCommands(builtin('database'), {type: 'database', path: 'database', name: 'billing'}, 'vault')).toEqual([
      'vault read database/creds/billing',
      'curl -s -H "X-Vault-Token: $VAULT_TOKEN" "$VAULT_ADDR/v1/database/creds/billing"',
    ])
  })

  it('quote what sh would split, pass nested bodies as JSON on stdin, and send LIST and queries as Vault takes them', () => {
    const smoke = declared({
      requests: [
        {method: 'PUT', path: '${path}/roles/r1', body: {policies: ['a', 'b'], ttl: '1h'}},
        {method: 'POST', path: '${path}/notes', body: {text: "it's a note", n: 3}},
        {method: 'GET', path: '${path}/search?q=a b&limit=2'},
        {method: 'DELETE', path: '${path}/notes/${name}'},
        {method: 'LIST', path: '${path}/roles'},
      ],
    })
    expect(tryCommands(smoke, {type: 'secret', path: 'kv', name: 'n1'}, 'vault')).toEqual([
      `echo '{"policies":["a","b"],"ttl":"1h"}' | vault write kv/roles/r1 -`,
      `vault write kv/notes 'text=it'\\''s a note' n=3`,
      `vault read kv/search 'q=a b' limit=2`,
      'vault delete kv/notes/n1',
      'vault list kv/roles',
      'curl -s -H "X-Vault-Token: $VAULT_TOKEN" "$VAULT_ADDR/v1/kv/roles?list=true"',
    ])
  })

  it('fall back to path-help, which any mount answers, when the kind declares no smoke', () => {
    expect(tryCommands(declared({requests: []}), {type: 'auth', path: 'users', name: 'hello'}, 'vault')).toEqual(['vault path-help auth/users'])
    expect(tryCommands(undefined, {type: 'secret', path: 'kv', name: 'hello'}, 'vault')).toEqual(['vault path-help kv'])
  })
})
