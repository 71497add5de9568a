/**
 * Sealed boxes: encrypt to an X25519 public key with an ephemeral key pair
 * (ECDH → HKDF-SHA256 → XChaCha20-Poly1305). Used to hand vault keys to devices.
 *
 * box := u8(1) • ephemeralPublic(32) • nonce(24) • ciphertext
 */
import { x25519 } from '@noble/curves/ed25519.js'
import { sealPacked, openPacked } from './aead.js'
import { hkdf } from './kdf.js'
import { DecryptionError, FormatError } from './errors.js'
import { randomBytes } from './random.js'

const VERSION = 1

export interface BoxKeyPair {
  secretKey: Uint8Array
  publicKey: Uint8Array
}

export function boxKeyPairFromSecret(secretKey: Uint8Array): BoxKeyPair {
  return { secretKey, publicKey: x25519.getPublicKey(secretKey) }
}

export function generateBoxKeyPair(): BoxKeyPair {
  return boxKeyPairFromSecret(randomBytes(32))
}

function boxKey(shared: Uint8Array, ephPub: Uint8Array, recipientPub: Uint8Array): Uint8Array {
  const salt = new Uint8Array(64)
  salt.set(ephPub, 0)
  salt.set(recipientPub, 32)
  return hkdf(shared, 'kith/box/v1', salt)
}

export function sealBox(recipientPublicKey: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Uint8Array {
  const eph = generateBoxKeyPair()
  const key = boxKey(x25519.getSharedSecret(eph.secretKey, recipientPublicKey), eph.publicKey, recipientPublicKey)
  const packed = sealPacked(key, plaintext, aad)
  const out = new Uint8Array(1 + 32 + packed.length)
  out[0] = VERSION
  out.set(eph.publicKey, 1)
  out.set(packed, 33)
  return out
}

export function openBox(recipient: BoxKeyPair, box: Uint8Array, aad?: Uint8Array): Uint8Array {
  if (box.length < 33) throw new DecryptionError('sealed box is truncated')
  if (box[0] !== VERSION) throw new FormatError(`unknown sealed box version ${String(box[0])}`)
  const ephPub = box.subarray(1, 33)
  let shared: Uint8Array
  try {
    shared = x25519.getSharedSecret(recipient.secretKey, ephPub)
  } catch (err) {
    throw new DecryptionError('sealed box has an invalid ephemeral key', { cause: err })
  }
  return openPacked(boxKey(shared, ephPub, recipient.publicKey), box.subarray(33), aad)
}
