// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the smoke placeholders ${path}, ${name}, ${random}, written as template.json holds them
import {describe, expect, test} from 'vitest'

import {runSmoke} from '../../src/lib/registration/smoke.js'
import {UserError} from '../../src/lib/errors.js'
import {type VaultClient, VaultError} from '../../src/lib/vault/client.js'
import type {SmokeDeclaration} from '../../src/lib/templates/smoke-spec.js'

type Answer = Record<string, unknown> | undefined
/** What the stand-in answers a request: an answer, or an error it throws. */
type Route = (method: string, path: string, body: unknown) => Answer | Error

/**
 * An in-memory stand-in for the two methods runSmoke uses, recording every request. Its errors are built as
 * VaultClient builds them (the request named in the message); test/e2e/smoke.test.ts runs the real one.
 */
function vault(route: Route) {
  const calls: string[] = []
  const request = async (method: string, path: string, body?: unknown) => {
    calls.push(`${method} ${path}${body === undefined ? '' : ` ${JSON.stringify(body)}`}`)
    const answer = route(method, path, body)
    if (answer instanceof Error) throw answer
    return answer
  }
  const client = {request, post: (path: string, body: unknown = {}) => request('POST', path, body)}
  return {client: client as unknown as VaultClient, calls}
}

const vaultError = (method: string, path: string, status: number, said: string) =>
  new VaultError(`Vault at http://127.0.0.1:8200 answered ${status} on ${method} ${path}: ${said}`, 'check the plugin', status, [said])

const GIVEN = {path: 'kv', name: 'hello'}
const FILE = '/kinds/demo/template.json'

/** A role that must exist before credentials are read; the setup makes it when the read says it is missing. */
const WITH_SETUP: SmokeDeclaration = {
  requests: [
    {
      method: 'GET',
      path: '${path}/creds/${name}',
      setup: {status: 400, error: 'unknown role', requests: [{method: 'POST', path: '${path}/roles/${name}', body: {ttl: '1m'}}]},
    },
  ],
  show: '${data.username}',
}

describe('runSmoke: setup requests', () => {
  test('an error answer whose text the setup does not name is the smoke failure itself, nothing set up', async () => {
    const refused = vaultError('GET', 'kv/creds/hello', 400, 'permission to read creds denied')
    const {client, calls} = vault((_method, path) => (path === 'kv/creds/hello' ? refused : {}))
    await expect(runSmoke(client, WITH_SETUP, GIVEN, FILE)).rejects.toBe(refused)
    expect(calls).toEqual(['GET kv/creds/hello'])
  })

  test('an error answer the setup names: the setup requests, then the request again', async () => {
    let made = false
    const {client, calls} = vault((method, path) => {
      if (method === 'POST') {
        made = true
        return undefined
      }
      return made ? {data: {username: 'v-hello-1'}} : vaultError(method, path, 400, 'unknown role "hello"')
    })
    expect(await runSmoke(client, WITH_SETUP, GIVEN, FILE)).toEqual({request: 'GET kv/creds/hello', answer: 'v-hello-1'})
    expect(calls).toEqual(['GET kv/creds/hello', 'POST kv/roles/hello {"ttl":"1m"}', 'GET kv/creds/hello'])
  })
})

/** Two requests that each leave something behind, then a third that answers as the smoke does not expect. */
const LEAVES_THINGS: SmokeDeclaration = {
  requests: [
    {method: 'POST', path: 'auth/${path}/login', body: {name: '${name}'}},
    {method: 'GET', path: '${path}/creds/${name}'},
    {method: 'GET', path: '${path}/info', expect: {'data.ready': 'yes'}},
  ],
}

function leavingThings(revocation: (path: string) => Answer | Error = () => undefined) {
  return vault((method, path) => {
    if (path === 'auth/kv/login') return {auth: {client_token: 'hvs.login-token'}}
    if (path === 'kv/creds/hello') return {lease_id: 'kv/creds/hello/lease-1', data: {password: 'pw-secret'}}
    if (path === 'kv/info') return {data: {ready: 'no'}}
    if (path === 'sys/leases/revoke' || path === 'auth/token/revoke') return revocation(path)
    return new Error(`the stand-in has no answer for ${method} ${path}`)
  })
}

describe('runSmoke: what it created is revoked', () => {
  test('after a failure: every lease and token, newest first, and the failure is the one reported', async () => {
    const {client, calls} = leavingThings()
    await expect(runSmoke(client, LEAVES_THINGS, GIVEN, FILE)).rejects.toThrow(/^Smoke request GET kv\/info answered, but data.ready /)
    expect(calls.slice(3)).toEqual([
      'POST sys/leases/revoke {"lease_id":"kv/creds/hello/lease-1"}',
      'POST auth/token/revoke {"token":"hvs.login-token"}',
    ])
  })

  test('after a failure, a revocation that fails too is passed over: the next is still revoked, the smoke failure reported', async () => {
    const {client, calls} = leavingThings((path) => (path === 'sys/leases/revoke' ? vaultError('POST', path, 500, 'lease store down') : undefined))
    await expect(runSmoke(client, LEAVES_THINGS, GIVEN, FILE)).rejects.toThrow(/^Smoke request GET kv\/info answered/)
    expect(calls.slice(3)).toHaveLength(2)
    expect(calls[4]).toBe('POST auth/token/revoke {"token":"hvs.login-token"}')
  })

  const GOOD: SmokeDeclaration = {requests: LEAVES_THINGS.requests.slice(0, 2), show: '${lease_id}'}

  test('after a good smoke: both revoked, newest first, and the answer says so', async () => {
    const {client, calls} = leavingThings()
    expect(await runSmoke(client, GOOD, GIVEN, FILE)).toEqual({request: 'GET kv/creds/hello', answer: 'kv/creds/hello/lease-1, then revoked all 2'})
    expect(calls.slice(2)).toEqual([
      'POST sys/leases/revoke {"lease_id":"kv/creds/hello/lease-1"}',
      'POST auth/token/revoke {"token":"hvs.login-token"}',
    ])
  })

  test('after a good smoke a failed revocation fails it, naming what is left to revoke by hand, its secret hidden', async () => {
    const {client, calls} = leavingThings((path) =>
      path === 'sys/leases/revoke' ? vaultError('POST', path, 403, 'permission denied for hvs.login-token') : undefined,
    )
    const failure = await runSmoke(client, GOOD, GIVEN, FILE).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(UserError)
    expect(failure).toMatchObject({
      message: 'Revoking the lease that GET kv/creds/hello made failed: Vault at http://127.0.0.1:8200 answered 403 on POST sys/leases/revoke: permission denied for (hidden)',
      hint: 'revoke it by hand, or check the token may revoke leases',
    })
    // The older token is revoked all the same: one failure does not leave the rest behind.
    expect(calls.slice(2)).toEqual(['POST sys/leases/revoke {"lease_id":"kv/creds/hello/lease-1"}', 'POST auth/token/revoke {"token":"hvs.login-token"}'])
  })

  test('after a good smoke every failed revocation is counted in the one line', async () => {
    const {client} = leavingThings((path) => (path.endsWith('/revoke') ? vaultError('POST', path, 503, 'Vault is sealed') : undefined))
    const failure = await runSmoke(client, GOOD, GIVEN, FILE).catch((error: unknown) => error)
    expect((failure as UserError).message).toBe(
      'Revoking the lease that GET kv/creds/hello made failed: Vault at http://127.0.0.1:8200 answered 503 on POST sys/leases/revoke: Vault is sealed; 1 more could not be revoked either',
    )
  })
})

describe('runSmoke: the random value', () => {
  test('is made afresh for each run and never shown, not even in an error that echoes the request path', async () => {
    const smoke: SmokeDeclaration = {requests: [{method: 'PUT', path: '${path}/data/${random}', body: {value: '${random}'}}]}
    const {client, calls} = vault((method, path) => vaultError(method, path, 400, `cannot write ${path}`))
    const first = await runSmoke(client, smoke, GIVEN, FILE).catch((error: unknown) => error)
    await runSmoke(client, smoke, GIVEN, FILE).catch(() => undefined)
    const randoms = calls.map((call) => /^PUT kv\/data\/([\w-]+) \{"value":"([\w-]+)"\}$/.exec(call)!.slice(1))
    expect(randoms[0]![0]).toBe(randoms[0]![1])
    expect(randoms[0]![0]).toHaveLength(24)
    expect(randoms[1]![0]).not.toBe(randoms[0]![0])
    expect(first).toBeInstanceOf(VaultError)
    expect(first).toMatchObject({message: 'Vault at http://127.0.0.1:8200 answered 400 on PUT kv/data/(hidden): cannot write kv/data/(hidden)', status: 400})
  })
})
