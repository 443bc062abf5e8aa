import {createServer, type IncomingHttpHeaders} from 'node:http'
import {afterAll, beforeAll, expect, test} from 'vitest'

import {hintFor, VaultClient, oneLineOf} from '../../src/lib/vault/client.js'

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

// Each message as Vault 1.21 (vault/plugincatalog) or go-plugin words it, behind the errors plugin authors meet.
test.each([
  ['fork/exec /p/x: checksums did not match', 'the binary changed since it was registered: run `vaultkit plugin register` again'],
  ['plugin version mismatch: hello reported version (v0.1.0) did not match requested version (v9.9.9)', 'version/version.go and the registered version differ: rebuild with `vaultkit plugin build`, then register again'],
  ['could not set plugin, plugin directory is not configured', "set plugin_directory in the server's config (vault-config.hcl for a dev server) and restart it"],
  ['cannot execute files outside of configured plugin directory /p: expected /p, got /q', "put the binary inside the server's plugin_directory (not a symlink pointing out of it)"],
  ['stat /p/missing: no such file or directory', "the binary is not in the server's plugin_directory: build it there, or pass --command"],
  ['Unrecognized remote plugin message: \x7fELF', "the binary does not run on the server: build it for the server's OS and architecture, and check mlock settings"],
  ['invalid path', 'see the message from Vault above'],
])('the hint for "%s"', (said, hint) => {
  expect(hintFor(said)).toBe(hint)
})
