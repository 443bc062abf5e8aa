import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {type IncomingMessage, type ServerResponse, createServer} from 'node:http'
import {join} from 'node:path'
import {onTestFinished} from 'vitest'

import {releasePlatform} from '../src/lib/vault/install/release.js'
import {tempDir} from './helpers.js'

export const VERSION = '1.21.4'
export const ZIP = `vault_${VERSION}_${releasePlatform()}.zip`
export const SUMS = `vault_${VERSION}_SHA256SUMS`

/** A throw-away gpg home with an RSA signing key: the test stands in for HashiCorp. Call remove() after. */
export class TestSigner {
  readonly home = mkdtempSync(join(tmpdir(), 'vaultkit-gpg-'))
  readonly publicKeyFile: string

  constructor(options: {subkey?: boolean} = {}) {
    chmodSync(this.home, 0o700)
    const uid = 'vaultkit test release key <test@example.invalid>'
    this.gpg('--quick-gen-key', uid, 'rsa2048', options.subkey ? 'cert' : 'sign', 'never')
    if (options.subkey) this.gpg('--quick-add-key', this.fingerprint(), 'rsa2048', 'sign', 'never')
    this.publicKeyFile = join(this.home, 'public.asc')
    writeFileSync(this.publicKeyFile, this.gpg('--armor', '--export'))
  }

  remove() {
    rmSync(this.home, {recursive: true, force: true})
  }

  gpg(...args: string[]): string {
    return execFileSync('gpg', ['--homedir', this.home, '--batch', '--pinentry-mode', 'loopback', '--passphrase', '', ...args], {encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe']})
  }

  fingerprint(): string {
    return /^fpr:+([0-9A-F]{40}):/m.exec(this.gpg('--with-colons', '--fingerprint'))![1]!
  }

  /** A detached binary signature, as HashiCorp publishes (`--armor` for the text form). */
  sign(data: Buffer | string, ...flags: string[]): Buffer {
    const file = join(this.home, 'to-sign')
    writeFileSync(file, data)
    execFileSync('gpg', ['--homedir', this.home, '--batch', '--yes', '--pinentry-mode', 'loopback', '--passphrase', '', ...flags, '--output', `${file}.sig`, '--detach-sign', file], {stdio: 'pipe'})
    return readFileSync(`${file}.sig`)
  }
}

/** A zip holding `vault` (a script answering `vault version`, or a real binary) made by Info-ZIP's zip. */
export function makeZip(options: {binary?: string; padding?: number; store?: boolean} = {}): Buffer {
  const dir = tempDir('vaultkit-zip-')
  const vault = join(dir, 'vault')
  if (options.binary) execFileSync('cp', [options.binary, vault])
  else {
    // Random padding after `exit` makes it as large as a test needs (a full disk) and incompressible.
    const script = `#!/bin/sh\necho "Vault v${VERSION} (test stand-in)"\nexit 0\n`
    writeFileSync(vault, Buffer.concat([Buffer.from(script), randomText(options.padding ?? 0)]))
  }
  chmodSync(vault, 0o755)
  // A real binary is deflated at the fastest level: the same format as HashiCorp's, in a third of the time.
  execFileSync('zip', ['-q', options.store ? '-0' : options.binary ? '-1' : '-6', '-j', join(dir, 'out.zip'), vault])
  return readFileSync(join(dir, 'out.zip'))
}

function randomText(bytes: number): Buffer {
  return Buffer.from(Array.from({length: Math.ceil(bytes / 64)}, () => `# ${createHash('sha256').update(Math.random().toString()).digest('hex')}\n`).join('').slice(0, bytes))
}

export const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex')

export type Fault = {status: number} | {stall: true} | {drip: number} | {redirect: string}

/** HashiCorp's layout on a local port: `<base>/vault/<version>/<file>`, each file replaceable or faulty. */
export class Mirror {
  readonly files = new Map<string, Buffer>()
  readonly faults = new Map<string, Fault>()
  readonly requests: string[] = []
  private readonly server = createServer((req, res) => void this.serve(req, res))
  private readonly open = new Set<ServerResponse>()

  static async signed(signer: TestSigner, zip: Buffer = makeZip(), sumsFor: Buffer = zip): Promise<Mirror> {
    const mirror = new Mirror()
    const sums = `${sha256('other')}  vault_${VERSION}_windows_amd64.zip\n${sha256(sumsFor)}  ${ZIP}\n`
    mirror.files.set(ZIP, zip)
    mirror.files.set(SUMS, Buffer.from(sums))
    mirror.files.set(`${SUMS}.sig`, signer.sign(sums))
    await mirror.listen()
    return mirror
  }

  get url(): string {
    const {port} = this.server.address() as {port: number}
    return `http://127.0.0.1:${port}`
  }

  private async listen() {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    onTestFinished(() => {
      for (const res of this.open) res.destroy()
      return new Promise<void>((resolve) => this.server.close(() => resolve()))
    })
  }

  private async serve(req: IncomingMessage, res: ServerResponse) {
    this.requests.push(req.url!)
    const name = req.url!.replace(`/vault/${VERSION}/`, '')
    const body = this.files.get(name)
    const fault = this.faults.get(name)
    if (fault && 'redirect' in fault) {
      res.writeHead(302, {location: fault.redirect}).end()
      return
    }
    if (!body || (fault && 'status' in fault)) {
      res.writeHead(fault && 'status' in fault ? fault.status : 404).end()
      return
    }
    this.open.add(res)
    res.on('close', () => this.open.delete(res))
    res.writeHead(200, {'content-length': body.length, 'content-type': 'application/octet-stream'})
    if (fault && 'stall' in fault) {
      res.write(body.subarray(0, body.length >> 1))
      return
    }
    if (fault && 'drip' in fault) {
      // `drip` bytes every 100 ms: a slow line, for progress lines and Ctrl-C.
      for (let at = 0; at < body.length && !res.destroyed; at += fault.drip) {
        res.write(body.subarray(at, at + fault.drip))
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      res.end()
      return
    }
    res.end(body)
  }
}

/** XDG_CACHE_HOME for one test, and what its vault folder holds afterwards. */
export function cacheHome(): {dir: string; vaultEntries: () => string[]} {
  const dir = tempDir('vaultkit-cache-')
  return {
    dir,
    vaultEntries: () => {
      const folder = join(dir, 'vaultkit', 'vault')
      return existsSync(folder) ? readdirSync(folder).sort() : []
    },
  }
}
