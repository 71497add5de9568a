/**
 * Pairing invitations: a one-line link carrying the inviter's device id, its current addresses, a
 * 128-bit secret and the expiry, plus the keys both sides derive from the secret.
 *
 * link    := "kith://pair?v=1&d=" base64url(payload)
 * payload := inviter(32) • secret(16) • u32 expiresAt (unix seconds) • u32 n • n × string multiaddr
 *
 * The addresses are the inviter's own, then one through each backup peer it knows
 * (`BACKUP_ADDR/p2p/BACKUP/p2p-circuit`): a joiner behind another NAT reaches the inviter only
 * through a relay (invitationRelay.ts). Older joiners read them as any other address.
 *
 * From the secret (HKDF-SHA256, domain-separated):
 *   id   = HKDF(secret, "kith/pair/v1/id", 16 bytes)   names the invitation on the wire (not secret)
 *   key  = HKDF(secret, "kith/pair/v1/mac", salt = id)  keys the proofs (HMAC-SHA256)
 * What a person compares is not derived from the secret (anyone who saw the link knows it) but from
 * the handshake: verificationWords.ts.
 */
import { BinaryWriter } from '../codec/BinaryWriter.js'
import { BinaryReader } from '../codec/BinaryReader.js'
import { hkdf } from '../crypto/kdf.js'
import { fromBase64Url, fromHex, toBase64Url, toHex } from '../crypto/bytes.js'
import { InvitationError } from './errors.js'
import { toError } from '../toError.js'

export const LINK_PREFIX = 'kith://pair?'
export const SECRET_BYTES = 16
export const MAX_TTL_MS = 10 * 60 * 1000
/** addresses a link carries at most (a decoder refuses more) */
export const MAX_INVITATION_ADDRS = 64
const DAMAGED = 'this invitation is damaged or incomplete — copy the whole line again'

export interface Invitation {
  /** the inviter's device id */
  inviter: string
  secret: Uint8Array
  expiresAt: Date
  addrs: string[]
}

export function encodeInvitation(inv: Invitation): string {
  const w = new BinaryWriter()
    .raw(fromHex(inv.inviter))
    .raw(inv.secret)
    .u32(Math.floor(inv.expiresAt.getTime() / 1000))
    .u32(inv.addrs.length)
  for (const a of inv.addrs) w.string(a)
  return `${LINK_PREFIX}v=1&d=${toBase64Url(w.finish())}`
}

/** Parses a link (surrounding whitespace allowed); throws InvitationError when it is not one. */
export function decodeInvitation(text: string): Invitation {
  const trimmed = text.trim()
  if (!trimmed.startsWith(LINK_PREFIX)) throw new InvitationError('this is not a Kith invitation link (it starts with kith://pair?)')
  const params = new URLSearchParams(trimmed.slice(LINK_PREFIX.length))
  if (params.get('v') !== '1') throw new InvitationError('this invitation is from an unsupported version of Kith')
  const data = params.get('d')
  if (data === null || !/^[A-Za-z0-9_-]+$/.test(data)) throw new InvitationError(DAMAGED)
  try {
    const r = new BinaryReader(fromBase64Url(data))
    const inviter = toHex(r.raw(32))
    const secret = Uint8Array.from(r.raw(SECRET_BYTES))
    const expiresAt = new Date(r.u32() * 1000)
    const n = r.u32()
    if (n > MAX_INVITATION_ADDRS) throw new Error('too many addresses')
    const addrs: string[] = []
    for (let i = 0; i < n; i++) addrs.push(r.string(512))
    r.end()
    return { inviter, secret, expiresAt, addrs }
  } catch (err) {
    // the byte-level reason (where the data ran out) helps nobody who pasted it: it stays in `cause`
    throw new InvitationError(DAMAGED, { cause: toError(err) })
  }
}

export function invitationId(secret: Uint8Array): Uint8Array {
  return hkdf(secret, 'kith/pair/v1/id', undefined, 16)
}
export function proofKey(secret: Uint8Array): Uint8Array {
  return hkdf(secret, 'kith/pair/v1/mac', invitationId(secret))
}
