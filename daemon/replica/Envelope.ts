/**
 * The sealed envelope: one Yjs update, sealed once and stored and sent as the same bytes.
 *
 * envelope := header • u32 len • ciphertext • signature(64)
 * header   := (codec/RecordHeader.ts) u8 version(1) • u8 kind(1 = update) • vaultId(16) • u32 epoch • author(32) • u32 seq • nonce(24)
 * ciphertext = XChaCha20-Poly1305(vaultKey[epoch], nonce, yjsUpdate, aad = header)
 * signature  = Ed25519(author, header • u32 len • ciphertext)
 */
import { BinaryWriter } from '../codec/BinaryWriter.js'
import { BinaryReader } from '../codec/BinaryReader.js'
import { readEnvelopeHeader, writeEnvelopeHeader, type EnvelopeHeader as SealedEnvelopeHeader } from '../codec/RecordHeader.js'
import { newNonce, open, sealWithNonce } from '../crypto/aead.js'
import { verify } from '../crypto/signing.js'
import { fromHex, toHex } from '../crypto/bytes.js'
import { FormatError } from '../crypto/errors.js'

/** An envelope larger than this is refused (imports are split into several updates). */
export const MAX_ENVELOPE_BYTES = 8 * 1024 * 1024

export type EnvelopeHeader = Omit<SealedEnvelopeHeader, 'nonce'>

export interface Envelope extends EnvelopeHeader {
  /** the whole envelope as stored and sent */
  bytes: Uint8Array
  header: Uint8Array
  nonce: Uint8Array
  ciphertext: Uint8Array
  signature: Uint8Array
  signed: Uint8Array
}

export interface Signer {
  publicKey: Uint8Array
  sign: (message: Uint8Array) => Uint8Array
}

export function sealEnvelope(h: Omit<EnvelopeHeader, 'author'>, key: Uint8Array, update: Uint8Array, signer: Signer): Uint8Array {
  const nonce = newNonce()
  const header = writeEnvelopeHeader(new BinaryWriter(), { ...h, author: toHex(signer.publicKey), nonce }).finish()
  const signed = new BinaryWriter()
    .raw(header)
    .bytes(sealWithNonce(key, nonce, update, header))
    .finish()
  return new BinaryWriter().raw(signed).raw(signer.sign(signed)).finish()
}

/** Parses an envelope's structure; throws FormatError, RecordHeaderError or TruncatedError on malformed bytes. */
export function decodeEnvelope(bytes: Uint8Array): Envelope {
  if (bytes.length > MAX_ENVELOPE_BYTES) throw new FormatError('envelope exceeds the size limit')
  const r = new BinaryReader(bytes)
  const { vaultId, epoch, author, seq, nonce } = readEnvelopeHeader(r)
  const header = bytes.subarray(0, r.position)
  const ciphertext = r.bytes(MAX_ENVELOPE_BYTES)
  const signed = bytes.subarray(0, r.position)
  const signature = r.raw(64)
  r.end()
  return { vaultId, epoch, author, seq, bytes, header, nonce, ciphertext, signature, signed }
}
/** True when the author's signature over the envelope verifies. Needs no vault key. */
export function verifyEnvelope(env: Envelope): boolean {
  return verify(fromHex(env.author), env.signed, env.signature)
}

/** Decrypts the Yjs update; throws DecryptionError on a wrong key or changed bytes. */
export function openEnvelope(env: Envelope, key: Uint8Array): Uint8Array {
  return open(key, env.nonce, env.ciphertext, env.header)
}
