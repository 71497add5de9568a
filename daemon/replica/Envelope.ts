/**
 * The sealed envelope: one Yjs update, sealed once and stored and sent as the same bytes. Each
 * author's envelopes in a vault form a hash chain, and each envelope's signature is a signed head
 * (codec/SignedHead.ts) for it, so whoever holds an envelope can pass on its author's head.
 *
 * envelope  := header • u32 len • ciphertext • signature(64)
 * header    := (codec/RecordHeader.ts) u8 version(2) • u8 kind(1) • vaultId(16) • u32 epoch • author(32) • u32 seq • prevHash(32) • nonce(24)
 * ciphertext = XChaCha20-Poly1305(vaultKey[epoch], nonce, yjsUpdate, aad = header)
 * hash       = SHA-256(header • u32 len • ciphertext)       (what the author's next envelope names as prevHash)
 * signature  = Ed25519(author, "kith/head/v1" • vaultId • author • u32 seq • prevHash • hash)
 *
 * Format 1 (before the chain) had no prevHash and signed `header • u32 len • ciphertext` itself;
 * such envelopes are read only from this device's own storage (VaultReplica folds them).
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { BinaryWriter } from '../codec/BinaryWriter.js'
import { BinaryReader } from '../codec/BinaryReader.js'
import { readEnvelopeHeader, writeEnvelopeHeader, type EnvelopeHeader as SealedEnvelopeHeader } from '../codec/RecordHeader.js'
import { headStatement, type SignedHead } from '../codec/SignedHead.js'
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

/** What sealing needs besides the key and the update: the chain position. */
export interface EnvelopePosition {
  vaultId: string
  epoch: number
  seq: number
  /** hash of this author's envelope at seq - 1 (NO_PREVIOUS at seq 1) */
  prevHash: Uint8Array
}

export function sealEnvelope(h: EnvelopePosition, key: Uint8Array, update: Uint8Array, signer: Signer): Uint8Array {
  return sealEnvelopeWithHead(h, key, update, signer).bytes
}

/** Seals an envelope and returns its head too (the hash is computed once). */
export function sealEnvelopeWithHead(
  h: EnvelopePosition,
  key: Uint8Array,
  update: Uint8Array,
  signer: Signer
): { bytes: Uint8Array; head: SignedHead } {
  const nonce = newNonce()
  const author = toHex(signer.publicKey)
  const header = writeEnvelopeHeader(new BinaryWriter(), { ...h, author, nonce }).finish()
  const signed = new BinaryWriter()
    .raw(header)
    .bytes(sealWithNonce(key, nonce, update, header))
    .finish()
  const unsigned = { author, seq: h.seq, prevHash: h.prevHash, hash: sha256(signed) }
  const signature = signer.sign(headStatement(h.vaultId, unsigned))
  return { bytes: new BinaryWriter().raw(signed).raw(signature).finish(), head: { ...unsigned, signature } }
}

/** Parses an envelope's structure; throws FormatError, RecordHeaderError or TruncatedError on malformed bytes. */
export function decodeEnvelope(bytes: Uint8Array): Envelope {
  if (bytes.length > MAX_ENVELOPE_BYTES) throw new FormatError('envelope exceeds the size limit')
  const r = new BinaryReader(bytes)
  const { vaultId, epoch, author, seq, prevHash, nonce } = readEnvelopeHeader(r)
  const header = bytes.subarray(0, r.position)
  const ciphertext = r.bytes(MAX_ENVELOPE_BYTES)
  const signed = bytes.subarray(0, r.position)
  const signature = r.raw(64)
  r.end()
  return { vaultId, epoch, author, seq, prevHash, bytes, header, nonce, ciphertext, signature, signed }
}

/**
 * The head a chained envelope signs (undefined for a format-1 envelope, which signs none). Its
 * bytes are copies: the head outlives the envelope, which may be a view into a larger frame.
 */
export function headOf(env: Envelope): SignedHead | undefined {
  if (env.prevHash === undefined) return undefined
  return {
    author: env.author,
    seq: env.seq,
    prevHash: new Uint8Array(env.prevHash),
    hash: sha256(env.signed),
    signature: new Uint8Array(env.signature)
  }
}

/** True when the author's signature over the head verifies. Needs no vault key. */
export function verifyHead(vaultId: string, head: SignedHead): boolean {
  return verify(fromHex(head.author), headStatement(vaultId, head), head.signature)
}

/** True when the author's signature over the envelope verifies (either format). Needs no vault key. */
export function verifyEnvelope(env: Envelope): boolean {
  const head = headOf(env)
  if (head === undefined) return verify(fromHex(env.author), env.signed, env.signature)
  return verifyHead(env.vaultId, head)
}

/** Decrypts the Yjs update; throws DecryptionError on a wrong key or changed bytes. */
export function openEnvelope(env: Envelope, key: Uint8Array): Uint8Array {
  return open(key, env.nonce, env.ciphertext, env.header)
}
