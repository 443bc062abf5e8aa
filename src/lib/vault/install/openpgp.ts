// Just enough OpenPGP (RFC 4880, and RFC 9580's Ed25519) to check a detached signature against a trusted
// public key, on node:crypto: HashiCorp signs release checksums with RSA keys, and gpg makes Ed25519 keys by
// default, which plugin authors sign their releases with. A full OpenPGP library (openpgp.js) would triple
// the size of vaultkit's package for this one check; gpg is not on every machine.
import {createHash, createPublicKey, verify as cryptoVerify, constants, type KeyObject} from 'node:crypto'

export class SignatureError extends Error {}

interface Packet {
  tag: number
  body: Buffer
}

interface PublicKey {
  body: Buffer
  created: number
  fingerprint: string
  keyId: string
  key: KeyObject
}

interface Signature {
  type: number
  hashAlgorithm: string
  hashed: Buffer
  created: number
  keyExpires?: number
  keyFlags?: number
  issuer?: string
  embedded?: Signature
  value: Buffer
}

/** A key usable for signing, with the window in which its signatures count. */
export interface SigningKey {
  fingerprint: string
  keyId: string
  created: number
  expires?: number
  key: KeyObject
}

const HASHES: Record<number, string> = {8: 'sha256', 9: 'sha384', 10: 'sha512', 11: 'sha224'}
const RSA = [1, 3]
/** EdDSA as gpg writes it (RFC 4880bis, curve Ed25519), and RFC 9580's own Ed25519. */
const EDDSA_LEGACY = 22
const ED25519 = 27
const ED25519_OID = Buffer.from('2b06010401da470f01', 'hex')

/** The binary content of an ASCII-armored block, its CRC-24 checked. */
export function dearmor(text: string): Buffer {
  const lines = text.replace(/\r/g, '').split('\n').map((l) => l.trim())
  const begin = lines.findIndex((l) => /^-----BEGIN PGP [A-Z ]+-----$/.test(l))
  const end = lines.findIndex((l, i) => i > begin && /^-----END PGP [A-Z ]+-----$/.test(l))
  if (begin < 0 || end < 0) throw new SignatureError('not an ASCII-armored OpenPGP block')
  const blank = lines.indexOf('', begin)
  const body = lines.slice(blank > begin && blank < end ? blank + 1 : begin + 1, end)
  const crc = body.at(-1)?.startsWith('=') ? body.pop()!.slice(1) : undefined
  const data = Buffer.from(body.join(''), 'base64')
  if (crc !== undefined && Buffer.from(crc, 'base64').readUIntBE(0, 3) !== crc24(data)) {
    throw new SignatureError('the armored block is damaged (its checksum does not match)')
  }
  return data
}

function crc24(data: Buffer): number {
  let crc = 0xb704ce
  for (const byte of data) {
    crc ^= byte << 16
    for (let i = 0; i < 8; i++) {
      crc <<= 1
      if (crc & 0x1000000) crc ^= 0x1864cfb
    }
  }
  return crc & 0xffffff
}

export function packets(data: Buffer): Packet[] {
  const out: Packet[] = []
  let at = 0
  while (at < data.length) {
    const head = data[at++]!
    if (!(head & 0x80)) throw new SignatureError('not OpenPGP data')
    let tag: number
    let length: number
    if (head & 0x40) {
      tag = head & 0x3f
      const first = data[at++]!
      if (first < 192) length = first
      else if (first < 224) length = ((first - 192) << 8) + data[at++]! + 192
      else if (first === 255) {
        length = data.readUInt32BE(at)
        at += 4
      } else throw new SignatureError('partial-length packets are not expected in keys or signatures')
    } else {
      tag = (head >> 2) & 0x0f
      const size = [1, 2, 4][head & 3]
      if (size === undefined) length = data.length - at
      else {
        length = data.readUIntBE(at, size)
        at += size
      }
    }
    if (at + length > data.length) throw new SignatureError('truncated OpenPGP data')
    out.push({tag, body: data.subarray(at, at + length)})
    at += length
  }
  return out
}

function mpis(data: Buffer, count: number): Buffer[] {
  const out: Buffer[] = []
  let at = 0
  for (let i = 0; i < count; i++) {
    const bytes = (data.readUInt16BE(at) + 7) >> 3
    out.push(data.subarray(at + 2, at + 2 + bytes))
    at += 2 + bytes
  }
  return out
}

function parseKey(body: Buffer): PublicKey | undefined {
  // Version 4 keys that can sign: RSA and Ed25519. Others (encryption-only, other curves) cannot vouch here.
  if (body[0] !== 4) return undefined
  const key = publicKeyOf(body[5]!, body.subarray(6))
  if (!key) return undefined
  const fingerprint = createHash('sha1').update(keyHashPrefix(body)).digest('hex').toUpperCase()
  return {body, created: body.readUInt32BE(1), fingerprint, keyId: fingerprint.slice(-16), key}
}

function publicKeyOf(algorithm: number, material: Buffer): KeyObject | undefined {
  if (RSA.includes(algorithm)) {
    const [n, e] = mpis(material, 2)
    return createPublicKey({key: {kty: 'RSA', n: n!.toString('base64url'), e: e!.toString('base64url')}, format: 'jwk'})
  }
  let point: Buffer | undefined
  if (algorithm === EDDSA_LEGACY) {
    const oid = material.subarray(1, 1 + material[0]!)
    if (!oid.equals(ED25519_OID)) return undefined
    // The point is an MPI of 0x40 followed by the 32 bytes of the key.
    const [prefixed] = mpis(material.subarray(1 + oid.length), 1)
    if (prefixed?.length === 33 && prefixed[0] === 0x40) point = prefixed.subarray(1)
  } else if (algorithm === ED25519) point = material.subarray(0, 32)
  return point?.length === 32 ? createPublicKey({key: {kty: 'OKP', crv: 'Ed25519', x: point.toString('base64url')}, format: 'jwk'}) : undefined
}

const keyHashPrefix = (body: Buffer) => Buffer.concat([Buffer.from([0x99, body.length >> 8, body.length & 0xff]), body])

export function parseSignature(body: Buffer): Signature {
  if (body[0] !== 4) throw new SignatureError(`signature version ${body[0]} is not supported (only 4)`)
  const algorithm = body[2]!
  if (!RSA.includes(algorithm) && algorithm !== EDDSA_LEGACY && algorithm !== ED25519) {
    throw new SignatureError(`the signature uses public-key algorithm ${algorithm}, not RSA or Ed25519`)
  }
  const hashAlgorithm = HASHES[body[3]!]
  if (!hashAlgorithm) throw new SignatureError(`the signature uses hash algorithm ${body[3]}, which is too weak or unknown`)
  const hashedLength = body.readUInt16BE(4)
  const hashed = body.subarray(0, 6 + hashedLength)
  const unhashedLength = body.readUInt16BE(6 + hashedLength)
  const unhashed = body.subarray(8 + hashedLength, 8 + hashedLength + unhashedLength)
  const material = body.subarray(10 + hashedLength + unhashedLength)
  const signature: Signature = {type: body[1]!, hashAlgorithm, hashed, created: 0, value: signatureValue(algorithm, material)}
  // Only hashed subpackets are trusted for times and flags; the issuer may be in either area (it is a hint).
  readSubpackets(body.subarray(6, 6 + hashedLength), signature, true)
  readSubpackets(unhashed, signature, false)
  return signature
}

/** RSA's one MPI; Ed25519's R and S, each 32 bytes (MPIs drop leading zeros, so they are put back). */
function signatureValue(algorithm: number, material: Buffer): Buffer {
  if (RSA.includes(algorithm)) return mpis(material, 1)[0]!
  if (algorithm === ED25519) return material.subarray(0, 64)
  const [r, s] = mpis(material, 2)
  const pad = (b: Buffer) => Buffer.concat([Buffer.alloc(Math.max(0, 32 - b.length)), b])
  return Buffer.concat([pad(r!), pad(s!)])
}

function readSubpackets(area: Buffer, signature: Signature, hashed: boolean) {
  let at = 0
  while (at < area.length) {
    let length = area[at++]!
    if (length >= 255) {
      length = area.readUInt32BE(at)
      at += 4
    } else if (length >= 192) length = ((length - 192) << 8) + area[at++]! + 192
    const type = area[at]! & 0x7f
    const data = area.subarray(at + 1, at + length)
    at += length
    if (type === 16) signature.issuer ??= data.toString('hex').toUpperCase()
    if (type === 33) signature.issuer ??= data.subarray(-8).toString('hex').toUpperCase()
    // An embedded back-signature is checked on its own, so gpg may put it in either area.
    if (type === 32) signature.embedded ??= parseSignature(data)
    if (!hashed) continue
    if (type === 2) signature.created = data.readUInt32BE(0)
    if (type === 9) signature.keyExpires = data.readUInt32BE(0)
    if (type === 27) signature.keyFlags = data[0]
  }
}

function checks(signature: Signature, data: Buffer, key: KeyObject): boolean {
  const trailer = Buffer.alloc(6)
  trailer.writeUInt16BE(0x04ff, 0)
  trailer.writeUInt32BE(signature.hashed.length, 2)
  const signed = Buffer.concat([data, signature.hashed, trailer])
  try {
    if (key.asymmetricKeyType === 'ed25519') {
      // OpenPGP's EdDSA signs the digest, not the data itself.
      return cryptoVerify(null, createHash(signature.hashAlgorithm).update(signed).digest(), key, signature.value)
    }
    const size = key.asymmetricKeyDetails?.modulusLength ?? 0
    const value = Buffer.concat([Buffer.alloc(Math.max(0, (size >> 3) - signature.value.length)), signature.value])
    return cryptoVerify(signature.hashAlgorithm, signed, {key, padding: constants.RSA_PKCS1_PADDING}, value)
  } catch {
    return false
  }
}

/**
 * The keys of a public key block that may sign data: the primary key if its newest self-signature allows
 * it, and each subkey bound by the primary (with the subkey's own back-signature) and not revoked.
 */
/** The signing keys of an armored key block. */
export function signingKeys(armored: string): SigningKey[] {
  return refusingDamage(() => readSigningKeys(armored))
}

/** Which key signed `data`; throws SignatureError when none of `keys` did. */
export function verifyDetached(data: Buffer, signatureFile: Buffer | string, keys: SigningKey[]): SigningKey {
  return refusingDamage(() => verify(data, signatureFile, keys))
}

/** Damaged data makes the readers run past a buffer's end: a signature that does not hold, not a crash. */
function refusingDamage<T>(read: () => T): T {
  try {
    return read()
  } catch (error) {
    if (error instanceof RangeError) throw new SignatureError(`the OpenPGP data is damaged (${error.message})`)
    throw error
  }
}

function readSigningKeys(armored: string): SigningKey[] {
  const list = packets(dearmor(armored))
  const primary = list[0]?.tag === 6 ? parseKey(list[0].body) : undefined
  if (!primary) throw new SignatureError('the key block does not start with an RSA or Ed25519 primary key')
  const keys: SigningKey[] = []
  let current: {key?: PublicKey; packet: Packet} = {packet: list[0]!}
  const bindings: {subkey?: PublicKey; userId?: Buffer; signature: Signature}[] = []
  for (const packet of list.slice(1)) {
    if (packet.tag === 13 || packet.tag === 14 || packet.tag === 17) current = {key: packet.tag === 14 ? parseKey(packet.body) : undefined, packet}
    if (packet.tag !== 2) continue
    const signature = parseSignature(packet.body)
    if (current.packet.tag === 13) bindings.push({userId: current.packet.body, signature})
    else if (current.packet.tag === 14) bindings.push({subkey: current.key, signature})
    else if (signature.type === 0x20 && checks(signature, keyHashPrefix(primary.body), primary.key)) return []
  }
  const primaryPrefix = keyHashPrefix(primary.body)
  const newest = (found: Signature[]) => found.sort((a, b) => b.created - a.created)[0]
  const selfSignature = newest(
    bindings
      .filter((b) => b.userId && b.signature.type >= 0x10 && b.signature.type <= 0x13)
      .filter(({userId, signature}) => {
        const prefix = Buffer.alloc(5, 0xb4)
        prefix.writeUInt32BE(userId!.length, 1)
        return checks(signature, Buffer.concat([primaryPrefix, prefix, userId!]), primary.key)
      })
      .map((b) => b.signature),
  )
  if (!selfSignature) throw new SignatureError('the key block has no valid self-signature')
  const primaryExpires = selfSignature.keyExpires ? primary.created + selfSignature.keyExpires : undefined
  if (selfSignature.keyFlags === undefined || selfSignature.keyFlags & 0x02) {
    keys.push({fingerprint: primary.fingerprint, keyId: primary.keyId, created: primary.created, expires: primaryExpires, key: primary.key})
  }
  for (const subkey of new Set(bindings.map((b) => b.subkey).filter((k) => k !== undefined))) {
    const data = Buffer.concat([primaryPrefix, keyHashPrefix(subkey.body)])
    const valid = bindings.filter((b) => b.subkey === subkey && checks(b.signature, data, primary.key)).map((b) => b.signature)
    if (valid.some((s) => s.type === 0x28)) continue
    const binding = newest(valid.filter((s) => s.type === 0x18))
    // A signing subkey must sign the primary back, so nobody can claim another's subkey as their own.
    if (!binding || !((binding.keyFlags ?? 0) & 0x02) || !binding.embedded || binding.embedded.type !== 0x19) continue
    if (!checks(binding.embedded, data, subkey.key)) continue
    const expires = binding.keyExpires ? subkey.created + binding.keyExpires : undefined
    keys.push({fingerprint: subkey.fingerprint, keyId: subkey.keyId, created: subkey.created, expires: expiresFirst(expires, primaryExpires), key: subkey.key})
  }
  return keys
}

const expiresFirst = (a?: number, b?: number) => (a === undefined ? b : b === undefined ? a : Math.min(a, b))

/**
 * Checks a detached signature over `data` against the keys: the signature must be a binary or
 * text document signature by one of them, made while that key was valid. Returns the key that signed.
 */
function verify(data: Buffer, signatureFile: Buffer | string, keys: SigningKey[]): SigningKey {
  // HashiCorp publishes binary signatures (gpg --detach-sign); an armored one (--armor) reads the same.
  const file = Buffer.from(signatureFile)
  const armored = file.subarray(0, 64).toString('latin1').trimStart().startsWith('-----BEGIN PGP')
  const packet = packets(armored ? dearmor(file.toString('utf8')) : file).find((p) => p.tag === 2)
  if (!packet) throw new SignatureError('the signature file holds no signature')
  const signature = parseSignature(packet.body)
  if (signature.type !== 0x00 && signature.type !== 0x01) throw new SignatureError(`the signature is of type ${signature.type}, not over a document`)
  const signed = signature.type === 0x01 ? Buffer.from(data.toString('utf8').replace(/\r?\n/g, '\r\n')) : data
  const candidates = keys.filter((k) => !signature.issuer || k.keyId === signature.issuer)
  const key = candidates.find((k) => checks(signature, signed, k.key))
  if (!key) {
    throw new SignatureError(candidates.length ? 'the signature does not match the file' : `the signature was made by key ${signature.issuer}, which is not trusted`)
  }
  if (signature.created < key.created || (key.expires !== undefined && signature.created >= key.expires)) {
    throw new SignatureError(`the signature was made when key ${key.keyId} was not valid`)
  }
  return key
}
