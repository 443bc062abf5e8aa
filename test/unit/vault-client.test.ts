import {createServer, type IncomingHttpHeaders} from 'node:http'
import {afterAll, beforeAll, expect, test} from 'vitest'

import {VaultClient, oneLineOf} from '../../src/lib/vault/client.js'

// A local HTTP server that records what the client sends; the real-Vault behaviour is in test/e2e.
const seen: {path: string; headers: IncomingHttpHeaders}[] = []
const server = createServer((req, res) => {
  seen.push({path: req.url ?? '', headers: req.headers})
  res.writeHead(req.url?.includes('denied') ? 403 : 200, {'Content-Type': 'application/json'})
  res.end(req.url?.includes('denied') ? JSON.stringify({errors: ['1 error occurred:\n\t* permission denied\n\n']}) : '{}')
})
let addr = ''
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  addr = `http://127.0.0.1:${(server.address() as {port: number}).port}`
})
afterAll(() => server.close())

test('the namespace goes to namespaced paths, never to the root-only catalog, reload and config', async () => {
  const client = new VaultClient({addr, token: 't', namespace: 'team-a', source: 'test'})
  for (const path of ['sys/plugins/catalog/secret/x', 'sys/plugins/reload/backend', 'sys/config/state/sanitized', 'sys/mounts', 'x/hello']) {
    await client.get(path)
  }
  expect(seen.map((s) => [s.path, s.headers['x-vault-namespace']])).toEqual([
    ['/v1/sys/plugins/catalog/secret/x', undefined],
    ['/v1/sys/plugins/reload/backend', undefined],
    ['/v1/sys/config/state/sanitized', undefined],
    ['/v1/sys/mounts', 'team-a'],
    ['/v1/x/hello', 'team-a'],
  ])
  expect(seen.every((s) => s.headers['x-vault-token'] === 't')).toBe(true)
})

test('errors become one line, without the token or hidden values', async () => {
  const client = new VaultClient({addr, token: 'tok-123', source: 'test'})
  client.hide('s3cret')
  await expect(client.get('denied')).rejects.toThrow(/^Vault at .* refused the token \(403 on GET denied: permission denied\)$/)
  expect(client.scrub('token tok-123 and s3cret')).toBe('token <token> and <redacted>')
  expect(oneLineOf('2 errors occurred:\n\t* a\n\t* b\n\n')).toBe('a; b')
})
