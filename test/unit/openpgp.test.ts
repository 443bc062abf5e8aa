import {afterAll, describe, expect, it} from 'vitest'

import {HASHICORP_FINGERPRINT, HASHICORP_RELEASE_KEY} from '../../src/lib/vault/install/hashicorp-key.js'
import {dearmor, packets, signingKeys, verifyDetached} from '../../src/lib/vault/install/openpgp.js'
import {TestSigner} from '../release-mirror.js'

// Made once (RSA key generation takes gpg a second): one signing with its primary key, one with a subkey.
const signers = {primary: new TestSigner(), subkey: new TestSigner({subkey: true})}
afterAll(() => {
  for (const signer of Object.values(signers)) signer.remove()
})

const date = (seconds?: number) => seconds && new Date(seconds * 1000).toISOString().slice(0, 10)

describe("HashiCorp's release key, built in", () => {
  // Each subkey counts only through HashiCorp's own binding signatures, which this checks with RSA.
  it('yields the primary key and the signing subkeys its binding signatures vouch for, with their validity', () => {
    const keys = signingKeys(HASHICORP_RELEASE_KEY).map((k) => [k.fingerprint, date(k.created), date(k.expires)])
    expect(keys).toEqual([
      [HASHICORP_FINGERPRINT, '2021-04-19', '2030-03-01'],
      ['B36CBA91A2C0730C435FC280B0B441097685B676', '2021-04-19', '2022-04-20'],
      ['374EC75B485913604A831CC7C820C6D5CD27AB87', '2021-04-21', '2030-03-01'],
    ])
  })

  it('drops a subkey whose binding signature is altered', () => {
    const binary = dearmor(HASHICORP_RELEASE_KEY)
    // The last byte of the block belongs to the last binding signature's RSA value.
    binary[binary.length - 1]! ^= 1
    const altered = `-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n${binary.toString('base64')}\n-----END PGP PUBLIC KEY BLOCK-----\n`
    expect(signingKeys(altered).map((k) => k.fingerprint)).not.toContain('374EC75B485913604A831CC7C820C6D5CD27AB87')
  })

  it('drops a signing subkey whose back-signature (by the subkey, over the binding) does not hold', () => {
    const binary = dearmor(HASHICORP_RELEASE_KEY)
    const last = packets(binary).at(-1)!.body // the newest binding signature of subkey 374E...
    // Its unhashed area, which the binding signature does not cover, holds the embedded back-signature.
    const hashedLength = last.readUInt16BE(4)
    const unhashed = last.subarray(8 + hashedLength, 8 + hashedLength + last.readUInt16BE(6 + hashedLength))
    const length = ((unhashed[0]! - 192) << 8) + unhashed[1]! + 192
    expect(unhashed[2]).toBe(32)
    unhashed[2 + length - 1]! ^= 1
    const altered = `-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n${binary.toString('base64')}\n-----END PGP PUBLIC KEY BLOCK-----\n`
    expect(signingKeys(altered).map((k) => k.fingerprint.slice(0, 4))).toEqual(['C874', 'B36C'])
  })

  it('refuses an armored block whose checksum does not match', () => {
    expect(() => signingKeys(HASHICORP_RELEASE_KEY.replace('=wtp+', '=AAAA'))).toThrow(/checksum does not match/)
  })

  it('does not vouch for a signature by a key of its own', () => {
    const signature = signers.primary.sign('data')
    expect(() => verifyDetached(Buffer.from('data'), signature, signingKeys(HASHICORP_RELEASE_KEY))).toThrow(/made by key [0-9A-F]{16}, which is not trusted/)
  })
})

describe('a detached signature made by gpg', () => {
  it.each([
    ['the primary key', false],
    ['a signing subkey', true],
  ])('by %s: verifies the signed bytes, and nothing else', (_, subkey) => {
    const signer = subkey ? signers.subkey : signers.primary
    const keys = signingKeys(signer.gpg('--armor', '--export'))
    const data = Buffer.from('abc  vault_1.21.4_linux_amd64.zip\n')
    const signature = signer.sign(data)
    // A certify-only primary key cannot sign: only its subkey is offered.
    expect(keys.map((k) => k.fingerprint === signer.fingerprint())).toEqual([!subkey])
    expect(verifyDetached(data, signature, keys)).toBe(keys[0])
    expect(verifyDetached(data, signer.sign(data, '--armor'), keys)).toBeDefined()
    expect(() => verifyDetached(Buffer.from(data.toString().replace('abc', 'abd')), signature, keys)).toThrow(/does not match the file/)
  })

  it('refuses a signature made before the key existed', () => {
    const signer = signers.primary
    const keys = signingKeys(signer.gpg('--armor', '--export'))
    const backdated = signer.sign('data', '--ignore-time-conflict', '--faked-system-time', '20200101T000000!')
    expect(() => verifyDetached(Buffer.from('data'), backdated, keys)).toThrow(/was not valid/)
  })
})
