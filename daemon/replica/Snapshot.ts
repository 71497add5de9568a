/**
 * A sealed snapshot: the whole Yjs state of a vault, plus the per-author seq vector it covers.
 *
 * snapshot := header • u32 len • ciphertext • signature(64)
 * header   := (codec/RecordHeader.ts) u8 version(1) • u8 kind(2 = snapshot) • vaultId(16) • u32 epoch • author(32)
 *             • u32 n • n × (author(32) • u32 seq) • nonce(24)
 * ciphertext = XChaCha20-Poly1305(vaultKey[epoch], nonce, Y.encodeStateAsUpdate(doc), aad = header)
 * signature  = Ed25519(author, header • u32 len • ciphertext)
 */
import { BinaryWriter } from '../codec/BinaryWriter.js'
import { BinaryReader } from '../codec/BinaryReader.js'
import { readSnapshotHeader, writeSnapshotHeader } from '../codec/RecordHeader.js'
import type { SeqVector } from '../codec/SeqVector.js'
import type { SignedHead } from '../codec/SignedHead.js'
import { newNonce, open, sealWithNonce } from '../crypto/aead.js'
import { verify } from '../crypto/signing.js'
import { fromHex, toHex } from '../crypto/bytes.js'
import type { Signer } from './Envelope.js'

export const MAX_SNAPSHOT_BYTES = 256 * 1024 * 1024

export type { SeqVector }

export interface Snapshot {
  vaultId: string
  epoch: number
  author: string
  vector: SeqVector
  /** undefined in a format-1 snapshot (before the chain) */
  heads: SignedHead[] | undefined
  bytes: Uint8Array
  header: Uint8Array
  nonce: Uint8Array
  ciphertext: Uint8Array
  signed: Uint8Array
  signature: Uint8Array
}

export function sealSnapshot(
  vaultId: string,
  epoch: number,
  heads: SignedHead[],
  key: Uint8Array,
  state: Uint8Array,
  signer: Signer
): Uint8Array {
  const nonce = newNonce()
  const header = writeSnapshotHeader(new BinaryWriter(), { vaultId, epoch, author: toHex(signer.publicKey), heads, nonce }).finish()
  const signed = new BinaryWriter()
    .raw(header)
    .bytes(sealWithNonce(key, nonce, state, header))
    .finish()
  return new BinaryWriter().raw(signed).raw(signer.sign(signed)).finish()
}

/** Parses a snapshot's structure; throws RecordHeaderError or TruncatedError on malformed bytes. */
export function decodeSnapshot(bytes: Uint8Array): Snapshot {
  const r = new BinaryReader(bytes)
  const { vaultId, epoch, author, vector, heads, nonce } = readSnapshotHeader(r)
  const header = bytes.subarray(0, r.position)
  const ciphertext = r.bytes(MAX_SNAPSHOT_BYTES)
  const signed = bytes.subarray(0, r.position)
  const signature = r.raw(64)
  r.end()
  return { vaultId, epoch, author, vector, heads, bytes, header, nonce, ciphertext, signed, signature }
}

export function verifySnapshot(s: Snapshot): boolean {
  return verify(fromHex(s.author), s.signed, s.signature)
}

export function openSnapshot(s: Snapshot, key: Uint8Array): Uint8Array {
  return open(key, s.nonce, s.ciphertext, s.header)
}
