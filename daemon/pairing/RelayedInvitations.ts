/**
 * A backup peer's side of pairing through its relay (invitationRelay.ts has the wire format). It
 * keeps the invitations its roster's devices offered (id, inviter, expiry: never a secret) and the
 * one joiner that claimed each. Its gate asks it two questions:
 *
 * - may a device that is not on the roster connect at all? Only while some offered invitation is
 *   live and unclaimed, or claimed by that device; an unclaimed stranger is hung up on after a short
 *   grace, a claimer when its invitation expires (unless it joined the roster meanwhile);
 * - may this relay carry a circuit from that stranger to that device? Only from the claimer of a
 *   live invitation to its inviter.
 *
 * Nothing else is served to a stranger: sync and address exchange ask the roster, and a relay
 * reservation is the roster's only.
 */
import type { FrameStream, NetworkAdapter } from '../network/NetworkAdapter.js'
import type { Log } from '../log.js'
import { toError } from '../toError.js'
import {
  decodeRelayMessage,
  encodeRelayMessage,
  INVITE_RELAY_PROTOCOL,
  INVITE_RELAY_STREAM_OPTIONS,
  RelayMessageType
} from './invitationRelay.js'
import { MAX_TTL_MS } from './Invitation.js'

/** offers kept at once, in all and per device (an invitation lives 10 minutes at most) */
const MAX_OFFERS = 256
const MAX_OFFERS_PER_DEVICE = 8
const DEFAULT_GRACE_MS = 10_000

export interface RelayedInvitationsOptions {
  network: NetworkAdapter
  /** a current device of the roster: who may offer an invitation */
  isDevice: (deviceId: string) => boolean
  /** admitted on its own account (a roster device or backup peer): never treated as a stranger */
  isPeer: (deviceId: string) => boolean
  log: Log
  /** how long a stranger that claimed nothing stays connected */
  strangerGraceMs?: number
}

interface Offer {
  inviter: string
  expiresAt: number
  claimedBy: string | undefined
}

const short = (id: string): string => id.slice(0, 12) + '…'

export class RelayedInvitations {
  private readonly offers = new Map<string, Offer>()
  private readonly watched = new Map<string, NodeJS.Timeout>()

  constructor(private readonly options: RelayedInvitationsOptions) {}

  async serve(): Promise<void> {
    const { network } = this.options
    await network.handle(
      INVITE_RELAY_PROTOCOL,
      stream => {
        void this.answer(stream)
      },
      INVITE_RELAY_STREAM_OPTIONS
    )
    network.on('peer-connected', deviceId => this.watch(deviceId))
  }

  stop(): void {
    for (const t of this.watched.values()) clearTimeout(t)
    this.watched.clear()
    this.offers.clear()
  }

  private sweep(now = Date.now()): void {
    for (const [id, o] of this.offers) if (o.expiresAt <= now) this.offers.delete(id)
  }

  /** Gate, inbound: a device that is not on the roster may connect while an offer could be its own. */
  admitsStranger(deviceId: string): boolean {
    this.sweep()
    for (const o of this.offers.values()) if (o.claimedBy === undefined || o.claimedBy === deviceId) return true
    return false
  }

  /** Gate, relay: a circuit from `source` to `target` when `source` claimed a live invitation of `target`. */
  mayRelay(source: string, target: string): boolean {
    this.sweep()
    for (const o of this.offers.values()) if (o.claimedBy === source && o.inviter === target) return true
    return false
  }

  /** The latest expiry of the live invitations `deviceId` claimed (0 for none). */
  private claimedUntil(deviceId: string): number {
    this.sweep()
    let until = 0
    for (const o of this.offers.values()) if (o.claimedBy === deviceId) until = Math.max(until, o.expiresAt)
    return until
  }

  /** Hangs up on a stranger once it has no live claim (after a grace to make one). */
  private watch(deviceId: string, delayMs = this.options.strangerGraceMs ?? DEFAULT_GRACE_MS): void {
    if (this.options.isPeer(deviceId) || this.watched.has(deviceId)) return
    const timer = setTimeout(() => {
      this.watched.delete(deviceId)
      if (this.options.isPeer(deviceId)) return
      const until = this.claimedUntil(deviceId)
      if (until > Date.now()) this.watch(deviceId, until - Date.now() + 1000)
      else void this.options.network.disconnect(deviceId)
    }, delayMs)
    timer.unref()
    this.watched.set(deviceId, timer)
  }

  private async answer(stream: FrameStream): Promise<void> {
    const { log, isDevice } = this.options
    const peer = stream.remote
    try {
      const frame = await stream.read()
      if (frame === undefined) return
      const m = decodeRelayMessage(frame)
      let ok = false
      if (m.type === RelayMessageType.Offer && isDevice(peer)) ok = this.offer(peer, m.invitationId, m.expiresAt)
      else if (m.type === RelayMessageType.Claim && !this.options.isPeer(peer)) ok = this.claim(peer, m.invitationId)
      await stream.write(encodeRelayMessage({ type: ok ? RelayMessageType.Ok : RelayMessageType.Refused }))
      await stream.close()
      if (ok && m.type === RelayMessageType.Claim) log('info', `relay: ${short(peer)} claimed an invitation; relaying it to its inviter`)
    } catch (err) {
      stream.abort(toError(err))
    }
  }

  private offer(inviter: string, invitationId: string, expiresAt: number): boolean {
    const now = Date.now()
    this.sweep(now)
    if (expiresAt <= now) return false
    const existing = this.offers.get(invitationId)
    if (existing !== undefined) return existing.inviter === inviter
    let mine = 0
    for (const o of this.offers.values()) if (o.inviter === inviter) mine++
    if (mine >= MAX_OFFERS_PER_DEVICE || this.offers.size >= MAX_OFFERS) return false
    // an invitation lives 10 minutes at most, whatever the offer says
    this.offers.set(invitationId, { inviter, expiresAt: Math.min(expiresAt, now + MAX_TTL_MS), claimedBy: undefined })
    return true
  }

  /** One claimer per invitation (as on the inviter): a second device with the same link is refused. */
  private claim(joiner: string, invitationId: string): boolean {
    this.sweep()
    const o = this.offers.get(invitationId)
    if (o === undefined || (o.claimedBy !== undefined && o.claimedBy !== joiner)) return false
    o.claimedBy = joiner
    return true
  }
}
