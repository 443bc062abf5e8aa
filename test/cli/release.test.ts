import {execFileSync} from 'node:child_process'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterAll, describe, expect, it, onTestFinished} from 'vitest'

import {BIN, freePort, runCli, tempDir} from '../helpers.js'
import {Mirror, SUMS, TestSigner, VERSION, ZIP, cacheHome, makeZip, sha256} from '../release-mirror.js'

// `server install` against a local mirror of releases.hashicorp.com, signed with a test key. PATH holds
// neither vault nor go, so a fallback to the source build shows itself at once ("go is not on PATH").
const PATH = '/usr/bin:/bin'
const signer = new TestSigner()
afterAll(() => signer.remove())
const installed = (cache: string) => join(cache, 'vaultkit', 'vault', `v${VERSION}`, 'vault')

function install(mirror: Mirror | string, cache: string, args: string[] = [], env: Record<string, string> = {}) {
  return runCli(['server', 'install', ...args], {
    env: {PATH, XDG_CACHE_HOME: cache, XDG_CONFIG_HOME: cache, VAULTKIT_RELEASES_URL: typeof mirror === 'string' ? mirror : mirror.url, VAULTKIT_TEST_RELEASE_KEY: signer.publicKeyFile, ...env},
  })
}

describe('server install from a release mirror', () => {
  it('downloads, verifies and unpacks the release into the cache; the next run finds it there', async () => {
    const cache = cacheHome()
    const mirror = await Mirror.signed(signer)
    const result = await install(mirror, cache.dir)
    expect(result.stderr).toContain(`Trusting the test key in ${signer.publicKeyFile}`)
    expect(result.stderr).toMatch(new RegExp(`${SUMS}: signed by ${signer.fingerprint().slice(0, 4)} `))
    expect(result.stdout).toBe(`Vault v${VERSION} (test stand-in) at ${installed(cache.dir)} (downloaded)`)
    expect(result.exitCode).toBe(0)
    expect(cache.vaultEntries()).toEqual([`v${VERSION}`])
    const again = await install(mirror, cache.dir)
    expect(again.stdout).toContain('(cache)')
    expect(mirror.requests.filter((r) => r.endsWith('.zip'))).toHaveLength(1)
  })

  it('finds the mirror in "releasesUrl" of the config file', async () => {
    const cache = cacheHome()
    const mirror = await Mirror.signed(signer)
    execFileSync('mkdir', ['-p', join(cache.dir, 'vaultkit')])
    execFileSync('sh', ['-c', `printf '{"releasesUrl": "${mirror.url}/"}' > ${join(cache.dir, 'vaultkit', 'config.json')}`])
    const result = await install('', cache.dir)
    expect(result.stderr).toContain(`Downloading Vault ${VERSION} from ${mirror.url}\n`)
    expect(result.exitCode).toBe(0)
  })

  it('refuses a zip that is not the one the signed SHA256SUMS lists, and leaves nothing', async () => {
    const cache = cacheHome()
    const zip = makeZip()
    const mirror = await Mirror.signed(signer, Buffer.concat([zip, Buffer.from('x')]), zip)
    const result = await install(mirror, cache.dir)
    expect(result.stderr).toContain(`${ZIP} from ${mirror.url} is not the file HashiCorp signed (sha256 `)
    expect(result.exitCode).toBe(1)
    expect(cache.vaultEntries()).toEqual([])
  })

  it('refuses a signed zip that does not unpack', async () => {
    const cache = cacheHome()
    const broken = makeZip()
    broken.write('garbage!', broken.length - 22) // the end-of-directory record
    const result = await install(await Mirror.signed(signer, broken), cache.dir)
    expect(result.stderr).toContain(`${ZIP} is signed but does not unpack: it is not a zip archive`)
    expect(result.exitCode).toBe(1)
    expect(cache.vaultEntries()).toEqual([])
  })

  it('refuses SHA256SUMS whose signature does not match, or is by a key it does not trust', async () => {
    const cache = cacheHome()
    const mirror = await Mirror.signed(signer)
    mirror.files.set(`${SUMS}.sig`, signer.sign('another file'))
    const bad = await install(mirror, cache.dir)
    expect(bad.stderr).toContain(`The signature of ${mirror.url}/vault/${VERSION}/${SUMS} does not hold: the signature does not match the file`)
    expect(bad.exitCode).toBe(1)
    const untrusted = await install(await Mirror.signed(signer), cache.dir, [], {VAULTKIT_TEST_RELEASE_KEY: ''})
    expect(untrusted.stderr).toMatch(/does not hold: the signature was made by key [0-9A-F]{16}, which is not trusted/)
    expect(untrusted.exitCode).toBe(1)
    expect(cache.vaultEntries()).toEqual([])
  })

  it('honours the test key only for a mirror on this machine', async () => {
    const result = await install('https://releases.example.invalid', cacheHome().dir)
    expect(result.stderr).toContain('VAULTKIT_TEST_RELEASE_KEY is set, and the release mirror https://releases.example.invalid is not on this machine')
    expect(result.exitCode).toBe(1)
  })

  it('refuses a test-key mirror that redirects to another origin, naming only that origin, and leaves nothing', async () => {
    const cache = cacheHome()
    const mirror = await Mirror.signed(signer)
    mirror.faults.set(ZIP, {redirect: `https://releases.example.invalid/vault/${VERSION}/${ZIP}?X-Signature=s3cr3t`})
    const result = await install(mirror, cache.dir)
    expect(result.stderr).toContain(`${ZIP} redirects to https://releases.example.invalid, and a mirror trusted with VAULTKIT_TEST_RELEASE_KEY must serve its files itself`)
    expect(result.stderr).not.toContain('s3cr3t')
    expect(result.stderr).not.toContain('building from source')
    expect(result.exitCode).toBe(1)
    expect(cache.vaultEntries()).toEqual([])
  })

  it('follows a test-key mirror’s redirect to its own origin', async () => {
    const cache = cacheHome()
    const mirror = await Mirror.signed(signer)
    mirror.files.set('moved.zip', mirror.files.get(ZIP)!)
    mirror.faults.set(ZIP, {redirect: `/vault/${VERSION}/moved.zip`})
    const result = await install(mirror, cache.dir)
    expect(result.stdout, result.stderr).toMatch(/\(downloaded\)$/m)
    expect(mirror.requests).toContain(`/vault/${VERSION}/moved.zip`)
  })

  it.each([
    ['a missing signature', `${SUMS}.sig`, {status: 404}, `${SUMS}.sig answered 404 Not Found`],
    ['a server error', ZIP, {status: 500}, `${ZIP} answered 500 Internal Server Error`],
    ['a stalled download', ZIP, {stall: true}, `${ZIP} sent nothing for 1 s`],
  ] as const)('falls back to the source build on %s, and --from release refuses instead', async (_, file, fault, message) => {
    const cache = cacheHome()
    const mirror = await Mirror.signed(signer)
    mirror.faults.set(file, fault)
    const result = await install(mirror, cache.dir, [], {VAULTKIT_RELEASES_TIMEOUT: '1'})
    expect(result.stderr).toContain(`${message}: building from source instead\n`)
    expect(result.stderr).toContain('go is not on PATH')
    const forced = await install(mirror, cache.dir, ['--from', 'release'], {VAULTKIT_RELEASES_TIMEOUT: '1'})
    expect(forced.stderr).toContain(`Error: ${mirror.url}/vault/${VERSION}/${message}: check the network`)
    expect(forced.exitCode).toBe(1)
    expect(cache.vaultEntries()).toEqual([])
  })

  it('falls back when the mirror cannot be reached, and --from source never asks it', async () => {
    const cache = cacheHome()
    const nobody = `http://127.0.0.1:${await freePort()}`
    const result = await install(nobody, cache.dir)
    expect(result.stderr).toContain(`${nobody}/vault/${VERSION}/${SUMS} could not be reached (ECONNREFUSED): building from source instead`)
    const source = await install(nobody, cache.dir, ['--from', 'source'])
    expect(source.stderr).not.toContain('Downloading')
    expect(source.stderr).toContain('go is not on PATH')
  })

  it('falls back when the signed SHA256SUMS lists no build for this platform', async () => {
    const cache = cacheHome()
    const mirror = await Mirror.signed(signer)
    const sums = `${sha256('x')}  vault_${VERSION}_plan9_amd64.zip\n`
    mirror.files.set(SUMS, Buffer.from(sums))
    mirror.files.set(`${SUMS}.sig`, signer.sign(sums))
    const result = await install(mirror, cache.dir)
    expect(result.stderr).toContain(`Vault ${VERSION} has no official build for ${ZIP.slice(`vault_${VERSION}_`.length, -4)} (${SUMS} does not list ${ZIP}): building from source instead`)
  })

  it('shows a line every few seconds without a terminal; Ctrl-C leaves nothing, and a rerun starts cleanly', async () => {
    const cache = cacheHome()
    const mirror = await Mirror.signed(signer, makeZip({padding: 400_000, store: true}))
    mirror.faults.set(ZIP, {drip: 5_000})
    const child = execa(process.execPath, [BIN, 'server', 'install'], {
      reject: false,
      forceKillAfterDelay: false,
      env: {NO_COLOR: '1', PATH, XDG_CACHE_HOME: cache.dir, VAULTKIT_RELEASES_URL: mirror.url, VAULTKIT_TEST_RELEASE_KEY: signer.publicKeyFile},
    })
    let stderr = ''
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    const deadline = Date.now() + 20_000
    while (!/ kB \/ [\d.]+ kB/.test(stderr) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    expect(stderr).toMatch(new RegExp(`  ${ZIP.replaceAll('.', '\\.')}  \\[#*\\.+\\] \\d+ kB / \\d+ kB  \\d+ kB/s\\n`))
    expect(cache.vaultEntries()).toHaveLength(1) // the staging folder
    child.kill('SIGINT')
    const result = await child
    expect(result.exitCode).toBe(130)
    expect(stderr).toContain('Error: Interrupted: nothing was left in the cache')
    expect(cache.vaultEntries()).toEqual([])
    mirror.faults.delete(ZIP)
    expect((await install(mirror, cache.dir)).exitCode).toBe(0)
    expect(cache.vaultEntries()).toEqual([`v${VERSION}`])
  })

  // Interrupted while it lays out the module, before any compiling: a test must not start a 13-minute build.
  it('Ctrl-C during the source build leaves nothing in the cache', async () => {
    const cache = cacheHome()
    const child = execa(process.execPath, [BIN, 'server', 'install', '--from', 'source'], {
      reject: false,
      forceKillAfterDelay: false,
      env: {NO_COLOR: '1', PATH: `/usr/local/go/bin:${PATH}`, XDG_CACHE_HOME: cache.dir},
    })
    let stderr = ''
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    const deadline = Date.now() + 60_000
    while (!stderr.includes('  github.com/hashicorp/vault/') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    expect(cache.vaultEntries()).toEqual([expect.stringMatching(/^\.build-\d+-/)])
    child.kill('SIGINT')
    const result = await child
    expect(result.stderr, `exit ${result.exitCode} signal ${result.signal} ${result.message}`).toContain('Error: Interrupted: nothing was left in the cache')
    expect(result.exitCode).toBe(130)
    expect(cache.vaultEntries()).toEqual([])
  })

  it('removes the staging folder a killed run left, and only one whose process is gone', async () => {
    const cache = cacheHome()
    const dead = (await execa('sh', ['-c', 'echo $$'])).stdout
    const vault = join(cache.dir, 'vaultkit', 'vault')
    execFileSync('mkdir', ['-p', join(vault, `.download-${dead}-abc`, 'partial'), join(vault, `.build-${process.pid}-abc`)])
    expect((await install(await Mirror.signed(signer), cache.dir)).exitCode).toBe(0)
    expect(cache.vaultEntries()).toEqual([`.build-${process.pid}-abc`, `v${VERSION}`])
  })

  it('says the disk is full, and leaves nothing behind', async () => {
    const cache = tempDir('vaultkit-tmpfs-')
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', cache])
    onTestFinished(() => {
      execFileSync('umount', [cache])
    })
    const result = await install(await Mirror.signed(signer, makeZip({padding: 2_000_000, store: true})), cache)
    expect(result.stderr).toContain(`The disk holding ${join(cache, 'vaultkit', 'vault')} is full`)
    expect(result.exitCode).toBe(1)
    expect(execFileSync('ls', ['-A', join(cache, 'vaultkit', 'vault')], {encoding: 'utf8'})).toBe('')
  })
})
