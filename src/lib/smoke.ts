import {VaultError, type VaultClient} from './vault/client.js'

export interface SmokeResult {
  request: string
  answer: string
  ms: number
}

/**
 * One request through Vault's HTTP API that only the running plugin can answer: read `<path>/hello`,
 * writing a dev config first if the mount has none yet (the secrets kind answers 400 until configured).
 */
export async function smokeTest(client: VaultClient, path: string): Promise<SmokeResult> {
  const started = performance.now()
  let response
  try {
    response = await client.get(`${path}/hello`)
  } catch (error) {
    if (!(error instanceof VaultError && error.status === 400 && /not configured/.test(error.message))) throw error
    await client.post(`${path}/config`, {custom_prefix: 'Hello'})
    response = await client.get(`${path}/hello`)
  }
  const data = (response?.data ?? {}) as Record<string, unknown>
  return {
    request: `GET ${path}/hello`,
    answer: typeof data.message === 'string' ? data.message : JSON.stringify(data),
    ms: Math.round(performance.now() - started),
  }
}
