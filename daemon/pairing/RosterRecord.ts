/**
 * One signed entry of the device roster. Each device appends to its own log (seq 1, 2, …), so the
 * roster syncs like envelopes: by per-author seq vectors.
 *
 * record := header • u8 op • body • signature(64)
 * header := (codec/RecordHeader.ts) u8 version(1) • u8 kind(3 = roster) • author(32) • u32 seq • u32 timeHi • u32 timeLo
 * op 1 GENESIS  sealingPublic(32) • string name         the first device creates the roster
 * op 2 ADD      device(32) • string name                 author admits a device (after pairing)
 * op 3 KEYS     sealingPublic(32) • string name          author states its own sealing key and name
 * op 4 REVOKE   device(32) • u32 rosterSeq • u32 n • n × (vaultId(16) • u32 envelopeSeq)
 *               author removes a device; the removed device's roster records after rosterSeq and its
 *               envelopes after envelopeSeq (per vault) are refused from then on
 * string := u32 length • UTF-8; signature = Ed25519(author, every byte before it).
 * The kind byte (3) keeps these signatures apart from envelopes (1) and snapshots (2).
 */
import { BinaryWriter } from '../codec/BinaryWriter.js'
import { BinaryReader } from '../codec/BinaryReader.js'
import { readRosterHeader, RecordHeaderError, writeRosterHeader } from '../codec/RecordHeader.js'
import { verify } from '../crypto/signing.js'
import { fromHex, toHex } from '../crypto/bytes.js'
import { FormatError } from '../crypto/errors.js'

const MAX_NAME = 200

export enum RosterOp {
  Genesis = 1,
  Add = 2,
  Keys = 3,
  Revoke = 4
}

export type RosterBody =
  | { op: RosterOp.Genesis; sealingPublicKey: Uint8Array; name: string }
  | { op: RosterOp.Add; device: string; name: string }
  | { op: RosterOp.Keys; sealingPublicKey: Uint8Array; name: string }
  | { op: RosterOp.Revoke; device: string; rosterSeq: number; envelopeSeqs: Map<string, number> }

export type RosterRecord = RosterBody & {
  author: string
  seq: number
  /** ms since the epoch, as the author's clock said */
  time: number
  bytes: Uint8Array
}

export interface RecordSigner {
  publicKey: Uint8Array
  sign: (message: Uint8Array) => Uint8Array
}

export function encodeRosterRecord(signer: RecordSigner, seq: number, time: number, body: RosterBody): Uint8Array {
  const w = writeRosterHeader(new BinaryWriter(), { author: toHex(signer.publicKey), seq, time }).u8(body.op)
  switch (body.op) {
    case RosterOp.Genesis:
    case RosterOp.Keys:
      w.raw(body.sealingPublicKey).string(body.name.slice(0, MAX_NAME))
      break
    case RosterOp.Add:
      w.raw(fromHex(body.device)).string(body.name.slice(0, MAX_NAME))
      break
    case RosterOp.Revoke:
      w.raw(fromHex(body.device)).u32(body.rosterSeq).u32(body.envelopeSeqs.size)
      for (const [vaultId, seq] of [...body.envelopeSeqs].sort(([a], [b]) => (a < b ? -1 : 1))) w.raw(fromHex(vaultId)).u32(seq)
      break
  }
  const signed = w.finish()
  return new BinaryWriter().raw(signed).raw(signer.sign(signed)).finish()
}

/** Parses and verifies a record; throws FormatError for malformed bytes or a bad signature. */
export function decodeRosterRecord(bytes: Uint8Array): RosterRecord {
  if (bytes.length < 64 + 47) throw new FormatError('roster record is truncated')
  const signed = bytes.subarray(0, bytes.length - 64)
  const signature = bytes.subarray(bytes.length - 64)
  const r = new BinaryReader(signed)
  let header: ReturnType<typeof readRosterHeader>
  try {
    header = readRosterHeader(r)
  } catch (err) {
    if (err instanceof RecordHeaderError) throw new FormatError(err.message)
    throw err
  }
  const { author, seq, time } = header
  const op = r.u8()
  let body: RosterBody
  switch (op) {
    case RosterOp.Genesis:
    case RosterOp.Keys:
      body = { op, sealingPublicKey: Uint8Array.from(r.raw(32)), name: r.string(MAX_NAME * 4) }
      break
    case RosterOp.Add:
      body = { op, device: toHex(r.raw(32)), name: r.string(MAX_NAME * 4) }
      break
    case RosterOp.Revoke: {
      const device = toHex(r.raw(32))
      const rosterSeq = r.u32()
      const n = r.u32()
      if (n > 10_000) throw new FormatError('revoke record lists too many vaults')
      const envelopeSeqs = new Map<string, number>()
      for (let i = 0; i < n; i++) envelopeSeqs.set(toHex(r.raw(16)), r.u32())
      body = { op, device, rosterSeq, envelopeSeqs }
      break
    }
    default:
      throw new FormatError(`unknown roster op ${op}`)
  }
  r.end()
  if (seq < 1) throw new FormatError('roster seq starts at 1')
  if (!verify(fromHex(author), signed, signature)) throw new FormatError('roster record signature does not verify')
  return { ...body, author, seq, time, bytes: Uint8Array.from(bytes) }
}
