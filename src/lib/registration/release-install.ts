import {createHash} from 'node:crypto'
import {readdir, readFile, rename, rm} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'

import {UserError, errnoCode} from '../errors.js'
import {type PluginType, splitBinaryName} from '../project/plugin-types.js'
import {compareVersions} from '../versions.js'
import {reportedPluginDirectory} from './register.js'
import type {VaultClient} from '../vault/client.js'
import {SignatureError, type SigningKey, signingKeys, verifyDetached} from '../vault/install/openpgp.js'
import {checksumOf, releasePlatform} from '../vault/install/release.js'
import {ZipError, extractEntry} from '../vault/install/unzip.js'

/** What the release's signature says: checked against a trusted key, or not checked (and why). */
export type ReleaseSignature =
  | {status: 'verified'; fingerprint: string}
  | {status: 'unverified'; signed: boolean}

/** Keys whose signature a release must carry (--trust, "trustedKeys"); none: releases are not verified. */
export interface TrustedKeys {
  keys: SigningKey[]
  /** The files they came from, for messages. */
  files: string[]
}

export interface InstalledRelease {
  /** In the server's plugin directory: `<binary>_v<version>`. */
  binary: string
  type: PluginType
  /** The plugin name the release's binary name declares. */
  name: string
  /** With the `v`. */
  version: string
  signature: ReleaseSignature
}

const SUMS = /^(vault-plugin-[a-z]+-[a-z0-9-]+)_(.+)_SHA256SUMS$/

/** A release folder's zip for this host, checked against its SHA256SUMS: what to extract and install. */
export interface CheckedRelease {
  zip: string
  /** The zip's bytes that were checked: extracted from, never the file again (which could change meanwhile). */
  bytes: Buffer
  /** `vault-plugin-secrets-hello`: the binary's name inside the zip (with `.exe` on Windows). */
  binaryName: string
  type: PluginType
  name: string
  /** With the `v`. */
  version: string
  signature: ReleaseSignature
}

/**
 * Installs the host platform's binary of a release into the server's plugin directory, under its versioned
 * name (`<binary>_v<version>`, so earlier versions stay installed), and says what to register. The zip is
 * checked against SHA256SUMS before anything is written; the binary is staged and renamed into place.
 */
export async function installFromRelease(client: VaultClient, dir: string, trusted?: TrustedKeys): Promise<InstalledRelease> {
  const release = await checkRelease(dir, trusted)
  const pluginDir = await serverPluginDirectory(client)
  const target = join(pluginDir, `${release.binaryName}_${release.version}${EXE}`)
  await extractRelease(release, target)
  return {binary: target, type: release.type, name: release.name, version: release.version, signature: release.signature}
}

const EXE = process.platform === 'win32' ? '.exe' : ''

/**
 * The newest release in `dir`, checked in the order trust flows: the signature of SHA256SUMS against the
 * trusted keys (when there are any), then this host's zip against those very sums bytes. Nothing is written.
 */
export async function checkRelease(dir: string, trusted?: TrustedKeys): Promise<CheckedRelease> {
  const files = await readdir(dir).catch(() => {
    throw new UserError(`${dir} is not a folder`, 'pass the folder `vaultkit plugin release` or `make release` wrote (dist/)')
  })
  // dist/ keeps every release made into it: the newest is the one to install.
  const sumsFiles = files.filter((f) => SUMS.test(f)).sort((a, b) => compareVersions(SUMS.exec(a)![2]!, SUMS.exec(b)![2]!)).slice(-1)
  if (sumsFiles.length === 0) throw new UserError(`${dir} holds no <binary>_<version>_SHA256SUMS file`, 'pass the folder `vaultkit plugin release` or `make release` wrote (dist/)')
  const [, binaryName, version] = SUMS.exec(sumsFiles[0]!)!
  const plugin = splitBinaryName(binaryName!)
  if (!plugin) throw new UserError(`${sumsFiles[0]} is not of a Vault plugin (vault-plugin-<secrets|auth|database>-<name>)`, 'pass the folder of a plugin release')
  const host = releasePlatform()
  const zipName = `${binaryName}_${version}_${host}.zip`
  const sums = await readFile(join(dir, sumsFiles[0]!))
  const signature = await checkSignature(dir, sumsFiles[0]!, sums, trusted)
  const expected = checksumOf(sums.toString('utf8'), zipName)
  if (!expected) {
    const platform = host.replace('_', '/')
    throw new UserError(`${sumsFiles[0]} lists no zip for this host (${platform})`, `release for it with --platform ${platform}`)
  }
  const zip = await readFile(join(dir, zipName)).catch((error: unknown) => {
    if (errnoCode(error) === 'ENOENT') throw new UserError(`${zipName} is missing from ${dir}`, 'download or build the release again')
    throw error
  })
  if (createHash('sha256').update(zip).digest('hex') !== expected) {
    throw new UserError(`${zipName} does not match its checksum in ${sumsFiles[0]}`, 'the zip is damaged or was altered: get the release again (nothing was installed)')
  }
  return {zip: join(dir, zipName), bytes: zip, binaryName: binaryName!, type: plugin.type, name: plugin.name, version: `v${version}`, signature}
}

/** With trusted keys, the sums must carry a signature by one of them; without, the signature is only noted. */
async function checkSignature(dir: string, sumsFile: string, sums: Buffer, trusted: TrustedKeys | undefined): Promise<ReleaseSignature> {
  const sigFile = `${sumsFile}.sig`
  const signature = await readFile(join(dir, sigFile)).catch((error: unknown) => {
    if (errnoCode(error) === 'ENOENT') return undefined
    throw error
  })
  if (!trusted?.keys.length) return {status: 'unverified', signed: signature !== undefined}
  const nothing = 'nothing was installed'
  if (!signature) {
    throw new UserError(`${sumsFile} is not signed (no ${sigFile}), and only signed releases are trusted`, `ask for a release made with \`plugin release --sign\`; ${nothing}`)
  }
  try {
    return {status: 'verified', fingerprint: verifyDetached(sums, signature, trusted.keys).fingerprint}
  } catch (error) {
    if (!(error instanceof SignatureError)) throw error
    throw new UserError(`the signature of ${sumsFile} does not hold: ${error.message}`, `the release was altered or signed by a key not in ${trusted.files.join(', ')}; ${nothing}`)
  }
}

/** Reads armored public keys (--trust, "trustedKeys"): each must hold a key that can sign. */
export async function readTrustedKeys(files: string[]): Promise<TrustedKeys> {
  const keys: SigningKey[] = []
  for (const file of files) {
    const text = await readFile(file, 'utf8').catch((error: unknown) => {
      throw new UserError(`cannot read the trusted key ${file}: ${errnoCode(error) ?? (error as Error).message}`, 'pass an armored public key (gpg --export --armor KEY > key.asc)')
    })
    let found: SigningKey[]
    try {
      found = signingKeys(text)
    } catch (error) {
      if (!(error instanceof SignatureError)) throw error
      throw new UserError(`${file} is not a usable public key: ${error.message}`, 'pass an armored public key (gpg --export --armor KEY > key.asc)')
    }
    if (found.length === 0) throw new UserError(`${file} holds no key that can sign (revoked, or encryption only)`, 'pass the public key the releases are signed with')
    keys.push(...found)
  }
  return {keys, files}
}

/** The checked release's binary at `target`: staged beside it and renamed into place, executable. */
export async function extractRelease(release: CheckedRelease, target: string): Promise<void> {
  const partial = `${target}.partial-${process.pid}`
  try {
    await extractEntry(release.bytes, `${release.binaryName}${EXE}`, partial)
    await rename(partial, target)
  } catch (error) {
    await rm(partial, {force: true})
    if (error instanceof ZipError) throw new UserError(`${basename(release.zip)} is not a release zip: ${error.message}`, 'get the release again')
    throw new UserError(`cannot install into ${dirname(target)}: ${(error as Error).message}`, 'check that the folder exists and is writable')
  }
}

/** The server's plugin directory, which Vault shows to a token that may read sys/config/state/sanitized. */
async function serverPluginDirectory(client: VaultClient): Promise<string> {
  const configured = await reportedPluginDirectory(client)
  if (configured) return configured
  throw new UserError(`Vault at ${client.addr} does not show its plugin directory`, 'use a token that may read sys/config/state/sanitized (the root token of a dev server does)')
}
