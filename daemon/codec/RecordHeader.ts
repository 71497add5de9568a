/**
 * The cleartext headers of the signed records Kith stores and sends, one layout for all readers:
 * replica/ seals and opens envelopes and snapshots, sync/ routes them by these fields without a
 * key, pairing/ reads roster records. The kind byte keeps the three kinds' signatures apart.
 *
 * envelope header := u8 version(1) • u8 kind(1) • vaultId(16) • u32 epoch • author(32) • u32 seq • nonce(24)
 * snapshot header := u8 version(1) • u8 kind(2) • vaultId(16) • u32 epoch • author(32) • vector • nonce(24)
 * roster header   := u8 version(2) • u8 kind(3) • author(32) • u32 seq • u32 timeHi • u32 timeLo
 * vector          := u32 n • n × (author(32) • u32 seq)  (SeqVector.ts)
 *
 * The whole envelope and snapshot headers are the AEAD's associated data; the roster header is
 * followed by the record's op and body (pairing/RosterRecord.ts).
 */
import { BinaryReader, TruncatedError } from './BinaryReader.js'
import type { BinaryWriter } from './BinaryWriter.js'
import { readSeqVector, writeSeqVector, type SeqVector } from './SeqVector.js'
import { toError } from '../toError.js'

export const RecordKind = { envelope: 1, snapshot: 2, roster: 3 } as const
export type RecordKind = (typeof RecordKind)[keyof typeof RecordKind]
/** The format version each kind is written with (each may move on by itself). */
export const RecordVersion = { envelope: 1, snapshot: 1, roster: 2 } as const
export const NONCE_BYTES = 24
export const ENVELOPE_HEADER_BYTES = 1 + 1 + 16 + 4 + 32 + 4 + NONCE_BYTES
/** Most authors a snapshot's vector may list. */
export const MAX_VECTOR_AUTHORS = 100_000

export interface EnvelopeHeader {
  vaultId: string
  epoch: number
  /** hex of the author's Ed25519 public key (its device id) */
  author: string
  seq: number
  nonce: Uint8Array
}

export interface SnapshotHeader {
  vaultId: string
  epoch: number
  author: string
  /** what the snapshot covers: author → highest seq */
  vector: SeqVector
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

function readStart(r: BinaryReader, kind: Kind): void {
  const version = r.u8()
  const k = r.u8()
  if (k !== RecordKind[kind]) throw new RecordHeaderError(`expected a ${kind} record, got kind ${k}`)
  if (version !== RecordVersion[kind]) throw new RecordHeaderError(`unknown ${kind} version ${version}`)
}

function checkNonce(nonce: Uint8Array): void {
  if (nonce.length !== NONCE_BYTES) throw new RecordHeaderError(`a nonce is ${NONCE_BYTES} bytes, not ${nonce.length}`)
}

export function writeEnvelopeHeader(w: BinaryWriter, h: EnvelopeHeader): BinaryWriter {
  checkNonce(h.nonce)
  return w.u8(RecordVersion.envelope).u8(RecordKind.envelope).hex(h.vaultId, 16).u32(h.epoch).hex(h.author, 32).u32(h.seq).raw(h.nonce)
}

/** Reads an envelope header; throws TruncatedHeaderError or RecordHeaderError. */
export function readEnvelopeHeader(r: BinaryReader): EnvelopeHeader {
  return reading('envelope', () => {
    readStart(r, 'envelope')
    return { vaultId: r.hex(16), epoch: r.u32(), author: r.hex(32), seq: r.u32(), nonce: r.raw(NONCE_BYTES) }
  })
}

export function writeSnapshotHeader(w: BinaryWriter, h: SnapshotHeader): BinaryWriter {
  checkNonce(h.nonce)
  w.u8(RecordVersion.snapshot).u8(RecordKind.snapshot).hex(h.vaultId, 16).u32(h.epoch).hex(h.author, 32)
  return writeSeqVector(w, h.vector).raw(h.nonce)
}

/** Reads a snapshot header; throws TruncatedHeaderError or RecordHeaderError (also for an implausible vector). */
export function readSnapshotHeader(r: BinaryReader): SnapshotHeader {
  return reading('snapshot', () => {
    readStart(r, 'snapshot')
    return {
      vaultId: r.hex(16),
      epoch: r.u32(),
      author: r.hex(32),
      vector: readSeqVector(r, MAX_VECTOR_AUTHORS),
      nonce: r.raw(NONCE_BYTES)
    }
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
