import {readFileSync} from 'node:fs'

import {UserError, errnoCode} from '../errors.js'

export interface VaultConnection {
  addr: string
  token: string
  namespace?: string
  caCert?: string
  /** Where addr and token came from, for messages: "VAULT_ADDR", "the dev server", ... */
  source: string
  /** How long a request may go without an answer; default 30 s. */
  timeoutMs?: number
}

/** An error answer from Vault: its status and its `errors` list. */
export class VaultError extends UserError {
  constructor(
    message: string,
    hint: string,
    readonly status: number,
    readonly errors: string[],
  ) {
    super(message, hint)
    this.name = 'VaultError'
  }
}

type Json = Record<string, unknown>

export const ROOT_ONLY = /^\/*sys\/(plugins|config)\//

/** A small client for the few endpoints vaultkit uses; every failure becomes a one-line UserError. */
export class VaultClient {
  private readonly ca?: Buffer
  private readonly hidden: string[] = []

  constructor(readonly connection: VaultConnection) {
    if (connection.caCert) {
      try {
        this.ca = readFileSync(connection.caCert)
      } catch (error) {
        throw new UserError(`VAULT_CACERT ${connection.caCert} cannot be read (${errnoCode(error) ?? 'error'})`, 'point it at the PEM file of the CA that signed Vault\'s certificate')
      }
    }
  }

  get addr(): string {
    return this.connection.addr
  }

  async request(method: string, path: string, body?: unknown): Promise<Json | undefined> {
    const url = new URL(`/v1/${path.replace(/^\/+/, '')}`, this.connection.addr)
    const payload = body === undefined ? undefined : JSON.stringify(body)
    const headers: Record<string, string> = {'X-Vault-Token': this.connection.token, 'X-Vault-Request': 'true'}
    // The plugin catalog, reloads and server config live in the root namespace only.
    if (this.connection.namespace && !ROOT_ONLY.test(path)) headers['X-Vault-Namespace'] = this.connection.namespace
    if (payload) headers['Content-Type'] = 'application/json'
    const {status, text} = await this.send(url, method, headers, payload)
    const parsed = parseJson(text)
    if (status >= 200 && status < 300) return parsed
    throw this.failure(method, path, status, parsed)
  }

  get = (path: string) => this.request('GET', path)
  /** GET, where a 404 means "not there yet" rather than a failure. */
  getIfExists = (path: string) =>
    this.get(path).catch((error: unknown) => {
      if (error instanceof VaultError && error.status === 404) return undefined
      throw error
    })
  post = (path: string, body: unknown = {}) => this.request('POST', path, body)
  delete = (path: string) => this.request('DELETE', path)

  private send(url: URL, method: string, headers: Record<string, string>, payload?: string) {
    // https (and tls under it) loaded only for a Vault that speaks it: a dev server does not.
    const {request} = url.protocol === 'https:' ? process.getBuiltinModule('node:https') : process.getBuiltinModule('node:http')
    return new Promise<{status: number; text: string}>((resolve, reject) => {
      const req = request(url, {method, headers, ca: this.ca, timeout: this.connection.timeoutMs ?? 30_000}, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => resolve({status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8')}))
        res.on('error', reject)
      })
      req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), {code: 'ETIMEDOUT'})))
      req.on('error', (error) => reject(this.unreachable(error)))
      req.end(payload)
    })
  }

  private unreachable(error: Error): UserError {
    const code = errnoCode(error) ?? error.message
    if (/CERT|SELF_SIGNED|^UNABLE_TO_|^ERR_TLS_|^ERR_SSL_/.test(code)) {
      return new UserError(`Vault at ${this.addr} presented a certificate that could not be verified (${code})`, 'set VAULT_CACERT to the CA file that signed it')
    }
    return new UserError(
      `Vault at ${this.addr} is not reachable (${code})`,
      `start a dev server with \`vaultkit server start\`, or set VAULT_ADDR to a running Vault`,
    )
  }

  private failure(method: string, path: string, status: number, body: Json | undefined): VaultError {
    const errors = (Array.isArray(body?.errors) ? body.errors : []).map((e) => this.scrub(oneLineOf(String(e))))
    const said = errors.join('; ') || `HTTP ${status}`
    if (status === 403) {
      return new VaultError(
        `Vault at ${this.addr} refused the token (403 on ${method} ${path}: ${said})`,
        'set VAULT_TOKEN (or run `vault login`) with a token allowed to manage plugins and mounts',
        status,
        errors,
      )
    }
    if (status === 503 && /sealed/i.test(said)) {
      return new VaultError(`Vault at ${this.addr} is sealed`, 'unseal it (`vault operator unseal`) and try again', status, errors)
    }
    return new VaultError(`Vault answered ${status} to ${method} ${path}: ${said}`, hintFor(said), status, errors)
  }

  /** Also keep this value (a database password, say) out of every error this client reports. */
  hide(secret: string | undefined): void {
    if (secret) this.hidden.push(secret)
  }

  /** Vault may echo a request back; the token and hidden values must never reach the user's screen or logs. */
  scrub(text: string): string {
    let clean = this.connection.token ? text.replaceAll(this.connection.token, '<token>') : text
    for (const secret of this.hidden) clean = clean.replaceAll(secret, '<redacted>')
    return clean
  }
}

/** Vault wraps some errors as "2 errors occurred:\n\t* a\n\t* b": one line, each cause once. */
export function oneLineOf(error: string): string {
  const causes = error
    .replace(/^\d+ errors? occurred:/, '')
    .split(/\n\s*\*\s*|\n/)
    .map((part) => part.trim())
    .filter(Boolean)
  return [...new Set(causes)].join('; ')
}

function parseJson(text: string): Json | undefined {
  if (!text.trim()) return undefined
  try {
    return JSON.parse(text) as Json
  } catch {
    return {errors: [text.trim().slice(0, 200)]}
  }
}

const CHECKSUM_MISMATCH = /checksums did not match/i

/** Vault ran the plugin and its file is not the sha256 in the catalog. */
export const isChecksumMismatch = (error: unknown) => error instanceof VaultError && CHECKSUM_MISMATCH.test(error.message)

/** What to do about the errors plugin authors meet most. */
export function hintFor(said: string): string {
  if (CHECKSUM_MISMATCH.test(said)) return 'the binary changed since it was registered: run `vaultkit plugin register` again'
  if (/plugin version mismatch|reported version .* does not match/i.test(said)) {
    return 'version/version.go and the registered version differ: rebuild with `vaultkit plugin build`, then register again'
  }
  if (/plugin directory (is )?not configured|plugin_directory/i.test(said)) {
    return "set plugin_directory in the server's config (vault-config.hcl for a dev server) and restart it"
  }
  if (/outside of (the )?configured plugin directory|cannot execute files outside/i.test(said)) {
    return "put the binary inside the server's plugin_directory (not a symlink pointing out of it)"
  }
  if (/no such file or directory/i.test(said)) return "the binary is not in the server's plugin_directory: build it there, or pass --command"
  if (/Unrecognized remote plugin message/i.test(said)) {
    return 'the binary does not run on the server: build it for the server\'s OS and architecture, and check mlock settings'
  }
  return 'see the message from Vault above'
}
