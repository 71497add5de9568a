/**
 * The sealed envelope: one Yjs update, sealed once and stored and sent as the same bytes.
 *
 * envelope := header • u32 len • ciphertext • signature(64)
 * header   := u8 version(1) • u8 kind(1 = update) • vaultId(16) • u32 epoch • author(32) • u32 seq • nonce(24)
 * ciphertext = XChaCha20-Poly1305(vaultKey[epoch], nonce, yjsUpdate, aad = header)
 * signature  = Ed25519(author, header • u32 len • ciphertext)
 */
import { BinaryWriter } from '../codec/BinaryWriter.js'
import { BinaryReader } from '../codec/BinaryReader.js'
import { newNonce, open, sealWithNonce } from '../crypto/aead.js'
import { verify } from '../crypto/signing.js'
import { fromHex, toHex } from '../crypto/bytes.js'
import { FormatError } from '../crypto/errors.js'

export const ENVELOPE_VERSION = 1
export const KIND_UPDATE = 1
export const HEADER_BYTES = 1 + 1 + 16 + 4 + 32 + 4 + 24
/** An envelope larger than this is refused (imports are split into several updates). */
export const MAX_ENVELOPE_BYTES = 8 * 1024 * 1024

export interface EnvelopeHeader {
  vaultId: string
  epoch: number
  /** hex of the author's Ed25519 public key */
  author: string
  seq: number
}

export interface Envelope extends EnvelopeHeader {
  /** the whole envelope as stored and sent */
  bytes: Uint8Array
  header: Uint8Array
  nonce: Uint8Array
  ciphertext: Uint8Array
  signature: Uint8Array
  signed: Uint8Array
}

export interface Signer { publicKey: Uint8Array, sign: (message: Uint8Array) => Uint8Array }

function encodeHeader (h: EnvelopeHeader, authorKey: Uint8Array, nonce: Uint8Array): Uint8Array {
  return new BinaryWriter().u8(ENVELOPE_VERSION).u8(KIND_UPDATE).raw(fromHex(h.vaultId)).u32(h.epoch)
    .raw(authorKey).u32(h.seq).raw(nonce).finish()
}

export function sealEnvelope (h: Omit<EnvelopeHeader, 'author'>, key: Uint8Array, update: Uint8Array, signer: Signer): Uint8Array {
  const nonce = newNonce()
  const header = encodeHeader({ ...h, author: toHex(signer.publicKey) }, signer.publicKey, nonce)
  const signed = new BinaryWriter().raw(header).bytes(sealWithNonce(key, nonce, update, header)).finish()
  return new BinaryWriter().raw(signed).raw(signer.sign(signed)).finish()
}

/** Parses an envelope's structure; throws FormatError/TruncatedError on malformed bytes. */
export function decodeEnvelope (bytes: Uint8Array): Envelope {
  if (bytes.length > MAX_ENVELOPE_BYTES) throw new FormatError('envelope exceeds the size limit')
  const r = new BinaryReader(bytes)
  const version = r.u8()
  if (version !== ENVELOPE_VERSION) throw new FormatError(`unknown envelope version ${version}`)
  const kind = r.u8()
  if (kind !== KIND_UPDATE) throw new FormatError(`unknown envelope kind ${kind}`)
  const vaultId = toHex(r.raw(16))
  const epoch = r.u32()
  const author = toHex(r.raw(32))
  const seq = r.u32()
  const nonce = r.raw(24)
  const header = bytes.subarray(0, HEADER_BYTES)
  const ciphertext = r.bytes(MAX_ENVELOPE_BYTES)
  const signed = bytes.subarray(0, r.position)
  const signature = r.raw(64)
  r.end()
  return { vaultId, epoch, author, seq, bytes, header, nonce, ciphertext, signature, signed }
}

/** True when the author's signature over the envelope verifies. Needs no vault key. */
export function verifyEnvelope (env: Envelope): boolean {
  return verify(fromHex(env.author), env.signed, env.signature)
}

/** Decrypts the Yjs update; throws DecryptionError on a wrong key or changed bytes. */
export function openEnvelope (env: Envelope, key: Uint8Array): Uint8Array {
  return open(key, env.nonce, env.ciphertext, env.header)
}
