import {randomBytes} from 'node:crypto'

import type {PluginType} from '../project/plugin-types.js'
import {msSince} from '../timing.js'
import {VaultError, type VaultClient} from '../vault/client.js'

export interface SmokeResult {
  request: string
  answer: string
  ms: number
}

/** One request through Vault's HTTP API that only the running plugin can answer, per plugin type. */
export async function smokeTest(client: VaultClient, type: PluginType, path: string, name: string): Promise<SmokeResult> {
  const started = performance.now()
  const {request, answer} = await SMOKE[type](client, path, name)
  return {request, answer, ms: msSince(started)}
}

type Smoke = (client: VaultClient, path: string, name: string) => Promise<{request: string; answer: string}>

/** Read `<path>/hello`, writing a dev config first if the mount has none yet (it answers 400 until then). */
const smokeSecrets: Smoke = async (client, path) => {
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
const smokeAuth: Smoke = async (client, path) => {
  const password = randomBytes(18).toString('base64url')
  await client.post(`auth/${path}/users/vaultkit-smoke`, {password, token_policies: 'default'})
  const login = await client.post(`auth/${path}/login`, {username: 'vaultkit-smoke', password})
  const auth = (login?.auth ?? {}) as {client_token?: string; policies?: string[]; lease_duration?: number}
  if (auth.client_token) await client.post('auth/token/revoke', {token: auth.client_token})
  return {
    request: `POST auth/${path}/login`,
    answer: `logged in as vaultkit-smoke: policies ${(auth.policies ?? []).join(', ')}, lease ${auth.lease_duration ?? 0} s`,
  }
}

/** Issue credentials from the dev role through the plugin, then revoke them (the plugin drops the user). */
const smokeDatabase: Smoke = async (client, path, name) => {
  const creds = await client.get(`${path}/creds/${name}`)
  const username = (creds?.data as {username?: string} | undefined)?.username ?? '?'
  if (typeof creds?.lease_id === 'string') await client.post('sys/leases/revoke', {lease_id: creds.lease_id})
  return {request: `GET ${path}/creds/${name}`, answer: `issued database user ${username} (lease ${String(creds?.lease_duration ?? 0)} s), then revoked it`}
}

const SMOKE: Record<PluginType, Smoke> = {secret: smokeSecrets, auth: smokeAuth, database: smokeDatabase}
