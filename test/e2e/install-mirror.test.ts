import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, expect, it} from 'vitest'

import {runCli} from '../helpers.js'
import {Mirror, TestSigner, VERSION, cacheHome, makeZip} from '../release-mirror.js'
import {installVault} from './vault.js'

// `server install` from a local mirror of releases.hashicorp.com holding a real Vault binary: the one this
// machine built or found, which only the e2e tier may wait for (test/cli/release.test.ts covers the rest).
const signer = new TestSigner()
afterAll(() => signer.remove())

it('installs a real Vault binary from the mirror', async () => {
  const real = await installVault()
  const cache = cacheHome()
  const mirror = await Mirror.signed(signer, makeZip({binary: real}))
  const result = await runCli(['server', 'install'], {
    env: {PATH: '/usr/bin:/bin', XDG_CACHE_HOME: cache.dir, XDG_CONFIG_HOME: cache.dir, VAULTKIT_RELEASES_URL: mirror.url, VAULTKIT_TEST_RELEASE_KEY: signer.publicKeyFile},
  })
  expect(result.stdout, result.stderr).toMatch(/^Vault v1\.21\.4, .* \(downloaded\)$/)
  const installed = join(cache.dir, 'vaultkit', 'vault', `v${VERSION}`, 'vault')
  expect(readFileSync(installed).equals(readFileSync(real))).toBe(true)
}, 1_800_000)
