/**
 * Pairing by invitation. The inviter makes a one-time invitation (valid at most 10 minutes); the
 * joining device dials the inviter at the addresses in the link (Noise authenticates the inviter by
 * the PeerId in it), and both prove knowledge of the invitation's secret with HMACs over a
 * transcript that binds both device ids, fresh nonces and fresh keys; the secret itself never
 * travels. A wrong proof burns the invitation. Knowing the secret is not enough (whoever saw the
 * link knows it): both devices show verification words derived from the transcript, and the proven
 * joiner waits, pending, until a person here approves it. Only then does the inviter add the device
 * to the roster and seal every vault key to an ephemeral X25519 key of the joiner, which re-seals
 * them to its own sealing key in the same storage batch that creates its keyring and stores the
 * roster (joinExchange.ts). A denial uses the invitation up.
 */
import { hostname } from 'node:os'
import type { Keyring } from '../keyring/Keyring.js'
import { AlreadyInitializedError, LockedError } from '../keyring/errors.js'
import { generateBoxKeyPair } from '../crypto/box.js'
import { randomBytes } from '../crypto/random.js'
import { toHex } from '../crypto/bytes.js'
import { constantTimeEqual } from '../crypto/constantTime.js'
import type { FrameStream, NetworkAdapter } from '../network/NetworkAdapter.js'
import { decodeInvitation, encodeInvitation, invitationId, MAX_INVITATION_ADDRS, MAX_TTL_MS, proofKey, SECRET_BYTES } from './Invitation.js'
import {
  encodePair,
  MAX_NAME_CHARS,
  nonceCommitment,
  PAIR_PROTOCOL,
  PAIR_VERSION,
  PairType,
  proofMac,
  RefusedCode,
  transcript,
  type PairMessage
} from './messages.js'
import type { Roster } from './Roster.js'
import { DeviceRequestError, InvitationError, PairingError } from './errors.js'
import { PendingApprovals } from './PendingApprovals.js'
import { WAITING_INTERVAL_MS, waitForApproval } from './waitForApproval.js'
import { INVITER_STREAM_OPTIONS, joinExchange, STEP_TIMEOUT_MS, type JoinPort } from './joinExchange.js'
import { readPair } from './readPair.js'
import { claimAtRelays, offerInvitation, relaysOf } from './invitationRelay.js'
import { verificationWords } from './verificationWords.js'
import type { Log } from '../log.js'
import { toError } from '../toError.js'

export type { JoinPort }

/** the joiner derives its unlock key (Argon2id) between WELCOME and DONE */
const DONE_TIMEOUT_MS = 60_000

export interface PairingTimings {
  /** a connection from a device that is not on the roster (and not waiting for approval) is closed after this long */
  strangerGraceMs: number
  /** how often the inviter tells a waiting joiner it is still there (idle streams close after 2 minutes) */
  waitingIntervalMs: number
}
const TIMINGS: PairingTimings = { strangerGraceMs: 30_000, waitingIntervalMs: WAITING_INTERVAL_MS }

export interface PairingOptions {
  network: NetworkAdapter
  roster: Roster
  keyring: Keyring
  service: JoinPort
  log: Log
  /** this device's name on the roster */
  deviceName?: string
  timings?: Partial<PairingTimings>
  /** after joining: connect to the inviter and wait (bounded) for the first sync of these vaults */
  afterJoin: (inviter: string, addrs: string[], vaultIds: string[]) => Promise<void>
}

interface OpenInvitation {
  id: string
  secret: Uint8Array
  expiresAt: number
  claimedBy: string | undefined
  /** true while a pairing stream works on this invitation: a second one (even from the same device) is refused */
  serving: boolean
  /** the vaults the new device is admitted to ('all' by default) */
  vaults: string[] | 'all'
}

export interface InviteResult {
  invitation: string
  expiresAt: string
}
export interface JoinResult {
  deviceId: string
  inviter: string
  vaults: string[]
  /** the verification words both devices showed */
  words: string[]
}
/** A join under way, as the joining device's API shows it: `words` is empty until the inviter answered. */
export interface JoinState {
  words: string[]
  inviter: string
  expiresAt: string
}

const short = (id: string): string => id.slice(0, 12) + '…'

export class PairingService {
  private readonly open = new Map<string, OpenInvitation>()
  private joiningInviter: string | undefined
  /** while joining: the relays the invitation names (the joiner dials them to reach the inviter) */
  private joiningRelays = new Set<string>()
  private readonly strangers = new Map<string, NodeJS.Timeout>()
  /** joiners that proved an invitation and wait for a person to approve them */
  readonly pending = new PendingApprovals()
  /** while this device joins: what the API shows (the words, once known) */
  joinState: JoinState | undefined
  /** true while this device is joining (the composition root must not start a roster of its own) */
  joining = false
  readonly deviceName: string
  private readonly timings: PairingTimings

  constructor(private readonly options: PairingOptions) {
    this.deviceName = options.deviceName ?? hostname()
    this.timings = { ...TIMINGS, ...options.timings }
  }

  async start(): Promise<void> {
    await this.options.network.handle(
      PAIR_PROTOCOL,
      stream => {
        void this.serve(stream)
      },
      INVITER_STREAM_OPTIONS
    )
    this.options.network.on('peer-connected', deviceId => this.watchStranger(deviceId))
  }

  stop(): void {
    for (const id of [...this.open.keys()]) this.forget(id)
    for (const t of this.strangers.values()) clearTimeout(t)
    this.strangers.clear()
  }

  private sweep(): void {
    const now = Date.now()
    for (const [id, inv] of this.open) if (inv.expiresAt <= now) this.forget(id)
  }

  /** An invitation used, burnt, denied or expired: gone, and its secret overwritten in memory. */
  private forget(id: string): void {
    const inv = this.open.get(id)
    this.open.delete(id)
    inv?.secret.fill(0)
  }

  /** Whether the gate should admit a device that is not on the roster. */
  admits(deviceId: string, direction: 'inbound' | 'outbound'): boolean {
    if (direction === 'outbound') return deviceId === this.joiningInviter || this.joiningRelays.has(deviceId)
    this.sweep()
    for (const inv of this.open.values()) if (inv.claimedBy === undefined || inv.claimedBy === deviceId) return true
    return false
  }

  /** Closes a connection from a device that is not on the roster (a device or a backup peer) once it stops pairing. */
  private watchStranger(deviceId: string): void {
    const { roster } = this.options
    if (roster.isPeer(deviceId) || this.joinsThrough(deviceId) || this.strangers.has(deviceId)) return
    const timer = setTimeout(() => {
      this.strangers.delete(deviceId)
      // a joiner waiting for approval keeps its connection until it is decided
      if (this.pending.has(deviceId) || this.joinsThrough(deviceId)) this.watchStranger(deviceId)
      else if (!roster.isPeer(deviceId)) void this.options.network.disconnect(deviceId)
    }, this.timings.strangerGraceMs)
    timer.unref()
    this.strangers.set(deviceId, timer)
  }

  /** the inviter, or a relay to it, while this device joins */
  private joinsThrough(deviceId: string): boolean {
    return deviceId === this.joiningInviter || this.joiningRelays.has(deviceId)
  }

  private dropStranger(deviceId: string): void {
    if (this.options.roster.isMember(deviceId)) return
    setTimeout(() => {
      if (!this.options.roster.isMember(deviceId)) void this.options.network.disconnect(deviceId)
    }, 200).unref()
  }

  /** Open invitations (for status). */
  openInvitations(): number {
    this.sweep()
    return this.open.size
  }

  /** Makes a one-time invitation, valid for `ttlMs` (at most 10 minutes), to every vault or to those listed. */
  invite(ttlMs = MAX_TTL_MS, vaults: string[] | 'all' = 'all'): InviteResult {
    const { keyring, roster, network } = this.options
    if (!keyring.unlocked) throw new LockedError('unlock the vault to invite a device')
    if (roster.root === undefined) throw new DeviceRequestError('this device has no vault yet')
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new DeviceRequestError('an invitation needs a positive lifetime')
    // its own addresses, then through each backup peer it knows (a joiner behind another NAT reaches it only so)
    const backupPeers = roster.backupPeers()
    const relayed = backupPeers.flatMap(p => (p.address === undefined ? [] : [`${p.address}/p2p-circuit`]))
    const addrs = [...new Set([...network.multiaddrs(), ...relayed])].slice(0, MAX_INVITATION_ADDRS)
    if (addrs.length === 0) throw new PairingError('the daemon is not listening on any address')
    const secret = randomBytes(SECRET_BYTES)
    const expiresAt = new Date(Date.now() + Math.min(ttlMs, MAX_TTL_MS))
    const id = toHex(invitationId(secret))
    this.sweep()
    this.open.set(id, { id, secret, expiresAt: expiresAt.getTime(), claimedBy: undefined, serving: false, vaults })
    this.options.log('info', `pairing: invitation created, valid until ${expiresAt.toISOString()}`)
    offerInvitation(network, backupPeers, invitationId(secret), expiresAt, this.options.log)
    return {
      invitation: encodeInvitation({ inviter: keyring.deviceId, secret, expiresAt, addrs }),
      expiresAt: expiresAt.toISOString()
    }
  }

  /** Inviter side of one pairing stream. */
  private async serve(stream: FrameStream): Promise<void> {
    const { roster, keyring, log } = this.options
    const peer = stream.remote
    const send = async (m: PairMessage): Promise<void> => {
      await stream.write(encodePair(m))
    }
    const refuse = async (code: RefusedCode, message: string): Promise<void> => {
      await this.refuseWith(stream, code, message)
    }
    let claimed: OpenInvitation | undefined
    let proven = false
    try {
      const hello = await readPair(stream.read(), STEP_TIMEOUT_MS)
      if (hello.type !== PairType.Hello || hello.version !== PAIR_VERSION) {
        await refuse(RefusedCode.ProtocolError, `expected a pairing HELLO of version ${PAIR_VERSION}`)
        return
      }
      this.sweep()
      const inv = this.open.get(toHex(hello.invitationId))
      if (inv === undefined) {
        await refuse(RefusedCode.UnknownInvitation, 'this invitation is unknown, used or expired')
        return
      }
      if ((inv.claimedBy !== undefined && inv.claimedBy !== peer) || inv.serving || this.pending.has(peer)) {
        await refuse(RefusedCode.InUse, 'this invitation is being used by another device')
        return
      }
      if (roster.isRevoked(peer)) {
        await refuse(RefusedCode.DeviceRemoved, 'this device was removed from the roster; reset it to pair again')
        return
      }
      if (roster.isMember(peer)) {
        await refuse(RefusedCode.ProtocolError, 'this device is already paired')
        return
      }
      inv.claimedBy = peer
      inv.serving = true
      claimed = inv
      const inviterNonce = randomBytes(32)
      // the inviter's contribution to the transcript: a fresh key of its own, never reused
      const inviterEphemeral = generateBoxKeyPair()
      inviterEphemeral.secretKey.fill(0)
      await send({ type: PairType.Challenge, nonce: inviterNonce, ephemeralPublic: inviterEphemeral.publicKey })
      const proof = await readPair(stream.read(), STEP_TIMEOUT_MS)
      const key = proofKey(inv.secret)
      proven = true
      const t =
        proof.type === PairType.Proof
          ? transcript({
              invitationId: hello.invitationId,
              inviter: keyring.deviceId,
              joiner: peer,
              joinerNonce: proof.nonce,
              inviterNonce,
              joinerEphemeral: hello.ephemeralPublic,
              inviterEphemeral: inviterEphemeral.publicKey,
              rosterKey: hello.rosterKey,
              name: hello.name
            })
          : undefined
      if (
        proof.type !== PairType.Proof ||
        t === undefined ||
        !constantTimeEqual(nonceCommitment(proof.nonce), hello.commitment) ||
        !constantTimeEqual(proof.mac, proofMac(key, 'joiner', t))
      ) {
        this.forget(inv.id)
        await refuse(RefusedCode.WrongProof, 'the proof of the invitation secret is wrong; the invitation is now void')
        return
      }
      if (!keyring.unlocked) {
        inv.claimedBy = undefined
        await refuse(RefusedCode.InviterLocked, 'the inviting device is locked; unlock it and try again')
        return
      }
      const { outcome, next } = await waitForApproval({
        stream,
        keepAliveMs: this.timings.waitingIntervalMs,
        pending: this.pending,
        joiner: { id: peer, name: hello.name, words: verificationWords(t), expiresAt: new Date(inv.expiresAt).toISOString() },
        announce: async () => {
          await send({ type: PairType.Pending, mac: proofMac(key, 'inviter', t) })
          log('info', `pairing: ${short(peer)} (${JSON.stringify(hello.name)}) proved the invitation and waits for approval`)
        },
        checkCanApprove: () => {
          if (!keyring.unlocked) throw new LockedError('unlock this device to approve a new one')
        },
        welcome: async () => {
          await roster.addDevice(keyring.rosterSigner(), peer, hello.rosterKey, hello.name, inv.vaults)
          // the keys of the vaults it is admitted to, and nothing of the others
          const grants = keyring
            .grantsFor(peer, hello.ephemeralPublic, inv.vaults === 'all' ? undefined : inv.vaults)
            .map(g => ({ vaultId: g.vaultId, epoch: g.epoch, box: g.box }))
          await send({ type: PairType.Welcome, records: roster.allRecords(), grants })
          log('info', `pairing: approved ${short(peer)} (${JSON.stringify(hello.name)}); sealed ${grants.length} vault key(s) to it`)
        },
        useUp: () => this.forget(inv.id)
      })
      if (outcome === 'gone') {
        if (this.open.get(inv.id) === inv) inv.claimedBy = undefined
        throw new PairingError('the joining device left before it was approved')
      }
      if (outcome === 'expired') {
        this.forget(inv.id)
        await refuse(RefusedCode.UnknownInvitation, 'the invitation expired before this device was approved')
        return
      }
      if (outcome === 'denied') {
        await refuse(RefusedCode.Denied, 'a person on the inviting device refused this device')
        return
      }
      const done = await readPair(next, DONE_TIMEOUT_MS)
      if (done.type === PairType.Done) {
        await roster.receive([done.keysRecord], peer)
        await send({ type: PairType.Ack })
      }
      await stream.close()
    } catch (err) {
      if (claimed !== undefined && !proven && this.open.get(claimed.id) === claimed) claimed.claimedBy = undefined
      log('info', `pairing: the exchange with ${short(peer)} ended: ${toError(err).message}`)
      stream.abort(toError(err))
      this.dropStranger(peer)
    } finally {
      if (claimed !== undefined) claimed.serving = false
    }
  }

  private async refuseWith(stream: FrameStream, code: RefusedCode, message: string): Promise<void> {
    this.options.log(code === RefusedCode.WrongProof ? 'warn' : 'info', `pairing: refused ${short(stream.remote)}: ${message}`)
    try {
      await stream.write(encodePair({ type: PairType.Refused, code, message }))
      await stream.close()
    } catch {
      stream.abort(new PairingError(message))
    }
    this.dropStranger(stream.remote)
  }

  /**
   * Joiner side: pairs with the inviter of `text`, shows the verification words (`onWaiting`, and
   * `joinState` for the API) while a person on the inviter decides, then creates this device's
   * keyring with `password` and syncs. A denial throws JoinDeniedError.
   */
  async join(text: string, password: string, name = this.deviceName, onWaiting?: (words: string[]) => void): Promise<JoinResult> {
    const { network, service, roster, keyring, log } = this.options
    if (service.initialized) throw new AlreadyInitializedError()
    if (typeof password !== 'string' || password.length < 8)
      throw new DeviceRequestError('the master password must have at least 8 characters')
    if (this.joining) throw new PairingError('a join is already under way')
    const inv = decodeInvitation(text)
    if (inv.expiresAt.getTime() <= Date.now()) throw new InvitationError('this invitation has expired; ask for a new one')
    if (inv.inviter === keyring.deviceId) throw new InvitationError('this invitation was made by this device')
    this.joining = true
    this.joiningInviter = inv.inviter
    this.joinState = { words: [], inviter: inv.inviter, expiresAt: inv.expiresAt.toISOString() }
    const relays = relaysOf(network, inv.addrs)
    this.joiningRelays = new Set(relays.map(r => r.relay))
    let joined: { vaultIds: string[]; words: string[] }
    try {
      // a relay carries this device to the inviter only once it claimed the invitation there
      if (relays.length > 0 && (await claimAtRelays(network, relays, invitationId(inv.secret), log)).length === 0)
        log(
          'info',
          'pairing: no backup peer named in the invitation relays for it (unknown to them, used, or expired); trying direct addresses'
        )
      joined = await joinExchange({ network, service, roster, keyring, log }, inv, password, name.slice(0, MAX_NAME_CHARS), words => {
        this.joinState = { words, inviter: inv.inviter, expiresAt: inv.expiresAt.toISOString() }
        onWaiting?.(words)
      })
    } finally {
      this.joining = false
      this.joiningInviter = undefined
      this.joiningRelays = new Set()
      this.joinState = undefined
    }
    await this.options.afterJoin(inv.inviter, inv.addrs, joined.vaultIds)
    return { deviceId: keyring.deviceId, inviter: inv.inviter, vaults: joined.vaultIds, words: joined.words }
  }
}
