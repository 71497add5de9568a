/**
 * Pairing by invitation. The inviter makes a one-time invitation (valid at most 10 minutes); the
 * joining device dials the inviter at the addresses in the link (Noise authenticates the inviter by
 * the PeerId in it), and both prove knowledge of the invitation's secret with HMACs over a
 * transcript that binds both device ids and fresh nonces; the secret itself never travels. A wrong
 * proof burns the invitation. The inviter then adds the device to the roster and seals every vault
 * key to an ephemeral X25519 key of the joiner, which re-seals them to its own sealing key in the
 * same storage batch that creates its keyring and stores the roster.
 */
import { hostname } from 'node:os'
import type { StorageOp } from '../storage/StorageAdapter.js'
import { Keyring } from '../keyring/Keyring.js'
import { sealGrant } from '../keyring/Grant.js'
import { GrantStore } from '../keyring/GrantStore.js'
import type { PreparedRoot } from '../keyring/StatementSigner.js'
import { AlreadyInitializedError, LockedError } from '../keyring/errors.js'
import { generateBoxKeyPair, openBox } from '../crypto/box.js'
import { randomBytes } from '../crypto/random.js'
import { toHex } from '../crypto/bytes.js'
import { constantTimeEqual } from '../crypto/constantTime.js'
import type { FrameStream, NetworkAdapter } from '../network/NetworkAdapter.js'
import { confirmationCode, decodeInvitation, encodeInvitation, invitationId, MAX_TTL_MS, proofKey, SECRET_BYTES } from './Invitation.js'
import {
  decodePair,
  encodePair,
  grantAad,
  MAX_PAIR_FRAME,
  PAIR_PROTOCOL,
  PAIR_VERSION,
  PairType,
  proofMac,
  RefusedCode,
  transcript,
  type PairMessage
} from './messages.js'
import { rosterOf, rosterOps, type Roster } from './Roster.js'
import { encodeRosterRecord, RosterOp } from './RosterRecord.js'
import { rosterHeaderOf } from '../codec/RecordHeader.js'
import { DeviceRequestError, InvitationError, PairingError } from './errors.js'
import type { Log } from '../log.js'
import { toError } from '../toError.js'

const STREAM_OPTIONS = { maxFrameBytes: MAX_PAIR_FRAME, maxBufferBytes: 2 * MAX_PAIR_FRAME }
const STEP_TIMEOUT_MS = 15_000
/** the joiner derives its unlock key (Argon2id) between WELCOME and DONE */
const DONE_TIMEOUT_MS = 60_000
/** a connection from a device that is not on the roster is closed after this long */
const STRANGER_GRACE_MS = 30_000

export interface JoinPort {
  readonly initialized: boolean
  initJoined: (password: string, extra: (k: Keyring) => StorageOp[], prepared: PreparedRoot) => Promise<void>
}

export interface PairingOptions {
  network: NetworkAdapter
  roster: Roster
  keyring: Keyring
  service: JoinPort
  log: Log
  /** this device's name on the roster */
  deviceName?: string
  /** after joining: connect to the inviter and wait (bounded) for the first sync of these vaults */
  afterJoin: (inviter: string, addrs: string[], vaultIds: string[]) => Promise<void>
}

interface OpenInvitation {
  id: string
  secret: Uint8Array
  expiresAt: number
  claimedBy: string | undefined
}

export interface InviteResult {
  invitation: string
  code: string
  expiresAt: string
}
export interface JoinResult {
  deviceId: string
  inviter: string
  vaults: string[]
  code: string
}

const short = (id: string): string => id.slice(0, 12) + '…'

async function readPair(stream: FrameStream, timeoutMs: number): Promise<PairMessage> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new PairingError('the other device did not answer in time')), timeoutMs)
  })
  try {
    const frame = await Promise.race([stream.read(), timeout])
    if (frame === undefined) throw new PairingError('the other device closed the pairing stream')
    return decodePair(frame)
  } finally {
    clearTimeout(timer)
  }
}

export class PairingService {
  private readonly open = new Map<string, OpenInvitation>()
  private joiningInviter: string | undefined
  private readonly strangers = new Map<string, NodeJS.Timeout>()
  /** true while this device is joining (the composition root must not start a roster of its own) */
  joining = false
  readonly deviceName: string

  constructor(private readonly options: PairingOptions) {
    this.deviceName = options.deviceName ?? hostname()
  }

  async start(): Promise<void> {
    await this.options.network.handle(
      PAIR_PROTOCOL,
      stream => {
        void this.serve(stream)
      },
      STREAM_OPTIONS
    )
    this.options.network.on('peer-connected', deviceId => this.watchStranger(deviceId))
  }

  stop(): void {
    this.open.clear()
    for (const t of this.strangers.values()) clearTimeout(t)
    this.strangers.clear()
  }

  private sweep(): void {
    const now = Date.now()
    for (const [id, inv] of this.open) if (inv.expiresAt <= now) this.open.delete(id)
  }

  /** Whether the gate should admit a device that is not on the roster. */
  admits(deviceId: string, direction: 'inbound' | 'outbound'): boolean {
    if (direction === 'outbound') return deviceId === this.joiningInviter
    this.sweep()
    for (const inv of this.open.values()) if (inv.claimedBy === undefined || inv.claimedBy === deviceId) return true
    return false
  }

  /** Closes a connection from a device that is not on the roster once it stops pairing. */
  private watchStranger(deviceId: string): void {
    if (this.options.roster.isMember(deviceId) || deviceId === this.joiningInviter || this.strangers.has(deviceId)) return
    const timer = setTimeout(() => {
      this.strangers.delete(deviceId)
      if (!this.options.roster.isMember(deviceId)) void this.options.network.disconnect(deviceId)
    }, STRANGER_GRACE_MS)
    timer.unref()
    this.strangers.set(deviceId, timer)
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

  /** Makes a one-time invitation, valid for `ttlMs` (at most 10 minutes). */
  invite(ttlMs = MAX_TTL_MS): InviteResult {
    const { keyring, roster, network } = this.options
    if (!keyring.unlocked) throw new LockedError('unlock the vault to invite a device')
    if (roster.root === undefined) throw new DeviceRequestError('this device has no vault yet')
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new DeviceRequestError('an invitation needs a positive lifetime')
    const addrs = network.multiaddrs()
    if (addrs.length === 0) throw new PairingError('the daemon is not listening on any address')
    const secret = randomBytes(SECRET_BYTES)
    const expiresAt = new Date(Date.now() + Math.min(ttlMs, MAX_TTL_MS))
    const id = toHex(invitationId(secret))
    this.sweep()
    this.open.set(id, { id, secret, expiresAt: expiresAt.getTime(), claimedBy: undefined })
    this.options.log('info', `pairing: invitation created, valid until ${expiresAt.toISOString()}`)
    return {
      invitation: encodeInvitation({ inviter: keyring.deviceId, secret, expiresAt, addrs }),
      code: confirmationCode(secret),
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
      log(code === RefusedCode.WrongProof ? 'warn' : 'info', `pairing: refused ${short(peer)}: ${message}`)
      try {
        await send({ type: PairType.Refused, code, message })
        await stream.close()
      } catch {
        stream.abort(new PairingError(message))
      }
      this.dropStranger(peer)
    }
    let claimed: OpenInvitation | undefined
    let proven = false
    try {
      const hello = await readPair(stream, STEP_TIMEOUT_MS)
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
      if (inv.claimedBy !== undefined && inv.claimedBy !== peer) {
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
      claimed = inv
      const inviterNonce = randomBytes(32)
      await send({ type: PairType.Challenge, nonce: inviterNonce })
      const proof = await readPair(stream, STEP_TIMEOUT_MS)
      const t = transcript({
        invitationId: hello.invitationId,
        inviter: keyring.deviceId,
        joiner: peer,
        joinerNonce: hello.nonce,
        inviterNonce,
        ephemeralPublic: hello.ephemeralPublic,
        rosterKey: hello.rosterKey,
        name: hello.name
      })
      const key = proofKey(inv.secret)
      proven = true
      if (proof.type !== PairType.Proof || !constantTimeEqual(proof.mac, proofMac(key, 'joiner', t))) {
        this.open.delete(inv.id)
        await refuse(RefusedCode.WrongProof, 'the proof of the invitation secret is wrong; the invitation is now void')
        return
      }
      if (!keyring.unlocked) {
        inv.claimedBy = undefined
        await refuse(RefusedCode.InviterLocked, 'the inviting device is locked; unlock it and try again')
        return
      }
      this.open.delete(inv.id)
      await roster.addDevice(keyring.rosterSigner(), peer, hello.rosterKey, hello.name)
      const grants = keyring.grantsFor(peer, hello.ephemeralPublic).map(g => ({ vaultId: g.vaultId, epoch: g.epoch, box: g.box }))
      await send({ type: PairType.Welcome, mac: proofMac(key, 'inviter', t), records: roster.allRecords(), grants })
      log(
        'info',
        `pairing: added device ${short(peer)} (${JSON.stringify(hello.name)}) to the roster; sealed ${grants.length} vault key(s) to it`
      )
      const done = await readPair(stream, DONE_TIMEOUT_MS)
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
    }
  }

  /** Joiner side: pairs with the inviter of `text`, creates this device's keyring with `password`, syncs. */
  async join(text: string, password: string, name = this.deviceName): Promise<JoinResult> {
    const { network, service, roster, keyring, log } = this.options
    if (service.initialized) throw new AlreadyInitializedError()
    if (typeof password !== 'string' || password.length < 8)
      throw new DeviceRequestError('the master password must have at least 8 characters')
    if (this.joining) throw new PairingError('a join is already under way')
    const inv = decodeInvitation(text)
    if (inv.expiresAt.getTime() <= Date.now()) throw new InvitationError('this invitation has expired; ask for a new one')
    if (inv.inviter === keyring.deviceId) throw new InvitationError('this invitation was made by this device')
    const me = keyring.deviceId
    // the root key is made now: the inviter binds its roster key when it admits this device
    const prepared = Keyring.prepareRoot()
    this.joining = true
    this.joiningInviter = inv.inviter
    let stream: FrameStream | undefined
    let vaultIds: string[] = []
    try {
      try {
        stream = await network.openStream(inv.inviter, inv.addrs, PAIR_PROTOCOL, { ...STREAM_OPTIONS, timeoutMs: STEP_TIMEOUT_MS })
      } catch (err) {
        const message = toError(err).message
        if (/ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|TimeoutError|AbortError|unreachable/i.test(message)) {
          throw new PairingError(`could not reach the inviting device at ${inv.addrs.join(', ')}: ${message}`, { cause: err })
        }
        // the inviter's gate admits unknown devices only while one of its invitations is open
        throw new InvitationError('the inviting device refused the connection: this invitation is unknown, used or expired')
      }
      const s = stream
      const send = async (m: PairMessage): Promise<void> => {
        await s.write(encodePair(m))
      }
      const expect = async <T extends PairType>(type: T, timeoutMs = STEP_TIMEOUT_MS): Promise<Extract<PairMessage, { type: T }>> => {
        const m = await readPair(s, timeoutMs)
        if (m.type === PairType.Refused) {
          if (m.code === RefusedCode.InviterLocked) throw new PairingError(m.message)
          throw new InvitationError(m.message)
        }
        if (m.type !== type) throw new PairingError(`unexpected pairing message ${m.type}`)
        return m as Extract<PairMessage, { type: T }>
      }
      const ephemeral = generateBoxKeyPair()
      const id = invitationId(inv.secret)
      const joinerNonce = randomBytes(32)
      await send({
        type: PairType.Hello,
        version: PAIR_VERSION,
        invitationId: id,
        nonce: joinerNonce,
        ephemeralPublic: ephemeral.publicKey,
        rosterKey: prepared.rosterPublicKey,
        name
      })
      const challenge = await expect(PairType.Challenge)
      const t = transcript({
        invitationId: id,
        inviter: inv.inviter,
        joiner: me,
        joinerNonce,
        inviterNonce: challenge.nonce,
        ephemeralPublic: ephemeral.publicKey,
        rosterKey: prepared.rosterPublicKey,
        name
      })
      const key = proofKey(inv.secret)
      await send({ type: PairType.Proof, mac: proofMac(key, 'joiner', t) })
      const welcome = await expect(PairType.Welcome)
      if (!constantTimeEqual(welcome.mac, proofMac(key, 'inviter', t)))
        throw new PairingError('the inviting device could not prove it made this invitation')
      let state: ReturnType<typeof rosterOf>
      try {
        state = rosterOf(welcome.records)
      } catch (err) {
        throw new PairingError(`the roster from the inviting device is invalid: ${toError(err).message}`)
      }
      const admitted = (d: string): boolean => state.admitted.has(d) && !state.bounds.has(d)
      if (
        state.root === undefined ||
        !admitted(inv.inviter) ||
        !admitted(me) ||
        state.rosterKeys.get(me) !== toHex(prepared.rosterPublicKey)
      )
        throw new PairingError('the roster from the inviting device does not admit this device')
      let keys: Array<{ vaultId: string; epoch: number; key: Uint8Array }>
      try {
        keys = welcome.grants.map(g => ({
          vaultId: g.vaultId,
          epoch: g.epoch,
          key: openBox(ephemeral, g.box, grantAad(g.vaultId, g.epoch, me))
        }))
      } catch (err) {
        throw new PairingError(`a vault key from the inviting device does not open: ${toError(err).message}`)
      }
      ephemeral.secretKey.fill(0)
      vaultIds = [...new Set(keys.map(k => k.vaultId))].sort()
      const ownRecords = welcome.records.filter(r => rosterHeaderOf(r).author === me).length
      let keysRecord: Uint8Array | undefined
      await service.initJoined(
        password,
        k => {
          const resealed = keys.map(x => sealGrant(x.vaultId, x.epoch, me, k.sealingPublicKey, x.key))
          keysRecord = encodeRosterRecord(k.rosterSigner(), ownRecords + 1, Date.now(), {
            op: RosterOp.Keys,
            sealingPublicKey: k.sealingPublicKey,
            name
          })
          return [...GrantStore.rootOps(resealed), ...rosterOps([...welcome.records, keysRecord])]
        },
        prepared
      )
      for (const k of keys) k.key.fill(0)
      await roster.load()
      if (keysRecord !== undefined) {
        try {
          await send({ type: PairType.Done, keysRecord })
          await expect(PairType.Ack, 5000)
        } catch (err) {
          log('info', `pairing: the inviter did not confirm (${toError(err).message}); the roster syncs anyway`)
        }
      }
      await s.close().catch(() => {})
      log('info', `pairing: joined the vaults of ${short(inv.inviter)} (${vaultIds.length} vault(s))`)
    } catch (err) {
      stream?.abort(toError(err))
      throw err
    } finally {
      prepared.rootKey.fill(0)
      this.joining = false
      this.joiningInviter = undefined
    }
    await this.options.afterJoin(inv.inviter, inv.addrs, vaultIds)
    return { deviceId: me, inviter: inv.inviter, vaults: vaultIds, code: confirmationCode(inv.secret) }
  }
}
