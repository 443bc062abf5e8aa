// Installs Vault from HashiCorp's release site (or a mirror of it): the zip for this OS and architecture,
// the SHA256SUMS it is listed in and that file's detached signature, checked against HashiCorp's key.
import {createHash} from 'node:crypto'
import {createWriteStream} from 'node:fs'
import {mkdir, mkdtemp, readFile, rename, rm} from 'node:fs/promises'
import {isIP} from 'node:net'
import {join} from 'node:path'
import {finished} from 'node:stream/promises'

import {UserError, errnoCode} from '../../errors.js'
import {goPlatform} from '../../go.js'
import {type Progress, type ProgressStream, bar, createProgress, formatBytes} from '../../cli/progress.js'
import {HASHICORP_RELEASE_KEY} from './hashicorp-key.js'
import {configString} from '../../templates/search-path.js'
import {SignatureError, type SigningKey, signingKeys, verifyDetached} from './openpgp.js'
import {ZipError, extractEntry} from './unzip.js'

export const DEFAULT_RELEASES_URL = 'https://releases.hashicorp.com'

/** The site could not give what was asked (unreachable, an HTTP error, silence, no build for this platform): building from source may still work. */
export class ReleaseUnavailable extends UserError {}

export interface ReleaseOptions {
  /** e.g. "v1.21.4" */
  version: string
  /** Where the binary goes; written last, by a rename. */
  target: string
  /** The folder the download is staged in (as .download-<pid>-*): on the target's file system, so the rename is atomic. */
  workRoot: string
  env: NodeJS.ProcessEnv
  log: (line: string) => void
  stream?: ProgressStream
  signal?: AbortSignal
}

/** VAULTKIT_RELEASES_URL, else "releasesUrl" of the config file, else HashiCorp's site. */
export function releasesBase(env: NodeJS.ProcessEnv): string {
  return (env.VAULTKIT_RELEASES_URL || configString('releasesUrl', env) || DEFAULT_RELEASES_URL).replace(/\/+$/, '')
}

/** HashiCorp's names for this OS and CPU. */
export function releasePlatform(platform: string = process.platform, arch: string = process.arch): string {
  const {goos, goarch} = goPlatform(platform, arch)
  return `${goos}_${goarch}`
}

/**
 * The keys a release must be signed by: HashiCorp's, and nothing else. Tests sign their own mirror with a
 * key of their own, named by VAULTKIT_TEST_RELEASE_KEY; it is honoured only for a mirror on a loopback
 * address, whose files the user already controls, and each use says so. A mirror elsewhere, or the real
 * site, is always checked against HashiCorp's key alone.
 */
async function trustedKeys(base: string, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<SigningKey[]> {
  const keys = signingKeys(HASHICORP_RELEASE_KEY)
  const file = env.VAULTKIT_TEST_RELEASE_KEY
  if (!file) return keys
  const host = new URL(base).hostname.replace(/^\[|\]$/g, '')
  const loopback = host === 'localhost' || (isIP(host) === 4 && host.startsWith('127.')) || host === '::1'
  if (!loopback) throw new UserError(`VAULTKIT_TEST_RELEASE_KEY is set, and the release mirror ${base} is not on this machine`, 'unset VAULTKIT_TEST_RELEASE_KEY: it is for tests against a local mirror only')
  log(`Trusting the test key in ${file} for the mirror on ${host} (VAULTKIT_TEST_RELEASE_KEY)`)
  const text = await readFile(file, 'utf8').catch((error: unknown) => {
    throw new UserError(`VAULTKIT_TEST_RELEASE_KEY names ${file}, which cannot be read (${errnoCode(error) ?? (error as Error).message})`, 'point it at an armored public key, or unset it')
  })
  return [...keys, ...signingKeys(text)]
}

export async function installRelease(options: ReleaseOptions): Promise<void> {
  const {env, log} = options
  const version = options.version.replace(/^v/, '')
  const base = releasesBase(env)
  const folder = `${base}/vault/${version}`
  const sumsName = `vault_${version}_SHA256SUMS`
  const zipName = `vault_${version}_${releasePlatform()}.zip`
  // A mirror trusted with the test key is trusted because it is on this machine: it may not send us elsewhere.
  const fetcher = new Fetcher(idleSeconds(env), options.signal, env.VAULTKIT_TEST_RELEASE_KEY ? 'manual' : 'follow')
  log(`Downloading Vault ${version} from ${base}`)

  const keys = await trustedKeys(base, env, log)
  const sums = await fetcher.bytes(`${folder}/${sumsName}`)
  const signature = await fetcher.bytes(`${folder}/${sumsName}.sig`)
  try {
    const key = verifyDetached(sums, signature, keys)
    log(`  ${sumsName}: signed by ${key.fingerprint.replace(/(.{4})/g, '$1 ').trim()}`)
  } catch (error) {
    if (!(error instanceof SignatureError)) throw error
    throw new UserError(`The signature of ${folder}/${sumsName} does not hold: ${error.message}`, 'the mirror serves files HashiCorp did not sign: check it, or build from source with --from source')
  }
  const expected = checksumOf(sums.toString('utf8'), zipName)
  if (!expected) throw new ReleaseUnavailable(`Vault ${version} has no official build for ${releasePlatform()} (${sumsName} does not list ${zipName})`)

  await mkdir(options.workRoot, {recursive: true})
  const work = await mkdtemp(join(options.workRoot, `.download-${process.pid}-`))
  try {
    const zip = join(work, zipName)
    const actual = await fetcher.file(`${folder}/${zipName}`, zip, createProgress(options.stream ?? process.stderr))
    if (actual !== expected) throw new UserError(`${zipName} from ${base} is not the file HashiCorp signed (sha256 ${actual}, expected ${expected})`, 'the download was damaged or altered: run the command again, or check the mirror')
    const binary = join(work, 'vault')
    await extractEntry(zip, process.platform === 'win32' ? 'vault.exe' : 'vault', binary).catch((error: unknown) => {
      if (error instanceof ZipError) throw new UserError(`${zipName} is signed but does not unpack: ${error.message}`, 'report it to whoever runs the mirror, or build from source with --from source')
      throw error
    })
    await mkdir(join(options.target, '..'), {recursive: true})
    await rename(binary, options.target)
  } catch (error) {
    throw diskFull(error, options.workRoot)
  } finally {
    await rm(work, {recursive: true, force: true})
  }
}

function idleSeconds(env: NodeJS.ProcessEnv): number {
  const value = Number(env.VAULTKIT_RELEASES_TIMEOUT || 30)
  if (!(value > 0)) throw new UserError(`VAULTKIT_RELEASES_TIMEOUT=${env.VAULTKIT_RELEASES_TIMEOUT} is not a number of seconds`, 'set it to, say, 30')
  return value
}

function diskFull(error: unknown, folder: string): unknown {
  if (errnoCode(error) !== 'ENOSPC' && errnoCode(error) !== 'EDQUOT') return error
  return new UserError(`The disk holding ${folder} is full: Vault needs about 500 MB there`, 'free some space, or set XDG_CACHE_HOME to a folder on a larger disk')
}

/** fetch, with a time-out on silence (not on the whole download) and errors worded for the user. */
class Fetcher {
  constructor(
    private readonly idle: number,
    private readonly signal?: AbortSignal,
    private readonly redirect: 'follow' | 'manual' = 'follow',
  ) {}

  async bytes(url: string): Promise<Buffer> {
    const chunks: Buffer[] = []
    await this.get(url, async (chunk) => void chunks.push(chunk))
    return Buffer.concat(chunks)
  }

  /** Streams `url` into `path` with a progress bar; returns the sha256 of what was written. */
  async file(url: string, path: string, progress: Progress): Promise<string> {
    const hash = createHash('sha256')
    const out = createWriteStream(path)
    let failure: unknown
    out.on('error', (error) => (failure ??= error))
    const name = url.split('/').at(-1)!
    const started = performance.now()
    let received = 0
    try {
      await this.get(url, async (chunk, total) => {
        if (failure) throw failure
        hash.update(chunk)
        received += chunk.length
        if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()).once('error', () => resolve()))
        const rate = received / Math.max(0.001, (performance.now() - started) / 1000)
        const size = total ? `${bar(received / total)} ${formatBytes(received)} / ${formatBytes(total)}` : formatBytes(received)
        progress.update(`  ${name}  ${size}  ${formatBytes(rate)}/s`)
      })
      out.end()
      await finished(out)
    } catch (error) {
      out.destroy()
      throw error
    } finally {
      progress.done()
    }
    const seconds = (performance.now() - started) / 1000
    progress.done(`  ${name}: ${formatBytes(received)} in ${seconds.toFixed(1)} s`)
    return hash.digest('hex')
  }

  /**
   * fetch, following redirects; with `manual` (a mirror trusted with the test key), only those that stay on
   * the mirror's own origin. The refusal names the other origin, never the whole address (it may be signed).
   */
  private async fetchStayingHome(url: string, signal: AbortSignal): Promise<Response> {
    if (this.redirect === 'follow') return fetch(url, {signal, redirect: 'follow'})
    let at = new URL(url)
    for (let hops = 0; hops < 5; hops++) {
      const response = await fetch(at, {signal, redirect: 'manual'})
      if (response.status < 300 || response.status >= 400) return response
      await response.body?.cancel()
      const next = new URL(response.headers.get('location') ?? '', at)
      if (next.origin !== at.origin) {
        throw new UserError(
          `${url} redirects to ${next.origin}, and a mirror trusted with VAULTKIT_TEST_RELEASE_KEY must serve its files itself`,
          'serve the files from the mirror on this machine, or unset VAULTKIT_TEST_RELEASE_KEY',
        )
      }
      at = next
    }
    throw new ReleaseUnavailable(`${url} redirects more than 5 times`)
  }

  private async get(url: string, onChunk: (chunk: Buffer, total: number | undefined) => Promise<void>): Promise<void> {
    const controller = new AbortController()
    let timedOut = false
    let timer: NodeJS.Timeout | undefined
    const arm = () => {
      clearTimeout(timer)
      timer = setTimeout(() => {
        timedOut = true
        controller.abort()
      }, this.idle * 1000)
    }
    const cancel = () => controller.abort()
    this.signal?.addEventListener('abort', cancel)
    arm()
    try {
      const response = await this.fetchStayingHome(url, controller.signal)
      if (!response.ok) throw new ReleaseUnavailable(`${url} answered ${response.status} ${response.statusText}`.trim())
      const total = Number(response.headers.get('content-length')) || undefined
      for await (const chunk of response.body ?? []) {
        arm()
        await onChunk(Buffer.from(chunk as Uint8Array), total)
      }
    } catch (error) {
      if (error instanceof UserError || this.signal?.aborted) throw error
      if (timedOut) throw new ReleaseUnavailable(`${url} sent nothing for ${this.idle} s`)
      if (controller.signal.aborted || (error as Error).name === 'TypeError' || (error as Error).name === 'AbortError') {
        const cause = (error as {cause?: {code?: string; message?: string}}).cause
        throw new ReleaseUnavailable(`${url} could not be reached (${cause?.code ?? cause?.message ?? (error as Error).message})`)
      }
      throw error
    } finally {
      clearTimeout(timer)
      this.signal?.removeEventListener('abort', cancel)
    }
  }
}

/** The sha256 a SHA256SUMS file (as `sha256sum` writes it) lists for `file`, or undefined. */
export function checksumOf(sums: string, file: string): string | undefined {
  return sums
    .split('\n')
    .map((line) => line.trim().split(/\s+\*?/))
    .find(([, name]) => name === file)?.[0]
}
