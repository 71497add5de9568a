/**
 * Pairing through a backup peer's relay (issue 13): an inviter behind a NAT can be reached by a new
 * device only through a relay, and a backup peer relays between devices of its roster only. So the
 * inviter offers each open invitation to its backup peers (OFFER: the invitation's id and expiry,
 * never its secret), and the joiner, before dialling the inviter through a relay named in the link,
 * claims the invitation there (CLAIM: the id, which only a holder of the link can derive). The backup
 * peer then relays that one joiner to that one inviter until the invitation expires
 * (RelayedInvitations.ts). One frame each way on `/kith/invite-relay/1.0.0`:
 *
 *   device → backup peer  OFFER   0x31  invitationId(16) • u32 expiresAt (unix s)
 *   joiner → backup peer  CLAIM   0x32  invitationId(16)
 *   backup peer → either  OK      0x33  (empty)
 *   backup peer → either  REFUSED 0x3f  (empty)
 */
import { BinaryReader } from '../codec/BinaryReader.js'
import { BinaryWriter } from '../codec/BinaryWriter.js'
import { toHex } from '../crypto/bytes.js'
import type { FrameStream, NetworkAdapter } from '../network/NetworkAdapter.js'
import type { Log } from '../log.js'
import { toError } from '../toError.js'
import { PairingError } from './errors.js'

export const INVITE_RELAY_PROTOCOL = '/kith/invite-relay/1.0.0'
/** every message is a few dozen bytes */
export const INVITE_RELAY_STREAM_OPTIONS = { maxFrameBytes: 64, maxBufferBytes: 128 }
const TIMEOUT_MS = 5000

export enum RelayMessageType {
  Offer = 0x31,
  Claim = 0x32,
  Ok = 0x33,
  Refused = 0x3f
}

export type RelayMessage =
  | { type: RelayMessageType.Offer; invitationId: string; expiresAt: number }
  | { type: RelayMessageType.Claim; invitationId: string }
  | { type: RelayMessageType.Ok }
  | { type: RelayMessageType.Refused }

export function encodeRelayMessage(m: RelayMessage): Uint8Array {
  const w = new BinaryWriter().u8(m.type)
  if (m.type === RelayMessageType.Offer) w.hex(m.invitationId, 16).u32(Math.floor(m.expiresAt / 1000))
  if (m.type === RelayMessageType.Claim) w.hex(m.invitationId, 16)
  return w.finish()
}

/** Strict: an unknown type, a short frame or trailing bytes is a PairingError. */
export function decodeRelayMessage(bytes: Uint8Array): RelayMessage {
  try {
    const r = new BinaryReader(bytes)
    const type = r.u8()
    let m: RelayMessage
    if (type === RelayMessageType.Offer) m = { type, invitationId: r.hex(16), expiresAt: r.u32() * 1000 }
    else if (type === RelayMessageType.Claim) m = { type, invitationId: r.hex(16) }
    else if (type === RelayMessageType.Ok || type === RelayMessageType.Refused) m = { type }
    else throw new Error(`unknown message type ${type}`)
    r.end()
    return m
  } catch (err) {
    throw new PairingError(`bad invite-relay message: ${toError(err).message}`)
  }
}

async function readWithin(stream: FrameStream, ms: number): Promise<Uint8Array | undefined> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      stream.read(),
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new PairingError('the backup peer did not answer in time')), ms)
      })
    ])
  } finally {
    clearTimeout(timer)
  }
}

/** Sends one message to a backup peer and reads its answer: true when it said OK. */
async function ask(network: NetworkAdapter, peer: string, addrs: string[], m: RelayMessage): Promise<boolean> {
  const stream = await network.openStream(peer, addrs, INVITE_RELAY_PROTOCOL, { ...INVITE_RELAY_STREAM_OPTIONS, timeoutMs: TIMEOUT_MS })
  try {
    await stream.write(encodeRelayMessage(m))
    const answer = await readWithin(stream, TIMEOUT_MS)
    await stream.close()
    return answer !== undefined && decodeRelayMessage(answer).type === RelayMessageType.Ok
  } catch (err) {
    stream.abort(toError(err))
    throw err
  }
}

/** A relayed address (`…/p2p/RELAY/p2p-circuit`) as the relay's device id and its own address; undefined for any other. */
export function relayOf(network: NetworkAdapter, addr: string): { relay: string; addr: string } | undefined {
  const m = /^(.*)\/p2p\/([^/]+)\/p2p-circuit$/.exec(addr)
  if (m === null) return undefined
  try {
    return { relay: network.deviceIdOf(m[2] as string), addr: m[1] as string }
  } catch {
    return undefined
  }
}

/** The relays an invitation's addresses go through (each once). */
export function relaysOf(network: NetworkAdapter, addrs: string[]): Array<{ relay: string; addr: string }> {
  const out = new Map<string, { relay: string; addr: string }>()
  for (const a of addrs) {
    const r = relayOf(network, a)
    if (r !== undefined && !out.has(r.relay)) out.set(r.relay, r)
  }
  return [...out.values()]
}

/** Inviter: offers an invitation to each backup peer, dialling it at its roster address if need be (in the background; failures are logged). */
export function offerInvitation(
  network: NetworkAdapter,
  backupPeers: Array<{ id: string; address: string | undefined }>,
  id: Uint8Array,
  expiresAt: Date,
  log: Log
): void {
  const invitationId = toHex(id)
  for (const { id: peer, address } of backupPeers) {
    ask(network, peer, address === undefined ? [] : [address], {
      type: RelayMessageType.Offer,
      invitationId,
      expiresAt: expiresAt.getTime()
    })
      .then(ok => {
        if (!ok) log('info', `pairing: backup peer ${peer.slice(0, 12)}… will not relay for the invitation`)
      })
      .catch(err => log('info', `pairing: could not offer the invitation to backup peer ${peer.slice(0, 12)}…: ${toError(err).message}`))
  }
}

/**
 * Joiner: claims the invitation at each relay its link names, so that the relay lets this device
 * through to the inviter. An offer may still be on its way when the link is pasted at once: a
 * refusal is retried for a few seconds. Returns the relays that accepted.
 */
export async function claimAtRelays(
  network: NetworkAdapter,
  relays: Array<{ relay: string; addr: string }>,
  id: Uint8Array,
  log: Log,
  retryForMs = 3000
): Promise<string[]> {
  const invitationId = toHex(id)
  const accepted = await Promise.all(
    relays.map(async ({ relay, addr }) => {
      const deadline = Date.now() + retryForMs
      for (;;) {
        try {
          if (await ask(network, relay, [addr], { type: RelayMessageType.Claim, invitationId })) return relay
        } catch (err) {
          log('info', `pairing: relay ${relay.slice(0, 12)}… unreachable: ${toError(err).message}`)
          return undefined
        }
        if (Date.now() >= deadline) return undefined
        await new Promise(resolve => setTimeout(resolve, 300))
      }
    })
  )
  return accepted.filter((r): r is string => r !== undefined)
}
