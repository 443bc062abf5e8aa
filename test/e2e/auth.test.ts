import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'

import {runCli} from '../helpers.js'
import {openAPIOperations} from './openapi.js'
import {type DevServer, devUntilReady, installVault, readServerState, scaffold, vaultHttp} from './vault.js'

// The auth kind in a real Vault: users, login over HTTP, renew, denial, upgrade.
const parent = mkdtempSync(join(tmpdir(), 'vaultkit-e2e-auth-'))
const transcript: string[] = []
let project: string
let server: DevServer

async function vaultkit(args: string[]) {
  const result = await runCli([...args, '--project', project])
  transcript.push(result.stdout, result.stderr)
  return result
}

/** A login as a client would send it: no token. */
async function login(username: string, password: string) {
  const response = await fetch(`${server.addr}/v1/auth/hello/login`, {
    method: 'POST',
    body: JSON.stringify({username, password}),
  })
  return {status: response.status, body: (await response.json()) as Record<string, any>}
}

async function lookupSelf(token: string) {
  const response = await fetch(`${server.addr}/v1/auth/token/lookup-self`, {headers: {'X-Vault-Token': token}})
  return {status: response.status, body: (await response.json()) as Record<string, any>}
}

async function renewSelf(token: string) {
  const response = await fetch(`${server.addr}/v1/auth/token/renew-self`, {method: 'POST', headers: {'X-Vault-Token': token}, body: '{}'})
  return {status: response.status, body: (await response.json()) as Record<string, any>}
}

beforeAll(async () => {
  await installVault()
  project = await scaffold('auth', parent)
  expect((await vaultkit(['server', 'start'])).exitCode).toBe(0)
  server = readServerState(project)
}, 1_800_000)

afterAll(async () => {
  if (project) await vaultkit(['server', 'stop'])
  rmSync(parent, {recursive: true, force: true})
})

describe('the auth kind in a real Vault', () => {
  test('build and register enable it under sys/auth', async () => {
    expect((await vaultkit(['plugin', 'build'])).exitCode).toBe(0)
    const registered = await vaultkit(['plugin', 'register', '--json'])
    expect(registered.exitCode, registered.stderr).toBe(0)
    expect(JSON.parse(registered.stdout)).toMatchObject({type: 'auth', catalog: 'registered', mount: 'enabled', path: 'hello'})
    const auths = await vaultHttp(server, 'GET', 'sys/auth')
    expect(auths.body.data['hello/']).toMatchObject({type: 'hello', running_plugin_version: 'v0.1.0'})
  })

  test('a user logs in over HTTP and gets a renewable token with its policies', async () => {
    expect((await vaultHttp(server, 'POST', 'auth/hello/users/alice', {password: 'correct-horse', token_policies: 'default,dev'})).status).toBe(204)
    const user = await vaultHttp(server, 'GET', 'auth/hello/users/alice')
    expect(JSON.stringify(user.body)).not.toContain('correct-horse')
    const ok = await login('alice', 'correct-horse')
    expect(ok.status).toBe(200)
    expect(ok.body.auth.policies).toEqual(['default', 'dev'])
    expect(ok.body.auth.renewable).toBe(true)
    expect(ok.body.auth.metadata).toMatchObject({username: 'alice'})
    expect((await lookupSelf(ok.body.auth.client_token)).body.data.policies).toEqual(['default', 'dev'])
    const renewed = await renewSelf(ok.body.auth.client_token)
    expect(renewed.status).toBe(200)
    expect(renewed.body.auth.lease_duration).toBeGreaterThan(0)
  })

  test('token_bound_cidrs: a login from outside them is refused, from inside it gives a token bound to them', async () => {
    await vaultHttp(server, 'POST', 'auth/hello/users/carol', {password: 'pw-carol', token_bound_cidrs: '10.0.0.0/8'})
    expect((await login('carol', 'pw-carol')).status).toBe(403)
    await vaultHttp(server, 'POST', 'auth/hello/users/carol', {token_bound_cidrs: '127.0.0.1/32'})
    const ok = await login('carol', 'pw-carol')
    expect(ok.status).toBe(200)
    const lookup = await lookupSelf(ok.body.auth.client_token)
    expect(lookup.status).toBe(200)
    expect(lookup.body.data.bound_cidrs).toEqual(['127.0.0.1'])
  })

  test('token_type batch gives a batch token', async () => {
    await vaultHttp(server, 'POST', 'auth/hello/users/dave', {password: 'pw-dave', token_type: 'batch', token_policies: 'dev'})
    const ok = await login('dave', 'pw-dave')
    expect(ok.status).toBe(200)
    expect(ok.body.auth.client_token).toMatch(/^hvb\./)
    const lookup = await lookupSelf(ok.body.auth.client_token)
    expect(lookup.body.data).toMatchObject({type: 'batch', policies: ['default', 'dev']})
  })

  test("Vault's OpenAPI document names every operation of the plugin as intended, each ID once", async () => {
    const {mine, all} = await openAPIOperations(server, 'auth/hello')
    expect(mine).toEqual({
      '/auth/hello/config': {get: 'hello-read-configuration', post: 'hello-configure', delete: 'hello-delete-configuration'},
      '/auth/hello/hello': {get: 'hello-read-greeting'},
      '/auth/hello/users/': {get: 'hello-list-users'},
      '/auth/hello/users/{name}': {get: 'hello-read-user', post: 'hello-write-user', delete: 'hello-delete-user'},
      '/auth/hello/login': {post: 'hello-login'},
    })
    for (const id of Object.values(mine).flatMap((ops) => Object.values(ops))) expect(all.filter((other) => other === id)).toHaveLength(1)
  })

  test('a wrong password and an unknown user get the same denial', async () => {
    const wrong = await login('alice', 'wrong')
    const unknown = await login('mallory', 'correct-horse')
    expect(wrong.status).toBe(403)
    expect(unknown.status).toBe(403)
    expect(wrong.body).toEqual(unknown.body)
  })

  test("a deleted user's token can no longer be renewed", async () => {
    const ok = await login('alice', 'correct-horse')
    expect((await vaultHttp(server, 'DELETE', 'auth/hello/users/alice')).status).toBe(204)
    expect((await renewSelf(ok.body.auth.client_token)).status).toBeGreaterThanOrEqual(400)
  })

  test('version 0.2.0 upgrades the auth mount in place; its users stay', async () => {
    await vaultHttp(server, 'POST', 'auth/hello/users/bob', {password: 'battery-staple', token_policies: 'default'})
    const versionFile = join(project, 'version/version.go')
    writeFileSync(versionFile, readFileSync(versionFile, 'utf8').replace('"0.1.0"', '"0.2.0"'))
    expect((await vaultkit(['plugin', 'build'])).exitCode).toBe(0)
    const registered = await vaultkit(['plugin', 'register', '--json'])
    expect(JSON.parse(registered.stdout)).toMatchObject({mount: 'upgraded', version: 'v0.2.0'})
    expect((await vaultHttp(server, 'GET', 'sys/auth')).body.data['hello/'].running_plugin_version).toBe('v0.2.0')
    expect((await login('bob', 'battery-staple')).status).toBe(200)
  })

  test('plugin dev smoke-tests an auth method by creating a user and logging in', async () => {
    const result = await devUntilReady(project)
    transcript.push(result.output)
    expect(result.output).toMatch(/POST auth\/hello\/login -> logged in as vaultkit-smoke: policies default, lease \d+ s/)
    expect(result.exitCode).toBe(0)
  })

  test('the root token appears in nothing vaultkit printed', () => {
    for (const text of transcript) expect(text.includes(server.token)).toBe(false)
  })
})
