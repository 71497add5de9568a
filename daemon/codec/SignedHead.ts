/**
 * A signed head: an author's statement "my log in this vault reaches `seq`, and the envelope at
 * `seq` hashes to `hash` and follows the one hashing to `prevHash`". Every chained envelope's
 * signature is such a statement (replica/Envelope.ts), so any device holding an envelope can pass
 * its head on; snapshots carry one head per vector entry, and VAULT messages one per author.
 *
 * head      := author(32) • u32 seq • prevHash(32) • hash(32) • signature(64)   (164 bytes; the vault is the context's)
 * statement := "kith/head/v1" • vaultId(16) • author(32) • u32 seq • prevHash(32) • hash(32)
 * signature  = Ed25519(author, statement)
 */
import type { BinaryReader } from './BinaryReader.js'
import { BinaryWriter } from './BinaryWriter.js'

export const HASH_BYTES = 32
/** The prev hash of an author's first envelope in a vault. */
export const NO_PREVIOUS = new Uint8Array(HASH_BYTES)
const DOMAIN = new TextEncoder().encode('kith/head/v1')

/**
 * Its byte fields are buffers of their own, never views into the record it was read from: a replica
 * keeps a head per author for as long as it runs (HeadVector, quarantine proofs).
 */
export interface SignedHead {
  /** hex device id */
  author: string
  seq: number
  prevHash: Uint8Array
  hash: Uint8Array
  signature: Uint8Array
}

export function writeSignedHead(w: BinaryWriter, h: SignedHead): BinaryWriter {
  return w.hex(h.author, 32).u32(h.seq).raw(h.prevHash).raw(h.hash).raw(h.signature)
}

export function readSignedHead(r: BinaryReader): SignedHead {
  return { author: r.hex(32), seq: r.u32(), prevHash: r.copy(HASH_BYTES), hash: r.copy(HASH_BYTES), signature: r.copy(64) }
}

/** The bytes an author signs for a head (and for each envelope it seals). */
export function headStatement(vaultId: string, h: Omit<SignedHead, 'signature'>): Uint8Array {
  return new BinaryWriter().raw(DOMAIN).hex(vaultId, 16).hex(h.author, 32).u32(h.seq).raw(h.prevHash).raw(h.hash).finish()
}

/** Whether two hashes are the same bytes (hashes are public: no constant time needed). */
export function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
