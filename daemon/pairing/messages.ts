/**
 * The pairing protocol's messages (one stream, joiner ↔ inviter; docs/protocol.md has the sequence).
 * Frame := u8 type • body; `bytes`/`string` are u32-length-prefixed.
 *
 *   J→I HELLO     0x21  u16 version • invitationId(16) • commitJ(32) • ephemeralJ(32) • rosterKey(32) • string name
 *   I→J CHALLENGE 0x22  nonceI(32) • ephemeralI(32)
 *   J→I PROOF     0x23  nonceJ(32) • mac(32) = HMAC(key, "joiner" • T)
 *   I→J PENDING   0x27  mac(32) = HMAC(key, "inviter" • T); both sides now show the words of T
 *   I→J WAITING   0x28  (empty) every 20 s while a person has not decided (keeps the stream alive)
 *   I→J WELCOME   0x24  u32 n • n × bytes rosterRecord • u32 m • m × (vaultId(16) • u32 epoch • bytes sealedBox)
 *                       (sent only once a person on the inviting device approved)
 *   J→I DONE      0x25  bytes keysRecord (the joiner's own KEYS roster record)
 *   I→J ACK       0x26  (empty)
 *   either REFUSED 0x2f u8 code • string message   (code 7: a person denied the device)
 *
 * commitJ = SHA-256("kith-pair-v2/commit" • nonceJ): the joiner commits to its nonce before it sees
 * the inviter's, so neither side (nor a relay in the middle) can choose its values to steer the words.
 * T = SHA-256("kith-pair-v2" • invitationId • inviter(32) • joiner(32) • nonceJ • nonceI
 *             • ephemeralJ • ephemeralI • rosterKey • string name); key = HKDF of the invitation secret (Invitation.ts).
 */
import { hmac } from '@noble/hashes/hmac.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { BinaryWriter } from '../codec/BinaryWriter.js'
import { BinaryReader } from '../codec/BinaryReader.js'
import { concatBytes, fromHex, toHex, utf8 } from '../crypto/bytes.js'
import { PairingError } from './errors.js'
import { toError } from '../toError.js'

export const PAIR_PROTOCOL = '/kith/pair/2.0.0'
export const PAIR_VERSION = 2
/** The largest frame the inviter sends (WELCOME carries the roster and the sealed vault keys): the joiner's read limit. */
export const MAX_PAIR_FRAME = 16 * 1024 * 1024
/**
 * The largest frame a joiner sends (HELLO with a 200-character name, PROOF and DONE are each under 1.1 KiB): the
 * inviter reads no more than this from a device it does not know yet, so an open invitation cannot be used to make
 * it buffer megabytes.
 */
export const MAX_JOINER_FRAME = 4 * 1024
/** HELLO carries at most this much of a device name (the transcript binds what was sent) */
export const MAX_NAME_CHARS = 200

export enum PairType {
  Hello = 0x21,
  Challenge = 0x22,
  Proof = 0x23,
  Welcome = 0x24,
  Done = 0x25,
  Ack = 0x26,
  Pending = 0x27,
  Waiting = 0x28,
  Refused = 0x2f
}

export enum RefusedCode {
  UnknownInvitation = 1,
  InUse = 2,
  WrongProof = 3,
  InviterLocked = 4,
  DeviceRemoved = 5,
  ProtocolError = 6,
  /** a person on the inviting device refused this device (the invitation is used up) */
  Denied = 7
}

export interface SealedGrant {
  vaultId: string
  epoch: number
  box: Uint8Array
}

export type PairMessage =
  | {
      type: PairType.Hello
      version: number
      invitationId: Uint8Array
      commitment: Uint8Array
      ephemeralPublic: Uint8Array
      /** the joiner's roster key (public), bound by the inviter's ADD */
      rosterKey: Uint8Array
      name: string
    }
  | { type: PairType.Challenge; nonce: Uint8Array; ephemeralPublic: Uint8Array }
  | { type: PairType.Proof; nonce: Uint8Array; mac: Uint8Array }
  | { type: PairType.Pending; mac: Uint8Array }
  | { type: PairType.Waiting }
  | { type: PairType.Welcome; records: Uint8Array[]; grants: SealedGrant[] }
  | { type: PairType.Done; keysRecord: Uint8Array }
  | { type: PairType.Ack }
  | { type: PairType.Refused; code: RefusedCode; message: string }

export function encodePair(m: PairMessage): Uint8Array {
  const w = new BinaryWriter().u8(m.type)
  switch (m.type) {
    case PairType.Hello:
      w.u16(m.version).raw(m.invitationId).raw(m.commitment).raw(m.ephemeralPublic).raw(m.rosterKey).string(m.name.slice(0, MAX_NAME_CHARS))
      break
    case PairType.Challenge:
      w.raw(m.nonce).raw(m.ephemeralPublic)
      break
    case PairType.Proof:
      w.raw(m.nonce).raw(m.mac)
      break
    case PairType.Pending:
      w.raw(m.mac)
      break
    case PairType.Waiting:
      break
    case PairType.Welcome:
      w.u32(m.records.length)
      for (const r of m.records) w.bytes(r)
      w.u32(m.grants.length)
      for (const g of m.grants) w.raw(fromHex(g.vaultId)).u32(g.epoch).bytes(g.box)
      break
    case PairType.Done:
      w.bytes(m.keysRecord)
      break
    case PairType.Ack:
      break
    case PairType.Refused:
      w.u8(m.code).string(m.message.slice(0, 300))
      break
  }
  return w.finish()
}

export function decodePair(bytes: Uint8Array): PairMessage {
  try {
    const r = new BinaryReader(bytes)
    const type = r.u8()
    let m: PairMessage
    switch (type) {
      case PairType.Hello:
        m = {
          type,
          version: r.u16(),
          invitationId: Uint8Array.from(r.raw(16)),
          commitment: Uint8Array.from(r.raw(32)),
          ephemeralPublic: Uint8Array.from(r.raw(32)),
          rosterKey: Uint8Array.from(r.raw(32)),
          name: r.string(1024)
        }
        break
      case PairType.Challenge:
        m = { type, nonce: Uint8Array.from(r.raw(32)), ephemeralPublic: Uint8Array.from(r.raw(32)) }
        break
      case PairType.Proof:
        m = { type, nonce: Uint8Array.from(r.raw(32)), mac: Uint8Array.from(r.raw(32)) }
        break
      case PairType.Pending:
        m = { type, mac: Uint8Array.from(r.raw(32)) }
        break
      case PairType.Waiting:
        m = { type }
        break
      case PairType.Welcome: {
        const n = r.u32()
        if (n > 10_000) throw new Error('too many roster records')
        const records: Uint8Array[] = []
        for (let i = 0; i < n; i++) records.push(Uint8Array.from(r.bytes(64 * 1024)))
        const k = r.u32()
        if (k > 100_000) throw new Error('too many grants')
        const grants: SealedGrant[] = []
        for (let i = 0; i < k; i++) grants.push({ vaultId: toHex(r.raw(16)), epoch: r.u32(), box: Uint8Array.from(r.bytes(4096)) })
        m = { type, records, grants }
        break
      }
      case PairType.Done:
        m = { type, keysRecord: Uint8Array.from(r.bytes(64 * 1024)) }
        break
      case PairType.Ack:
        m = { type }
        break
      case PairType.Refused: {
        const code = r.u8()
        if (RefusedCode[code] === undefined) throw new Error(`unknown refusal code ${code}`)
        m = { type, code, message: r.string(1024) }
        break
      }
      default:
        throw new Error(`unknown pairing message type 0x${type.toString(16)}`)
    }
    r.end()
    return m
  } catch (err) {
    throw new PairingError(`malformed pairing message: ${toError(err).message}`)
  }
}

/** What the transcript binds; a named part per field, so adding one is a one-line change. */
export interface TranscriptParts {
  invitationId: Uint8Array
  inviter: string
  joiner: string
  joinerNonce: Uint8Array
  inviterNonce: Uint8Array
  joinerEphemeral: Uint8Array
  inviterEphemeral: Uint8Array
  rosterKey: Uint8Array
  name: string
}

export function transcript(t: TranscriptParts): Uint8Array {
  return sha256(
    new BinaryWriter()
      .raw(utf8('kith-pair-v2'))
      .raw(t.invitationId)
      .raw(fromHex(t.inviter))
      .raw(fromHex(t.joiner))
      .raw(t.joinerNonce)
      .raw(t.inviterNonce)
      .raw(t.joinerEphemeral)
      .raw(t.inviterEphemeral)
      .raw(t.rosterKey)
      .string(t.name)
      .finish()
  )
}

/** The joiner's commitment to its nonce, sent in HELLO and opened in PROOF. */
export function nonceCommitment(nonce: Uint8Array): Uint8Array {
  return sha256(concatBytes(utf8('kith-pair-v2/commit'), nonce))
}

export function proofMac(key: Uint8Array, role: 'joiner' | 'inviter', t: Uint8Array): Uint8Array {
  return hmac(sha256, key, concatBytes(utf8(role), t))
}

/** The associated data Keyring binds to a sealed vault key: the joiner opens the welcome's grants with it. */
export { grantAad } from '../keyring/Grant.js'
