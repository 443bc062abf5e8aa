import {type DevServer, vaultHttp} from './vault.js'

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const

/**
 * What Vault's OpenAPI document says of the paths under one mount: `{"/hello/config": {get: "<operationId>",
 * ...}}`, and every operation ID of the whole document, which Vault's clients need to be unique.
 */
export async function openAPIOperations(server: DevServer, mount: string): Promise<{mine: Record<string, Record<string, string>>; all: string[]}> {
  const response = await vaultHttp(server, 'GET', 'sys/internal/specs/openapi')
  if (response.status !== 200) throw new Error(`sys/internal/specs/openapi answered ${response.status}`)
  const paths = response.body.paths as Record<string, Record<string, {operationId?: string}>>
  const mine: Record<string, Record<string, string>> = {}
  const all: string[] = []
  for (const [path, item] of Object.entries(paths)) {
    for (const method of METHODS) {
      const id = item[method]?.operationId
      if (id === undefined) continue
      all.push(id)
      if (!path.startsWith(`/${mount}/`)) continue
      mine[path] = {...mine[path], [method]: id}
    }
  }
  return {mine, all}
}
