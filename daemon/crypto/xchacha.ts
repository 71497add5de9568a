/**
 * XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03, as libsodium builds it) from two maintained
 * parts: HChaCha20 from @noble/ciphers derives the subkey from the key and the nonce's first 16
 * bytes, and OpenSSL's ChaCha20-Poly1305 (RFC 8439, through node:crypto) seals with nonce
 * 0x00000000 • the nonce's last 8 bytes. Same bytes as noble's xchacha20poly1305 (a test checks it
 * on random inputs), about six times faster on large records: a 3 MB snapshot opens in ~5 ms
 * instead of ~30 ms. Falls back to noble where OpenSSL lacks the cipher.
 */
import { hchacha, xchacha20poly1305 } from '@noble/ciphers/chacha.js'
import { createCipheriv, createDecipheriv, getCiphers } from 'node:crypto'

const TAG = 16
const NATIVE = getCiphers().includes('chacha20-poly1305')
/** "expand 32-byte k" as four little-endian words */
const SIGMA = words(new TextEncoder().encode('expand 32-byte k'))

function words(bytes: Uint8Array): Uint32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const out = new Uint32Array(bytes.length / 4)
  for (let i = 0; i < out.length; i++) out[i] = view.getUint32(i * 4, true)
  return out
}

function subkeyAndNonce(key: Uint8Array, nonce: Uint8Array): { subkey: Buffer; iv: Buffer } {
  const out = new Uint32Array(8)
  hchacha(SIGMA, words(key), words(nonce.subarray(0, 16)), out)
  const subkey = Buffer.alloc(32)
  for (let i = 0; i < 8; i++) subkey.writeUInt32LE(out[i] as number, i * 4)
  out.fill(0)
  const iv = Buffer.alloc(12)
  iv.set(nonce.subarray(16, 24), 4)
  return { subkey, iv }
}

/** ciphertext • tag(16) */
export function xchachaSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Uint8Array {
  if (!NATIVE) return xchacha20poly1305(key, nonce, aad).encrypt(plaintext)
  const { subkey, iv } = subkeyAndNonce(key, nonce)
  try {
    const cipher = createCipheriv('chacha20-poly1305', subkey, iv, { authTagLength: TAG })
    if (aad !== undefined) cipher.setAAD(aad, { plaintextLength: plaintext.length })
    const out = new Uint8Array(plaintext.length + TAG)
    out.set(cipher.update(plaintext), 0)
    cipher.final()
    out.set(cipher.getAuthTag(), plaintext.length)
    return out
  } finally {
    subkey.fill(0)
  }
}

/** Throws on any mismatch (the caller names the error); never returns unauthenticated bytes. */
export function xchachaOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad?: Uint8Array): Uint8Array {
  if (!NATIVE) return xchacha20poly1305(key, nonce, aad).decrypt(sealed)
  if (sealed.length < TAG) throw new Error('sealed data is shorter than its tag')
  const { subkey, iv } = subkeyAndNonce(key, nonce)
  try {
    const body = sealed.subarray(0, sealed.length - TAG)
    const decipher = createDecipheriv('chacha20-poly1305', subkey, iv, { authTagLength: TAG })
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG))
    if (aad !== undefined) decipher.setAAD(aad, { plaintextLength: body.length })
    const out = decipher.update(body)
    try {
      decipher.final() // throws before anything is returned when the tag does not verify
    } catch (err) {
      out.fill(0)
      throw err
    }
    // the cipher's own output, not a copy (a chunk of a file is 256 KiB): a plain Uint8Array over it, not a Buffer
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
  } finally {
    subkey.fill(0)
  }
}
