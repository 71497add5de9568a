/**
 * A sealed snapshot: the whole Yjs state of a vault, plus the per-author seq vector it covers.
 *
 * snapshot := header • u32 len • ciphertext • signature(64)
 * header   := u8 version(1) • u8 kind(2 = snapshot) • vaultId(16) • u32 epoch • author(32)
 *             • u32 n • n × (author(32) • u32 seq) • nonce(24)
 * ciphertext = XChaCha20-Poly1305(vaultKey[epoch], nonce, Y.encodeStateAsUpdate(doc), aad = header)
 * signature  = Ed25519(author, header • u32 len • ciphertext)
 */
import { BinaryWriter } from '../codec/BinaryWriter.js'
import { BinaryReader } from '../codec/BinaryReader.js'
import { newNonce, open, sealWithNonce } from '../crypto/aead.js'
import { verify } from '../crypto/signing.js'
import { fromHex, toHex } from '../crypto/bytes.js'
import { FormatError } from '../crypto/errors.js'
import type { Signer } from './Envelope.js'

export const SNAPSHOT_VERSION = 1
export const KIND_SNAPSHOT = 2
export const MAX_SNAPSHOT_BYTES = 256 * 1024 * 1024

/** author (hex device id) → highest seq covered */
export type SeqVector = Map<string, number>

export interface Snapshot {
  vaultId: string
  epoch: number
  author: string
  vector: SeqVector
  bytes: Uint8Array
  header: Uint8Array
  nonce: Uint8Array
  ciphertext: Uint8Array
  signed: Uint8Array
  signature: Uint8Array
}

export function sealSnapshot (vaultId: string, epoch: number, vector: SeqVector, key: Uint8Array, state: Uint8Array, signer: Signer): Uint8Array {
  const nonce = newNonce()
  const w = new BinaryWriter().u8(SNAPSHOT_VERSION).u8(KIND_SNAPSHOT).raw(fromHex(vaultId)).u32(epoch).raw(signer.publicKey).u32(vector.size)
  for (const [author, seq] of [...vector].sort(([a], [b]) => a < b ? -1 : 1)) w.raw(fromHex(author)).u32(seq)
  const header = w.raw(nonce).finish()
  const signed = new BinaryWriter().raw(header).bytes(sealWithNonce(key, nonce, state, header)).finish()
  return new BinaryWriter().raw(signed).raw(signer.sign(signed)).finish()
}

export function decodeSnapshot (bytes: Uint8Array): Snapshot {
  const r = new BinaryReader(bytes)
  const version = r.u8()
  if (version !== SNAPSHOT_VERSION) throw new FormatError(`unknown snapshot version ${version}`)
  if (r.u8() !== KIND_SNAPSHOT) throw new FormatError('not a snapshot')
  const vaultId = toHex(r.raw(16))
  const epoch = r.u32()
  const author = toHex(r.raw(32))
  const n = r.u32()
  if (n > 100_000) throw new FormatError('snapshot vector is implausibly large')
  const vector: SeqVector = new Map()
  for (let i = 0; i < n; i++) vector.set(toHex(r.raw(32)), r.u32())
  const nonce = r.raw(24)
  const header = bytes.subarray(0, r.position)
  const ciphertext = r.bytes(MAX_SNAPSHOT_BYTES)
  const signed = bytes.subarray(0, r.position)
  const signature = r.raw(64)
  r.end()
  return { vaultId, epoch, author, vector, bytes, header, nonce, ciphertext, signed, signature }
}

export function verifySnapshot (s: Snapshot): boolean {
  return verify(fromHex(s.author), s.signed, s.signature)
}

export function openSnapshot (s: Snapshot, key: Uint8Array): Uint8Array {
  return open(key, s.nonce, s.ciphertext, s.header)
}
