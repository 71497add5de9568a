/** XChaCha20-Poly1305 with a random 24-byte nonce; the only symmetric cipher Kith uses. */
import { xchachaOpen, xchachaSeal } from './xchacha.js'
import { randomBytes } from 'node:crypto'
import { DecryptionError } from './errors.js'

export const KEY_BYTES = 32
export const NONCE_BYTES = 24
export const TAG_BYTES = 16

export interface Sealed {
  nonce: Uint8Array
  ciphertext: Uint8Array
}

/** A fresh random 24-byte nonce (random nonces are safe at XChaCha's nonce size). */
export function newNonce(): Uint8Array {
  return new Uint8Array(randomBytes(NONCE_BYTES))
}

/** Encrypts `plaintext` under `key`, binding `aad`; a fresh random nonce every call. */
export function seal(key: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Sealed {
  const nonce = newNonce()
  return { nonce, ciphertext: sealWithNonce(key, nonce, plaintext, aad) }
}

/** Encrypts with a nonce the caller drew from newNonce() (for formats whose AAD contains the nonce). */
export function sealWithNonce(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Uint8Array {
  if (key.length !== KEY_BYTES) throw new RangeError('key must be 32 bytes')
  if (nonce.length !== NONCE_BYTES) throw new RangeError('nonce must be 24 bytes')
  return xchachaSeal(key, nonce, plaintext, aad)
}

/** Decrypts and authenticates; throws DecryptionError on any mismatch, never returns garbage. */
export function open(key: Uint8Array, nonce: Uint8Array, ciphertext: Uint8Array, aad?: Uint8Array): Uint8Array {
  if (key.length !== KEY_BYTES) throw new RangeError('key must be 32 bytes')
  if (nonce.length !== NONCE_BYTES || ciphertext.length < TAG_BYTES) throw new DecryptionError('sealed data is malformed')
  try {
    return xchachaOpen(key, nonce, ciphertext, aad)
  } catch (err) {
    throw new DecryptionError(undefined, { cause: err })
  }
}

/** seal() with nonce and ciphertext concatenated: `nonce(24) • ciphertext`. */
export function sealPacked(key: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Uint8Array {
  const { nonce, ciphertext } = seal(key, plaintext, aad)
  const out = new Uint8Array(NONCE_BYTES + ciphertext.length)
  out.set(nonce, 0)
  out.set(ciphertext, NONCE_BYTES)
  return out
}

/** Inverse of sealPacked(). */
export function openPacked(key: Uint8Array, packed: Uint8Array, aad?: Uint8Array): Uint8Array {
  if (packed.length < NONCE_BYTES + TAG_BYTES) throw new DecryptionError('sealed data is truncated')
  return open(key, packed.subarray(0, NONCE_BYTES), packed.subarray(NONCE_BYTES), aad)
}
