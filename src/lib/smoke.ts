import {randomBytes} from 'node:crypto'

import type {PluginType} from './templates/manifest.js'
import {VaultError, type VaultClient} from './vault/client.js'

export interface SmokeResult {
  request: string
  answer: string
  ms: number
}

/** One request through Vault's HTTP API that only the running plugin can answer, per plugin type. */
export async function smokeTest(client: VaultClient, type: PluginType, path: string): Promise<SmokeResult> {
  const started = performance.now()
  const {request, answer} = type === 'auth' ? await smokeAuth(client, path) : await smokeSecrets(client, path)
  return {request, answer, ms: Math.round(performance.now() - started)}
}

/** Read `<path>/hello`, writing a dev config first if the mount has none yet (it answers 400 until then). */
async function smokeSecrets(client: VaultClient, path: string) {
  const read = () => client.get(`${path}/hello`)
  let response
  try {
    response = await read()
  } catch (error) {
    if (!(error instanceof VaultError && error.status === 400 && /not configured/.test(error.message))) throw error
    await client.post(`${path}/config`, {custom_prefix: 'Hello'})
    response = await read()
  }
  const data = (response?.data ?? {}) as Record<string, unknown>
  return {request: `GET ${path}/hello`, answer: typeof data.message === 'string' ? data.message : JSON.stringify(data)}
}

/** Create (or reset) a dev user, log in as it, and report the token's policies; the token is revoked again. */
async function smokeAuth(client: VaultClient, path: string) {
  const password = randomBytes(18).toString('base64url')
  await client.post(`auth/${path}/users/vaultkit-smoke`, {password, policies: 'default'})
  const login = await client.post(`auth/${path}/login`, {username: 'vaultkit-smoke', password})
  const auth = (login?.auth ?? {}) as {client_token?: string; policies?: string[]; lease_duration?: number}
  if (auth.client_token) await client.post('auth/token/revoke', {token: auth.client_token})
  return {
    request: `POST auth/${path}/login`,
    answer: `logged in as vaultkit-smoke: policies ${(auth.policies ?? []).join(', ')}, lease ${auth.lease_duration ?? 0} s`,
  }
}
