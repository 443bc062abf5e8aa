import {cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {createHash} from 'node:crypto'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'

import type {ReleaseResult} from '../../src/lib/project/release.js'
import {listTree, runCli} from '../helpers.js'
import {type DevServer, installVault, readServerState, scaffold, vaultHttp} from './vault.js'

// A release of the secrets kind, signed with an Ed25519 key gpg made here, checked the way an operator and a
// security team would: sha256sum -c, the binaries' headers, a rebuild elsewhere (and with make) giving the
// same bytes, the signature checked before the linux/amd64 binary is installed into a real Vault and used.
const parent = mkdtempSync(join(tmpdir(), 'vaultkit-e2e-release-'))
const BINARY = 'vault-plugin-secrets-hello'
const PLATFORMS = ['linux/amd64', 'linux/arm64', 'darwin/amd64', 'darwin/arm64', 'windows/amd64']
const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Release Test',
  GIT_AUTHOR_EMAIL: 'release@example.com',
  GIT_COMMITTER_NAME: 'Release Test',
  GIT_COMMITTER_EMAIL: 'release@example.com',
}
const GNUPGHOME = join(parent, 'gnupg')
const SUMS = `${BINARY}_0.1.0_SHA256SUMS`
let project: string
let dist: string
/** The armored public keys of the release's signer and of someone else. */
let signerKey: string
let otherKey: string
let release: ReleaseResult
let server: DevServer

const gpg = (...args: string[]) => execa('gpg', ['--batch', ...args], {env: {GNUPGHOME}})
async function makeKey(email: string): Promise<string> {
  await gpg('--passphrase', '', '--quick-gen-key', `Release Test <${email}>`, 'ed25519', 'sign', 'never')
  const file = join(parent, `${email}.asc`)
  writeFileSync(file, (await gpg('--armor', '--export', email)).stdout)
  return file
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex')
const unzipEntry = async (zip: string) => Buffer.from((await execa('unzip', ['-p', zip], {encoding: 'buffer'})).stdout)

// Machine numbers of the headers: ELF e_machine, Mach-O cputype, PE Machine.
const ELF = new Map([[62, 'amd64'], [183, 'arm64']])
const MACHO = new Map([[0x01000007, 'amd64'], [0x0100000c, 'arm64']])
const PE = new Map([[0x8664, 'amd64'], [0xaa64, 'arm64']])

/** The OS/ARCH a binary's header says it is for. */
function platformOf(binary: Buffer): string {
  if (binary.readUInt32BE(0) === 0x7f454c46) return `linux/${ELF.get(binary.readUInt16LE(18))}`
  if (binary.readUInt32LE(0) === 0xfeedfacf) return `darwin/${MACHO.get(binary.readUInt32LE(4))}`
  const pe = binary.readUInt32LE(0x3c)
  if (binary.toString('latin1', 0, 2) === 'MZ' && binary.toString('latin1', pe, pe + 4) === 'PE\0\0') return `windows/${PE.get(binary.readUInt16LE(pe + 4))}`
  return 'unknown'
}

beforeAll(async () => {
  await installVault()
  project = await scaffold('secrets', parent)
  await execa('git', ['init', '--quiet'], {cwd: project})
  await execa('git', ['add', '--all'], {cwd: project})
  await execa('git', ['commit', '--quiet', '-m', 'first'], {cwd: project, env: GIT_ENV})
  mkdirSync(GNUPGHOME, {mode: 0o700})
  signerKey = await makeKey('release@example.com')
  otherKey = await makeKey('someone-else@example.com')
  // The vulnerability gate has its own tests (test/go/release-trust.test.ts).
  const result = await runCli(['plugin', 'release', '--project', project, '--sign', 'release@example.com', '--skip-audit', '--json'], {env: {GNUPGHOME}})
  expect(result.exitCode, result.stderr).toBe(0)
  release = JSON.parse(result.stdout) as ReleaseResult
  dist = join(project, 'dist')
}, 1_800_000)

afterAll(async () => {
  if (server) await runCli(['server', 'stop', '--project', project])
  await execa('gpgconf', ['--kill', 'all'], {env: {GNUPGHOME}, reject: false})
  rmSync(parent, {recursive: true, force: true})
})

describe('plugin release of the secrets kind', () => {
  test('writes a zip and an SBOM a default platform, SHA256SUMS of them that sha256sum -c accepts, and its signature', async () => {
    expect(release.out).toBe(dist)
    expect(release.platforms.map((p) => p.platform)).toEqual(PLATFORMS)
    const files = PLATFORMS.flatMap((p) => ['zip', 'cdx.json'].map((ext) => `${BINARY}_0.1.0_${p.replace('/', '_')}.${ext}`))
    expect(listTree(dist)).toEqual([...files, SUMS, `${SUMS}.sig`].sort())
    const check = await execa('sha256sum', ['-c', SUMS], {cwd: dist, reject: false})
    expect(check.exitCode, check.stderr).toBe(0)
    expect(check.stdout.split('\n').filter((line) => line.endsWith(': OK'))).toHaveLength(10)
    expect((await gpg('--verify', join(dist, `${SUMS}.sig`), join(dist, SUMS))).exitCode).toBe(0)
    for (const p of release.platforms) expect(sha256(readFileSync(join(dist, p.zip)))).toBe(p.zipSha256)
  })

  test('each binary is built for its platform, executable, dated 1980, and hashed as printed', async () => {
    for (const p of release.platforms) {
      const binary = await unzipEntry(join(dist, p.zip))
      expect(platformOf(binary), p.zip).toBe(p.platform)
      expect(sha256(binary)).toBe(p.sha256)
      expect(p.binary).toBe(p.platform.startsWith('windows') ? `${BINARY}.exe` : BINARY)
      const listing = (await execa('zipinfo', [join(dist, p.zip)])).stdout
      expect(listing).toMatch(new RegExp(`-rwxr-xr-x .* 80-Jan-01 00:00 ${p.binary.replace('.', '\\.')}\\n`))
    }
  })

  test('a clone in another folder gives the same bytes, with make release and with vaultkit', async () => {
    const clone = join(parent, 'elsewhere', 'a-longer-path', 'clone')
    mkdirSync(join(parent, 'elsewhere', 'a-longer-path'), {recursive: true})
    await execa('git', ['clone', '--quiet', project, clone])
    const make = await execa('make', ['release'], {cwd: clone, reject: false, all: true})
    expect(make.exitCode, make.all).toBe(0)
    expect(make.stdout).toContain(`linux/amd64    ${release.platforms[0]!.sha256}  ${release.platforms[0]!.zip}`)
    // make release does not sign; everything else is the same bytes.
    const unsigned = listTree(dist).filter((file) => !file.endsWith('.sig'))
    expect(listTree(join(clone, 'dist'))).toEqual(unsigned)
    for (const file of unsigned) {
      expect(readFileSync(join(clone, 'dist', file)).equals(readFileSync(join(dist, file))), file).toBe(true)
    }
    const again = await runCli(['plugin', 'release', '--project', clone, '--out', join(clone, 'dist-vaultkit'), '--platform', 'windows/amd64', '--skip-audit', '--json'])
    expect(again.exitCode, again.stderr).toBe(0)
    const windows = release.platforms.find((p) => p.platform === 'windows/amd64')!
    expect(readFileSync(join(clone, 'dist-vaultkit', windows.zip)).equals(readFileSync(join(dist, windows.zip)))).toBe(true)
  })

  test('the linux/amd64 binary, unzipped into a real Vault and registered with the printed sha256, serves', async () => {
    const started = await runCli(['server', 'start', '--project', project, '--json'])
    expect(started.exitCode, started.stderr).toBe(0)
    server = readServerState(project)
    const linux = release.platforms.find((p) => p.platform === 'linux/amd64')!
    await execa('unzip', ['-o', join(dist, linux.zip), '-d', join(project, 'vault/plugins')])
    const registered = await runCli([
      'plugin', 'register', '--project', project, '--json',
      '--sha256', linux.sha256, '--command', BINARY, '--type', 'secret', '--name', 'hello', '--plugin-version', '0.1.0',
    ])
    expect(registered.exitCode, registered.stderr).toBe(0)
    expect(JSON.parse(registered.stdout)).toMatchObject({mount: 'enabled', sha256: linux.sha256})
    expect((await vaultHttp(server, 'POST', 'hello/config', {custom_prefix: 'Released'})).status).toBe(204)
    expect((await vaultHttp(server, 'GET', 'hello/hello?name=Ops')).body.data.message).toBe(`Released, hello Ops from ${BINARY}`)
  })

  test('a release that does not carry a trusted signature is refused in one line, and nothing is installed', async () => {
    const pluginDir = join(project, 'vault/plugins')
    const catalog = async () => (await vaultHttp(server, 'GET', 'sys/plugins/catalog')).body.data.detailed
    const [filesBefore, catalogBefore] = [readdirSync(pluginDir).sort(), await catalog()]
    const refusals: Array<[string, (copy: string) => void | Promise<void>, RegExp]> = [
      ['unsigned', (copy) => rmSync(join(copy, `${SUMS}.sig`)), new RegExp(`^Error: ${SUMS} is not signed \\(no ${SUMS}\\.sig\\), and only signed releases are trusted`)],
      [
        'signed by another key',
        async (copy) => {
          await gpg('--yes', '--local-user', 'someone-else@example.com', '--detach-sign', '--output', join(copy, `${SUMS}.sig`), join(copy, SUMS))
        },
        new RegExp(`^Error: the signature of ${SUMS} does not hold: `),
      ],
      [
        'sums edited after signing',
        (copy) => writeFileSync(join(copy, SUMS), readFileSync(join(copy, SUMS), 'utf8').replace(/^[0-9a-f]/, (c) => (c === '0' ? '1' : '0'))),
        new RegExp(`^Error: the signature of ${SUMS} does not hold: `),
      ],
    ]
    for (const [what, change, message] of refusals) {
      const copy = join(parent, `refused-${what.replaceAll(' ', '-')}`)
      cpSync(dist, copy, {recursive: true})
      await change(copy)
      const result = await runCli(['plugin', 'register', '--project', project, '--from-release', copy, '--trust', signerKey])
      expect(result.exitCode, what).toBe(1)
      expect(result.stderr, what).toMatch(message)
      expect(result.stderr, what).toContain('nothing was installed')
      expect(readdirSync(pluginDir).sort(), what).toEqual(filesBefore)
      expect(await catalog(), what).toEqual(catalogBefore)
    }
    // Trusting the other key (in the config file, as "trustedKeys") refuses the real release too.
    const config = join(parent, 'config')
    mkdirSync(join(config, 'vaultkit'), {recursive: true})
    writeFileSync(join(config, 'vaultkit', 'config.json'), JSON.stringify({trustedKeys: [otherKey]}))
    const other = await runCli(['plugin', 'register', '--project', project, '--from-release', dist], {env: {XDG_CONFIG_HOME: config}})
    expect(other.exitCode).toBe(1)
    expect(other.stderr).toContain(`the signature of ${SUMS} does not hold`)
    expect(readdirSync(pluginDir).sort()).toEqual(filesBefore)
  })

  test('register --from-release --trust checks the signature, then installs the checked binary under its versioned name and runs it', async () => {
    const linux = release.platforms.find((p) => p.platform === 'linux/amd64')!
    // dist/ keeps earlier releases beside the new one: the newest is installed (0.0.9 would not even verify).
    writeFileSync(join(dist, `${BINARY}_0.0.9_SHA256SUMS`), `${'0'.repeat(64)}  ${BINARY}_0.0.9_linux_amd64.zip\n`)
    const text = await runCli(['plugin', 'register', '--project', project, '--from-release', dist, '--trust', signerKey])
    expect(text.exitCode, text.stderr).toBe(0)
    expect(text.stdout).toMatch(/^signature: verified, SHA256SUMS signed by trusted key [0-9A-F]{40}$/m)
    const result = await runCli(['plugin', 'register', '--project', project, '--from-release', dist, '--json'])
    expect(result.exitCode, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({command: `${BINARY}_v0.1.0`, sha256: linux.sha256, version: 'v0.1.0', signature: {status: 'unverified', signed: true}})
    expect(sha256(readFileSync(join(project, 'vault/plugins', `${BINARY}_v0.1.0`)))).toBe(linux.sha256)
    const catalog = await vaultHttp(server, 'GET', 'sys/plugins/catalog/secret/hello?version=v0.1.0')
    expect(catalog.body.data).toMatchObject({command: `${BINARY}_v0.1.0`, sha256: linux.sha256})
    expect((await vaultHttp(server, 'GET', 'hello/hello?name=Ops')).body.data.message).toBe(`Released, hello Ops from ${BINARY}`)
  })

  test('a zip that does not match its SHA256SUMS is refused, and nothing is left in the plugin directory', async () => {
    const tampered = join(parent, 'tampered')
    cpSync(dist, tampered, {recursive: true})
    const linux = release.platforms.find((p) => p.platform === 'linux/amd64')!
    const zip = readFileSync(join(tampered, linux.zip))
    const middle = zip.length >> 1
    zip.writeUInt8(zip.readUInt8(middle) ^ 0xff, middle)
    writeFileSync(join(tampered, linux.zip), zip)
    const pluginDir = join(project, 'vault/plugins')
    rmSync(join(pluginDir, `${BINARY}_v0.1.0`))
    const before = readdirSync(pluginDir).sort()
    const result = await runCli(['plugin', 'register', '--project', project, '--from-release', tampered])
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toMatch(new RegExp(`${linux.zip} does not match its checksum in ${BINARY}_0.1.0_SHA256SUMS`))
    expect(readdirSync(pluginDir).sort()).toEqual(before)
    expect(existsSync(join(pluginDir, `${BINARY}_v0.1.0`))).toBe(false)
  })
})
