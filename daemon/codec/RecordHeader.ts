/**
 * The cleartext headers of the signed records Kith stores and sends, one layout for all readers:
 * replica/ seals and opens envelopes and snapshots, sync/ routes them by these fields without a
 * key, pairing/ reads roster records. The kind byte keeps the three kinds' signatures apart.
 *
 * envelope header := u8 version(2) • u8 kind(1) • vaultId(16) • u32 epoch • author(32) • u32 seq • prevHash(32) • nonce(24)
 * snapshot header := u8 version(2) • u8 kind(2) • vaultId(16) • u32 epoch • author(32) • u32 n • n × signedHead • nonce(24)
 * roster header   := u8 version(2) • u8 kind(3) • author(32) • u32 seq • u32 timeHi • u32 timeLo
 * signedHead      := author(32) • u32 seq • prevHash(32) • hash(32) • signature(64)  (SignedHead.ts)
 *
 * prevHash chains each author's envelopes in a vault (the hash of its envelope at seq - 1, zeros
 * at seq 1); a snapshot's heads, authors ascending, are its vector, each signed by that author.
 * Format 1 (before the chain: no prevHash; a vector `u32 n • n × (author(32) • u32 seq)` instead
 * of heads) is still read, so that a device can fold the records it stored before the upgrade.
 *
 * The whole envelope and snapshot headers are the AEAD's associated data; the roster header is
 * followed by the record's op and body (pairing/RosterRecord.ts).
 */
import { BinaryReader, TruncatedError } from './BinaryReader.js'
import type { BinaryWriter } from './BinaryWriter.js'
import { readSeqVector, type SeqVector } from './SeqVector.js'
import { HASH_BYTES, readSignedHead, writeSignedHead, type SignedHead } from './SignedHead.js'
import { toError } from '../toError.js'

export const RecordKind = { envelope: 1, snapshot: 2, roster: 3 } as const
export type RecordKind = (typeof RecordKind)[keyof typeof RecordKind]
/** The format version each kind is written with (each may move on by itself). */
export const RecordVersion = { envelope: 2, snapshot: 2, roster: 2 } as const
/** Older versions still read (format 1 envelopes and snapshots: before the per-author chain). */
const READ_VERSIONS: Record<keyof typeof RecordKind, readonly number[]> = { envelope: [1, 2], snapshot: [1, 2], roster: [2] }
export const NONCE_BYTES = 24
export const ENVELOPE_HEADER_BYTES = 1 + 1 + 16 + 4 + 32 + 4 + HASH_BYTES + NONCE_BYTES
/** Most authors a snapshot's vector may list. */
export const MAX_VECTOR_AUTHORS = 100_000

export interface EnvelopeHeader {
  vaultId: string
  epoch: number
  /** hex of the author's Ed25519 public key (its device id) */
  author: string
  seq: number
  /** hash of the author's envelope at seq - 1 in this vault (zeros at seq 1); undefined in a format-1 envelope */
  prevHash: Uint8Array | undefined
  nonce: Uint8Array
}

export interface SnapshotHeader {
  vaultId: string
  epoch: number
  author: string
  /** what the snapshot covers: author → highest seq (the heads' seqs) */
  vector: SeqVector
  /** one head per author it covers, signed by that author; undefined in a format-1 snapshot */
  heads: SignedHead[] | undefined
  nonce: Uint8Array
}

export interface RosterHeader {
  author: string
  seq: number
  /** ms since the epoch, as the author's clock said */
  time: number
}

/** The bytes are not a header of the kind asked for (another kind, an unknown version, a bad field). */
export class RecordHeaderError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'RecordHeaderError'
  }
}

/** The bytes end before the header does. */
export class TruncatedHeaderError extends RecordHeaderError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'TruncatedHeaderError'
  }
}

type Kind = keyof typeof RecordKind

function reading<T>(kind: Kind, read: () => T): T {
  try {
    return read()
  } catch (err) {
    if (err instanceof RecordHeaderError) throw err
    if (err instanceof TruncatedError) throw new TruncatedHeaderError(`${kind} header is truncated: ${err.message}`, { cause: err })
    throw new RecordHeaderError(`malformed ${kind} header: ${toError(err).message}`, { cause: err })
  }
}

/** Reads version and kind; returns the version. */
function readStart(r: BinaryReader, kind: Kind): number {
  const version = r.u8()
  const k = r.u8()
  if (k !== RecordKind[kind]) throw new RecordHeaderError(`expected a ${kind} record, got kind ${k}`)
  if (!READ_VERSIONS[kind].includes(version)) throw new RecordHeaderError(`unknown ${kind} version ${version}`)
  return version
}

function checkNonce(nonce: Uint8Array): void {
  if (nonce.length !== NONCE_BYTES) throw new RecordHeaderError(`a nonce is ${NONCE_BYTES} bytes, not ${nonce.length}`)
}

/** Writes a format-2 envelope header (the one that chains). */
export function writeEnvelopeHeader(w: BinaryWriter, h: Omit<EnvelopeHeader, 'prevHash'> & { prevHash: Uint8Array }): BinaryWriter {
  checkNonce(h.nonce)
  if (h.prevHash.length !== HASH_BYTES) throw new RecordHeaderError(`a prev hash is ${HASH_BYTES} bytes, not ${h.prevHash.length}`)
  return w
    .u8(RecordVersion.envelope)
    .u8(RecordKind.envelope)
    .hex(h.vaultId, 16)
    .u32(h.epoch)
    .hex(h.author, 32)
    .u32(h.seq)
    .raw(h.prevHash)
    .raw(h.nonce)
}

/** Reads an envelope header (format 2, or format 1 with no prevHash); throws TruncatedHeaderError or RecordHeaderError. */
export function readEnvelopeHeader(r: BinaryReader): EnvelopeHeader {
  return reading('envelope', () => {
    const version = readStart(r, 'envelope')
    const vaultId = r.hex(16)
    const epoch = r.u32()
    const author = r.hex(32)
    const seq = r.u32()
    const prevHash = version === 1 ? undefined : r.raw(HASH_BYTES)
    return { vaultId, epoch, author, seq, prevHash, nonce: r.raw(NONCE_BYTES) }
  })
}

/** Writes a format-2 snapshot header: its heads, one per author, authors ascending. */
export function writeSnapshotHeader(w: BinaryWriter, h: Omit<SnapshotHeader, 'vector' | 'heads'> & { heads: SignedHead[] }): BinaryWriter {
  checkNonce(h.nonce)
  const heads = [...h.heads].sort((a, b) => (a.author < b.author ? -1 : 1))
  w.u8(RecordVersion.snapshot).u8(RecordKind.snapshot).hex(h.vaultId, 16).u32(h.epoch).hex(h.author, 32).u32(heads.length)
  for (const head of heads) writeSignedHead(w, head)
  return w.raw(h.nonce)
}

/** Reads a snapshot header; throws TruncatedHeaderError or RecordHeaderError (also for an implausible vector). */
export function readSnapshotHeader(r: BinaryReader): SnapshotHeader {
  return reading('snapshot', () => {
    const version = readStart(r, 'snapshot')
    const vaultId = r.hex(16)
    const epoch = r.u32()
    const author = r.hex(32)
    if (version === 1)
      return { vaultId, epoch, author, vector: readSeqVector(r, MAX_VECTOR_AUTHORS), heads: undefined, nonce: r.raw(NONCE_BYTES) }
    const n = r.u32()
    if (n > MAX_VECTOR_AUTHORS) throw new RecordHeaderError(`a snapshot lists ${n} heads, more than ${MAX_VECTOR_AUTHORS}`)
    const heads: SignedHead[] = []
    const vector: SeqVector = new Map()
    for (let i = 0; i < n; i++) {
      const head = readSignedHead(r)
      if (vector.has(head.author)) throw new RecordHeaderError('a snapshot lists one author twice')
      vector.set(head.author, head.seq)
      heads.push(head)
    }
    return { vaultId, epoch, author, vector, heads, nonce: r.raw(NONCE_BYTES) }
  })
}

export function writeRosterHeader(w: BinaryWriter, h: RosterHeader): BinaryWriter {
  return w
    .u8(RecordVersion.roster)
    .u8(RecordKind.roster)
    .hex(h.author, 32)
    .u32(h.seq)
    .u32(Math.floor(h.time / 2 ** 32))
    .u32(h.time % 2 ** 32)
}

/** Reads a roster record's header (its op and body follow); throws TruncatedHeaderError or RecordHeaderError. */
export function readRosterHeader(r: BinaryReader): RosterHeader {
  return reading('roster', () => {
    readStart(r, 'roster')
    const author = r.hex(32)
    const seq = r.u32()
    return { author, seq, time: r.u32() * 2 ** 32 + r.u32() }
  })
}

/** The header at the start of a record's bytes (what follows it is not read). */
export const envelopeHeaderOf = (bytes: Uint8Array): EnvelopeHeader => readEnvelopeHeader(new BinaryReader(bytes))
export const snapshotHeaderOf = (bytes: Uint8Array): SnapshotHeader => readSnapshotHeader(new BinaryReader(bytes))
export const rosterHeaderOf = (bytes: Uint8Array): RosterHeader => readRosterHeader(new BinaryReader(bytes))
