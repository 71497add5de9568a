/**
 * One signed entry of the device roster. Each device appends to its own log (seq 1, 2, …), so the
 * roster syncs like envelopes: by per-author seq vectors. Records are signed with the author's
 * roster key, which is derived from its root key and so exists only while it is unlocked; the
 * header's author is its device (transport) id. Roster.ts checks that the roster key a record
 * carries is the one bound to its author (by its GENESIS, or by the ADD that admitted it).
 *
 * record := header • rosterKey(32) • u8 op • body • signature(64)
 * header := (codec/RecordHeader.ts) u8 version(2) • u8 kind(3 = roster) • author(32) • u32 seq • u32 timeHi • u32 timeLo
 * op 1 GENESIS  sealingPublic(32) • string name         the first device creates the roster
 * op 2 ADD      device(32) • deviceRosterKey(32) • string name • access
 *                                                      author admits a device (after pairing and approval)
 * op 3 KEYS     sealingPublic(32) • string name          author states its own sealing key and name
 * op 4 REVOKE   device(32) • u32 rosterSeq • u32 n • n × (vaultRef(32) • u32 envelopeSeq) • epochs
 *               author removes a device; its roster records after rosterSeq and its envelopes
 *               after envelopeSeq (per vault) are refused from then on; `epochs` are the new vault
 *               keys, written in the same record so a removal never stands without its rotation
 * op 5 EPOCHS   epochs                                  author declares vault key epochs (a new vault, a rotation)
 * op 6 ACCESS   device(32) • access • epochs            author sets which vaults a device may hold (the
 *                                                      newest statement wins), with the keys of the vaults
 *                                                      it no longer may (rotated in the same record)
 * op 7 BACKUP   device(32) • string name • string address • access
 *                                                      author admits a backup peer (issue 13): a keyless node
 *                                                      that syncs sealed records and relays; no roster key is
 *                                                      bound to it, so it never authors a record, an envelope
 *                                                      or a grant, and it is never sent a vault key
 * access := u8 all(1) | u8 0 • u32 n • n × vaultRef(32)
 * epochs := u32 m • m × (vaultRef(32) • u32 epoch • commitment(32))
 * vaultRef := SHA-256("kith/vault-ref/v1" • vaultId) (vaultRef.ts): a device admitted to some vaults
 *             only learns nothing of the others' ids from the roster
 * string := u32 length • UTF-8; signature = Ed25519(rosterKey, every byte before it).
 * The kind byte (3) keeps these signatures apart from envelopes (1) and snapshots (2); the roster
 * key signs nothing else.
 */
import { BinaryWriter } from '../codec/BinaryWriter.js'
import { BinaryReader } from '../codec/BinaryReader.js'
import { readRosterHeader, RecordHeaderError, writeRosterHeader } from '../codec/RecordHeader.js'
import { verify } from '../crypto/signing.js'
import { fromHex, toHex } from '../crypto/bytes.js'
import { FormatError } from '../crypto/errors.js'

const MAX_NAME = 200
const MAX_ADDRESS = 1000
const MAX_VAULTS = 10_000

export enum RosterOp {
  Genesis = 1,
  Add = 2,
  Keys = 3,
  Revoke = 4,
  Epochs = 5,
  Access = 6,
  Backup = 7
}

/** Which vaults a device may hold: every vault (the default), or those listed (vault refs). */
export type VaultAccess = { all: true } | { all: false; vaults: string[] }

/** A vault key epoch a device declares: only declared epochs are used, and only keys that match the commitment. */
export interface EpochStatement {
  /** vaultRef(vaultId), hex */
  vault: string
  epoch: number
  /** epochCommitment(vaultId, epoch, key) of keyring/epochCommitment.ts */
  commitment: Uint8Array
}

export type RosterBody =
  | { op: RosterOp.Genesis; sealingPublicKey: Uint8Array; name: string }
  | { op: RosterOp.Add; device: string; rosterKey: Uint8Array; name: string; access: VaultAccess }
  | { op: RosterOp.Keys; sealingPublicKey: Uint8Array; name: string }
  | {
      op: RosterOp.Revoke
      device: string
      rosterSeq: number
      /** vault ref → the removed device's last envelope still accepted */
      envelopeSeqs: Map<string, number>
      epochs: EpochStatement[]
    }
  | { op: RosterOp.Epochs; epochs: EpochStatement[] }
  | { op: RosterOp.Access; device: string; access: VaultAccess; epochs: EpochStatement[] }
  | { op: RosterOp.Backup; device: string; name: string; address: string; access: VaultAccess }

export type RosterRecord = RosterBody & {
  author: string
  /** the roster key that signed it (Roster.ts checks it is the author's) */
  signedBy: string
  seq: number
  /** ms since the epoch, as the author's clock said */
  time: number
  bytes: Uint8Array
}

/** The unlocked device's roster key (keyring/Keyring.ts rosterSigner()). */
export interface RecordSigner {
  /** the author's device id */
  deviceId: string
  /** the roster key's public half */
  publicKey: Uint8Array
  sign: (message: Uint8Array) => Uint8Array
}

function writeEpochs(w: BinaryWriter, epochs: EpochStatement[]): void {
  const sorted = [...epochs].sort((a, b) => (a.vault === b.vault ? a.epoch - b.epoch : a.vault < b.vault ? -1 : 1))
  w.u32(sorted.length)
  for (const e of sorted) w.raw(fromHex(e.vault)).u32(e.epoch).raw(e.commitment)
}

function readEpochs(r: BinaryReader): EpochStatement[] {
  const m = r.u32()
  if (m > MAX_VAULTS) throw new FormatError('roster record declares too many epochs')
  const out: EpochStatement[] = []
  for (let i = 0; i < m; i++) out.push({ vault: toHex(r.raw(32)), epoch: r.u32(), commitment: Uint8Array.from(r.raw(32)) })
  return out
}

function writeAccess(w: BinaryWriter, access: VaultAccess): void {
  if (access.all) {
    w.u8(1)
    return
  }
  const refs = [...new Set(access.vaults)].sort()
  w.u8(0).u32(refs.length)
  for (const ref of refs) w.raw(fromHex(ref))
}

function readAccess(r: BinaryReader): VaultAccess {
  const all = r.u8()
  if (all === 1) return { all: true }
  if (all !== 0) throw new FormatError('malformed vault access')
  const n = r.u32()
  if (n > MAX_VAULTS) throw new FormatError('roster record lists too many vaults')
  const vaults: string[] = []
  for (let i = 0; i < n; i++) vaults.push(toHex(r.raw(32)))
  return { all: false, vaults }
}

export function encodeRosterRecord(signer: RecordSigner, seq: number, time: number, body: RosterBody): Uint8Array {
  const w = writeRosterHeader(new BinaryWriter(), { author: signer.deviceId, seq, time }).raw(signer.publicKey).u8(body.op)
  switch (body.op) {
    case RosterOp.Genesis:
    case RosterOp.Keys:
      w.raw(body.sealingPublicKey).string(body.name.slice(0, MAX_NAME))
      break
    case RosterOp.Add:
      w.raw(fromHex(body.device)).raw(body.rosterKey).string(body.name.slice(0, MAX_NAME))
      writeAccess(w, body.access)
      break
    case RosterOp.Revoke:
      w.raw(fromHex(body.device)).u32(body.rosterSeq).u32(body.envelopeSeqs.size)
      for (const [vault, seq] of [...body.envelopeSeqs].sort(([a], [b]) => (a < b ? -1 : 1))) w.raw(fromHex(vault)).u32(seq)
      writeEpochs(w, body.epochs)
      break
    case RosterOp.Epochs:
      writeEpochs(w, body.epochs)
      break
    case RosterOp.Access:
      w.raw(fromHex(body.device))
      writeAccess(w, body.access)
      writeEpochs(w, body.epochs)
      break
    case RosterOp.Backup:
      w.raw(fromHex(body.device)).string(body.name.slice(0, MAX_NAME)).string(body.address.slice(0, MAX_ADDRESS))
      writeAccess(w, body.access)
      break
  }
  const signed = w.finish()
  return new BinaryWriter().raw(signed).raw(signer.sign(signed)).finish()
}

/** Parses a record and checks its signature under the roster key it carries; throws FormatError otherwise. */
export function decodeRosterRecord(bytes: Uint8Array): RosterRecord {
  if (bytes.length < 64 + 32 + 47) throw new FormatError('roster record is truncated')
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
  const rosterKey = Uint8Array.from(r.raw(32))
  const op = r.u8()
  let body: RosterBody
  switch (op) {
    case RosterOp.Genesis:
    case RosterOp.Keys:
      body = { op, sealingPublicKey: Uint8Array.from(r.raw(32)), name: r.string(MAX_NAME * 4) }
      break
    case RosterOp.Add:
      body = { op, device: toHex(r.raw(32)), rosterKey: Uint8Array.from(r.raw(32)), name: r.string(MAX_NAME * 4), access: readAccess(r) }
      break
    case RosterOp.Revoke: {
      const device = toHex(r.raw(32))
      const rosterSeq = r.u32()
      const n = r.u32()
      if (n > MAX_VAULTS) throw new FormatError('revoke record lists too many vaults')
      const envelopeSeqs = new Map<string, number>()
      for (let i = 0; i < n; i++) envelopeSeqs.set(toHex(r.raw(32)), r.u32())
      body = { op, device, rosterSeq, envelopeSeqs, epochs: readEpochs(r) }
      break
    }
    case RosterOp.Epochs:
      body = { op, epochs: readEpochs(r) }
      break
    case RosterOp.Access:
      body = { op, device: toHex(r.raw(32)), access: readAccess(r), epochs: readEpochs(r) }
      break
    case RosterOp.Backup:
      body = { op, device: toHex(r.raw(32)), name: r.string(MAX_NAME * 4), address: r.string(MAX_ADDRESS * 4), access: readAccess(r) }
      break
    default:
      throw new FormatError(`unknown roster op ${op}`)
  }
  r.end()
  if (seq < 1) throw new FormatError('roster seq starts at 1')
  if (!verify(rosterKey, signed, signature)) throw new FormatError('roster record signature does not verify')
  return { ...body, author, signedBy: toHex(rosterKey), seq, time, bytes: Uint8Array.from(bytes) }
}
