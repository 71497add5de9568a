/** Ed25519 signatures through node:crypto (much faster than a pure-JS implementation). */
import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify, generateKeyPairSync, type KeyObject } from 'node:crypto'

const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

export interface SigningKeyPair {
  /** 32-byte seed (the private key) */
  seed: Uint8Array
  /** 32-byte public key */
  publicKey: Uint8Array
}

export function generateSigningKeyPair(): SigningKeyPair {
  const { privateKey } = generateKeyPairSync('ed25519')
  const der = privateKey.export({ format: 'der', type: 'pkcs8' })
  const seed = new Uint8Array(der.subarray(der.length - 32))
  return { seed, publicKey: publicKeyFromSeed(seed) }
}

export function publicKeyFromSeed(seed: Uint8Array): Uint8Array {
  const pub = createPublicKey(privateKeyObject(seed)).export({ format: 'der', type: 'spki' })
  return new Uint8Array(pub.subarray(pub.length - 32))
}

const privCache = new WeakMap<Uint8Array, KeyObject>()
function privateKeyObject(seed: Uint8Array): KeyObject {
  let key = privCache.get(seed)
  if (key === undefined) {
    key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' })
    privCache.set(seed, key)
  }
  return key
}

const pubCache = new Map<string, KeyObject>()
function publicKeyObject(publicKey: Uint8Array): KeyObject {
  const id = Buffer.from(publicKey).toString('hex')
  let key = pubCache.get(id)
  if (key === undefined) {
    key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' })
    if (pubCache.size > 1024) pubCache.clear()
    pubCache.set(id, key)
  }
  return key
}

export function sign(seed: Uint8Array, message: Uint8Array): Uint8Array {
  return new Uint8Array(nodeSign(null, message, privateKeyObject(seed)))
}

/** True only for a valid signature; malformed keys or signatures are simply invalid. */
export function verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false
  try {
    return nodeVerify(null, message, publicKeyObject(publicKey), signature)
  } catch {
    return false
  }
}
