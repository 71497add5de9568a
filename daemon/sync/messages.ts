/**
 * The sync protocol's messages and their byte layout (docs/protocol.md describes each: who sends
 * it, when, and what answers it). Every frame is `u8 type • body`; integers are big-endian; a
 * `bytes` field is `u32 length • bytes`; a vector is `u32 n • n × (author(32) • u32 seq)`; a head
 * list is `u32 n • n × signedHead` (codec/SignedHead.ts).
 * A message too large for one frame travels as PART frames (see Channel.ts).
 */
import { BinaryWriter } from '../codec/BinaryWriter.js'
import { BinaryReader } from '../codec/BinaryReader.js'
import { readSeqVector, writeSeqVector, type SeqVector } from '../codec/SeqVector.js'
import { envelopeHeaderOf, RecordHeaderError, snapshotHeaderOf } from '../codec/RecordHeader.js'
import { readSignedHead, writeSignedHead, type SignedHead } from '../codec/SignedHead.js'
import { toError } from '../toError.js'

export const SYNC_PROTOCOL = '/kith/sync/1.0.0'
/** 2: chained envelopes, snapshots with heads, VAULT with heads and as the answer to SNAPSHOT */
export const PROTOCOL_VERSION = 2

/** Largest frame on the wire (a PART body is at most this minus its 10-byte header). */
export const MAX_FRAME_BYTES = 256 * 1024
/** Largest reassembled message (a snapshot of a very large vault). */
export const MAX_MESSAGE_BYTES = 96 * 1024 * 1024
/** Credit each side grants the other at the start: bytes of frames it may send before the next CREDIT. */
export const INITIAL_WINDOW = 4 * 1024 * 1024
/** What the receiving stream may buffer: the window plus slack for control frames. */
export const MAX_BUFFER_BYTES = INITIAL_WINDOW + 4 * MAX_FRAME_BYTES
/** Upper bounds that keep a hostile peer from making us allocate much. */
const MAX_LIST = 100_000
const MAX_ADDRS = 64
/** Most heads a VAULT may carry (one per device that ever wrote to the vault). */
const MAX_HEADS = 10_000
const MAX_ADDR_BYTES = 512

export enum MsgType {
  Hello = 0x01,
  Roster = 0x02,
  Grants = 0x03,
  Vault = 0x04,
  Envelopes = 0x05,
  Snapshot = 0x06,
  Credit = 0x07,
  CaughtUp = 0x08,
  Bye = 0x09,
  Next = 0x0a,
  Part = 0x7f
}

export type { SeqVector }

export enum ByeReason {
  Done = 0,
  ShuttingDown = 1,
  Duplicate = 2,
  ProtocolError = 3,
  NotOnRoster = 4
}

export type Message =
  | { type: MsgType.Hello; version: number; deviceId: string; addrs: string[]; roster: SeqVector }
  | { type: MsgType.Roster; records: Uint8Array[] }
  | { type: MsgType.Grants; grants: Uint8Array[] }
  | { type: MsgType.Vault; vaultId: string; heads: SignedHead[]; replyWanted: boolean }
  | { type: MsgType.Envelopes; envelopes: Uint8Array[] }
  /** one envelope that follows the receiver's tip, without its prevHash (and author): nextEnvelope.ts */
  | { type: MsgType.Next; authorOmitted: boolean; stripped: Uint8Array }
  | { type: MsgType.Snapshot; snapshot: Uint8Array }
  | { type: MsgType.Credit; bytes: number }
  | { type: MsgType.CaughtUp; vaultId: string }
  | { type: MsgType.Bye; reason: ByeReason; message: string }

/** A frame or message that does not parse, or breaks the protocol's rules. */
export class ProtocolError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'ProtocolError'
  }
}

const writeVector = (w: BinaryWriter, v: SeqVector): BinaryWriter => writeSeqVector(w, v)
const readVector = (r: BinaryReader): SeqVector => readSeqVector(r, MAX_LIST)

function writeList(w: BinaryWriter, items: Uint8Array[]): void {
  w.u32(items.length)
  for (const item of items) w.bytes(item)
}

function readList(r: BinaryReader, maxItem = MAX_MESSAGE_BYTES): Uint8Array[] {
  const n = r.u32()
  if (n > MAX_LIST) throw new ProtocolError('list too long')
  const out: Uint8Array[] = []
  for (let i = 0; i < n; i++) out.push(r.bytes(maxItem))
  return out
}

/** A whole message: its type byte, then its body. */
export function encodeMessage(m: Message): Uint8Array {
  const w = new BinaryWriter().u8(m.type)
  switch (m.type) {
    case MsgType.Hello:
      w.u16(m.version).hex(m.deviceId, 32).u32(m.addrs.length)
      for (const a of m.addrs) w.string(a)
      writeVector(w, m.roster)
      break
    case MsgType.Roster:
      writeList(w, m.records)
      break
    case MsgType.Grants:
      writeList(w, m.grants)
      break
    case MsgType.Vault:
      w.hex(m.vaultId, 16)
        .u8(m.replyWanted ? 1 : 0)
        .u32(m.heads.length)
      for (const head of m.heads) writeSignedHead(w, head)
      break
    case MsgType.Envelopes:
      writeList(w, m.envelopes)
      break
    case MsgType.Next:
      w.u8(m.authorOmitted ? 1 : 0).bytes(m.stripped)
      break
    case MsgType.Snapshot:
      w.bytes(m.snapshot)
      break
    case MsgType.Credit:
      w.u32(m.bytes)
      break
    case MsgType.CaughtUp:
      w.hex(m.vaultId, 16)
      break
    case MsgType.Bye:
      w.u8(m.reason).string(m.message.slice(0, 200))
      break
  }
  return w.finish()
}

/** Parses a whole message (type byte first); throws ProtocolError on anything malformed. */
export function decodeMessage(bytes: Uint8Array): Message {
  try {
    const r = new BinaryReader(bytes)
    const type = r.u8()
    let m: Message
    switch (type) {
      case MsgType.Hello: {
        const version = r.u16()
        const deviceId = r.hex(32)
        const n = r.u32()
        if (n > MAX_ADDRS) throw new ProtocolError('too many addresses')
        const addrs: string[] = []
        for (let i = 0; i < n; i++) addrs.push(r.string(MAX_ADDR_BYTES))
        m = { type, version, deviceId, addrs, roster: readVector(r) }
        break
      }
      case MsgType.Roster:
        m = { type, records: readList(r, 64 * 1024) }
        break
      case MsgType.Grants:
        m = { type, grants: readList(r, 64 * 1024) }
        break
      case MsgType.Vault: {
        const vaultId = r.hex(16)
        const flags = r.u8()
        const n = r.u32()
        if (n > MAX_HEADS) throw new ProtocolError('too many heads')
        const heads: SignedHead[] = []
        for (let i = 0; i < n; i++) heads.push(readSignedHead(r))
        m = { type, vaultId, replyWanted: (flags & 1) === 1, heads }
        break
      }
      case MsgType.Envelopes:
        m = { type, envelopes: readList(r) }
        break
      case MsgType.Next: {
        const flags = r.u8()
        if (flags > 1) throw new ProtocolError(`unknown NEXT flags ${flags}`)
        m = { type, authorOmitted: flags === 1, stripped: r.bytes(MAX_MESSAGE_BYTES) }
        break
      }
      case MsgType.Snapshot:
        m = { type, snapshot: r.bytes(MAX_MESSAGE_BYTES) }
        break
      case MsgType.Credit:
        m = { type, bytes: r.u32() }
        break
      case MsgType.CaughtUp:
        m = { type, vaultId: r.hex(16) }
        break
      case MsgType.Bye:
        m = { type, reason: r.u8(), message: r.string(1024) }
        break
      default:
        throw new ProtocolError(`unknown message type 0x${type.toString(16)}`)
    }
    r.end()
    return m
  } catch (err) {
    if (err instanceof ProtocolError) throw err
    throw new ProtocolError(`malformed message: ${toError(err).message}`, { cause: err })
  }
}

/**
 * A PART frame: one slice of a message too large for a frame.
 * part := u8 0x7f • u8 innerType • u32 totalLength • u32 offset • slice
 * (totalLength and offset count the message body after its type byte.)
 */
export function encodePart(innerType: number, total: number, offset: number, slice: Uint8Array): Uint8Array {
  return new BinaryWriter().u8(MsgType.Part).u8(innerType).u32(total).u32(offset).raw(slice).finish()
}

export function decodePart(frame: Uint8Array): { innerType: number; total: number; offset: number; slice: Uint8Array } {
  const r = new BinaryReader(frame)
  try {
    r.u8()
    const innerType = r.u8()
    const total = r.u32()
    const offset = r.u32()
    return { innerType, total, offset, slice: frame.subarray(r.position) }
  } catch (err) {
    throw new ProtocolError('PART frame is truncated', { cause: err })
  }
}

/** The routing fields of a sealed envelope, read from its header (codec/RecordHeader.ts) without a key. */
export function envelopeHeader(bytes: Uint8Array): { vaultId: string; author: string; seq: number } {
  const { vaultId, author, seq } = routing('envelope', () => envelopeHeaderOf(bytes))
  return { vaultId, author, seq }
}

/** The routing fields of a sealed snapshot, read from its header (codec/RecordHeader.ts) without a key. */
export function snapshotHeader(bytes: Uint8Array): { vaultId: string; author: string; vector: SeqVector } {
  const { vaultId, author, vector } = routing('snapshot', () => snapshotHeaderOf(bytes))
  return { vaultId, author, vector }
}

function routing<T>(what: string, read: () => T): T {
  try {
    return read()
  } catch (err) {
    if (err instanceof RecordHeaderError) throw new ProtocolError(`malformed ${what} header: ${err.message}`, { cause: err })
    throw err
  }
}
