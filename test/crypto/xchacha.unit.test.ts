import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js'
import { xchachaOpen, xchachaSeal } from '../../daemon/crypto/xchacha.js'

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s/g, ''), 'hex'))
const bytes = (n: number): Uint8Array => new Uint8Array(randomBytes(n))

describe('XChaCha20-Poly1305 from HChaCha20 (noble) and ChaCha20-Poly1305 (OpenSSL)', () => {
  it('matches the test vector of draft-irtf-cfrg-xchacha-03 (A.3.1)', () => {
    const plaintext = new TextEncoder().encode(
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it."
    )
    const aad = hex('50515253c0c1c2c3c4c5c6c7')
    const key = hex('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f')
    const nonce = hex('404142434445464748494a4b4c4d4e4f5051525354555657')
    const expected = hex(
      `bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452
       2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff921f9664c97637da9768812f615c68b13b52e c0875924c1c7987947deafd8780acf49`
    )
    expect(Buffer.from(xchachaSeal(key, nonce, plaintext, aad)).toString('hex')).toBe(Buffer.from(expected).toString('hex'))
    expect(xchachaOpen(key, nonce, expected, aad)).toEqual(plaintext)
  })

  it('gives the same bytes as noble for random keys, nonces, lengths and AAD, both ways', () => {
    for (const length of [0, 1, 15, 16, 63, 64, 65, 1000, 70_000]) {
      for (const aad of [undefined, new Uint8Array(0), bytes(13)]) {
        const key = bytes(32)
        const nonce = bytes(24)
        const plaintext = bytes(length)
        const ours = xchachaSeal(key, nonce, plaintext, aad)
        expect(ours).toEqual(xchacha20poly1305(key, nonce, aad).encrypt(plaintext))
        expect(xchachaOpen(key, nonce, ours, aad)).toEqual(plaintext)
      }
    }
  })

  it('answers a plain Uint8Array owning exactly its bytes (not a Buffer, not a view into shared memory)', () => {
    for (const length of [0, 5, 5000, 262_144]) {
      const key = bytes(32)
      const nonce = bytes(24)
      const opened = xchachaOpen(key, nonce, xchachaSeal(key, nonce, bytes(length)))
      expect(Object.getPrototypeOf(opened)).toBe(Uint8Array.prototype)
      expect([opened.byteOffset, opened.buffer.byteLength]).toEqual([0, length])
    }
  })

  it('refuses a flipped bit anywhere, a wrong key, nonce or AAD, and a truncated record', () => {
    const key = bytes(32)
    const nonce = bytes(24)
    const aad = bytes(8)
    const sealed = xchachaSeal(key, nonce, bytes(100), aad)
    for (const i of [0, 50, 99, 100, 115]) {
      const bad = sealed.slice()
      bad[i] = (bad[i] as number) ^ 1
      expect(() => xchachaOpen(key, nonce, bad, aad)).toThrow()
    }
    expect(() => xchachaOpen(bytes(32), nonce, sealed, aad)).toThrow()
    expect(() => xchachaOpen(key, bytes(24), sealed, aad)).toThrow()
    expect(() => xchachaOpen(key, nonce, sealed, bytes(8))).toThrow()
    expect(() => xchachaOpen(key, nonce, sealed)).toThrow()
    expect(() => xchachaOpen(key, nonce, sealed.subarray(0, 10), aad)).toThrow()
  })
})
