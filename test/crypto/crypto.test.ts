import { describe, it, expect } from 'vitest'
import { seal, open, sealPacked, openPacked } from '../../daemon/crypto/aead.js'
import { sealBox, openBox, generateBoxKeyPair } from '../../daemon/crypto/box.js'
import { generateSigningKeyPair, sign, verify, publicKeyFromSeed } from '../../daemon/crypto/signing.js'
import { argon2id, ARGON2_FLOOR, hkdf } from '../../daemon/crypto/kdf.js'
import { constantTimeEqual } from '../../daemon/crypto/constantTime.js'
import { randomBytes } from '../../daemon/crypto/random.js'
import { utf8 } from '../../daemon/crypto/bytes.js'

describe('aead', () => {
  const key = randomBytes(32)
  it('round-trips and uses a fresh nonce each time', () => {
    const a = seal(key, utf8('secret'), utf8('aad'))
    const b = seal(key, utf8('secret'), utf8('aad'))
    expect(a.nonce).not.toEqual(b.nonce)
    expect(new TextDecoder().decode(open(key, a.nonce, a.ciphertext, utf8('aad')))).toBe('secret')
  })
  it('throws DecryptionError on a flipped byte, a wrong key or wrong aad', () => {
    const packed = sealPacked(key, utf8('secret'), utf8('aad'))
    const flipped = Uint8Array.from(packed)
    flipped[30] = (flipped[30] as number) ^ 1
    expect(() => openPacked(key, flipped, utf8('aad'))).toThrow(expect.objectContaining({ name: 'DecryptionError' }))
    expect(() => openPacked(randomBytes(32), packed, utf8('aad'))).toThrow(expect.objectContaining({ name: 'DecryptionError' }))
    expect(() => openPacked(key, packed, utf8('other'))).toThrow(expect.objectContaining({ name: 'DecryptionError' }))
    expect(() => openPacked(key, packed.subarray(0, 20))).toThrow(expect.objectContaining({ name: 'DecryptionError' }))
  })
})

describe('sealed box', () => {
  it('opens only with the recipient key and the same aad', () => {
    const alice = generateBoxKeyPair()
    const eve = generateBoxKeyPair()
    const box = sealBox(alice.publicKey, utf8('vault key'), utf8('ctx'))
    expect(new TextDecoder().decode(openBox(alice, box, utf8('ctx')))).toBe('vault key')
    expect(() => openBox(eve, box, utf8('ctx'))).toThrow(expect.objectContaining({ name: 'DecryptionError' }))
    expect(() => openBox(alice, box, utf8('other'))).toThrow(expect.objectContaining({ name: 'DecryptionError' }))
  })
})

describe('ed25519', () => {
  it('signs and verifies; rejects changed messages and foreign keys', () => {
    const kp = generateSigningKeyPair()
    expect(publicKeyFromSeed(kp.seed)).toEqual(kp.publicKey)
    const sig = sign(kp.seed, utf8('hello'))
    expect(verify(kp.publicKey, utf8('hello'), sig)).toBe(true)
    expect(verify(kp.publicKey, utf8('hellO'), sig)).toBe(false)
    expect(verify(generateSigningKeyPair().publicKey, utf8('hello'), sig)).toBe(false)
    expect(verify(kp.publicKey, utf8('hello'), sig.subarray(0, 10))).toBe(false)
  })
})

describe('kdf', () => {
  it('refuses Argon2id parameters below the RFC 9106 floor', async () => {
    await expect(argon2id('pw', randomBytes(16), { m: 19456, t: 2, p: 1 })).rejects.toThrow(/below the floor/)
  })
  it('is deterministic for the same salt and differs for another', async () => {
    const salt = randomBytes(16)
    const a = await argon2id('pw', salt, ARGON2_FLOOR)
    expect(await argon2id('pw', salt, ARGON2_FLOOR)).toEqual(a)
    expect(await argon2id('pw', randomBytes(16), ARGON2_FLOOR)).not.toEqual(a)
    expect(a.length).toBe(32)
  })
  it('hkdf separates domains by label', () => {
    const ikm = randomBytes(32)
    expect(hkdf(ikm, 'a')).not.toEqual(hkdf(ikm, 'b'))
  })
})

describe('constantTimeEqual', () => {
  it('compares strings and bytes of any length', () => {
    expect(constantTimeEqual('token', 'token')).toBe(true)
    expect(constantTimeEqual('token', 'tokem')).toBe(false)
    expect(constantTimeEqual('token', 'token-longer')).toBe(false)
    expect(constantTimeEqual(utf8('x'), utf8('x'))).toBe(true)
  })
})
