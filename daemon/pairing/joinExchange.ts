/**
 * The joining device's side of a pairing exchange (docs/protocol.md has the sequence): proves the
 * invitation's secret, shows the verification words while a person on the inviter decides, then
 * checks the roster it is sent, opens its vault keys, creates its keyring with the new password and
 * stores everything in one batch.
 */
import type { StorageOp } from '../storage/StorageAdapter.js'
import { Keyring } from '../keyring/Keyring.js'
import { sealGrant } from '../keyring/Grant.js'
import { GrantStore } from '../keyring/GrantStore.js'
import type { PreparedRoot } from '../keyring/StatementSigner.js'
import { toHex } from '../crypto/bytes.js'
import { generateBoxKeyPair, openBox } from '../crypto/box.js'
import { randomBytes } from '../crypto/random.js'
import { constantTimeEqual } from '../crypto/constantTime.js'
import type { FrameStream, NetworkAdapter } from '../network/NetworkAdapter.js'
import { invitationId, proofKey, type Invitation } from './Invitation.js'
import {
  encodePair,
  grantAad,
  MAX_JOINER_FRAME,
  MAX_PAIR_FRAME,
  nonceCommitment,
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
import { InvitationError, JoinDeniedError, PairingError } from './errors.js'
import { readPair } from './readPair.js'
import { verificationWords } from './verificationWords.js'
import { WAITING_INTERVAL_MS } from './waitForApproval.js'
import type { Log } from '../log.js'
import { toError } from '../toError.js'

/** The joiner's side of a pairing stream: WELCOME may be large. */
export const PAIR_STREAM_OPTIONS = { maxFrameBytes: MAX_PAIR_FRAME, maxBufferBytes: 2 * MAX_PAIR_FRAME }
/** The inviter's side: every frame comes from a device not on the roster (MAX_JOINER_FRAME). */
export const INVITER_STREAM_OPTIONS = { maxFrameBytes: MAX_JOINER_FRAME, maxBufferBytes: 2 * MAX_JOINER_FRAME }
export const STEP_TIMEOUT_MS = 15_000

export interface JoinPort {
  readonly initialized: boolean
  initJoined: (password: string, extra: (k: Keyring) => StorageOp[], prepared: PreparedRoot) => Promise<void>
}

export interface JoinContext {
  network: NetworkAdapter
  service: JoinPort
  roster: Roster
  /** this device's (empty) keyring: its id, and the root key it makes before HELLO */
  keyring: Pick<Keyring, 'deviceId'>
  log: Log
}

const short = (id: string): string => id.slice(0, 12) + '…'

/**
 * Why the inviter no longer knows an invitation, as far as the joiner can tell: the link carries its
 * expiry, so an unexpired one that is refused was used (or burnt, or cancelled), not expired.
 */
function whyGone(inv: Invitation, now = Date.now()): string {
  return inv.expiresAt.getTime() <= now
    ? 'this invitation has expired; ask for a new one'
    : 'this invitation was already used (or cancelled); ask the other device for a new one'
}

export async function joinExchange(
  context: JoinContext,
  inv: Invitation,
  password: string,
  name: string,
  onWaiting: (words: string[]) => void
): Promise<{ vaultIds: string[]; words: string[] }> {
  const { network, service, roster, keyring, log } = context
  const me = keyring.deviceId
  // the root key is made now: the inviter binds its roster key when it admits this device
  const prepared = Keyring.prepareRoot()
  let stream: FrameStream | undefined
  try {
    try {
      stream = await network.openStream(inv.inviter, inv.addrs, PAIR_PROTOCOL, { ...PAIR_STREAM_OPTIONS, timeoutMs: STEP_TIMEOUT_MS })
    } catch (err) {
      const message = toError(err).message
      if (/ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|TimeoutError|AbortError|unreachable/i.test(message)) {
        throw new PairingError(`could not reach the inviting device at ${inv.addrs.join(', ')}: ${message}`, { cause: err })
      }
      // the inviter's gate admits unknown devices only while one of its invitations is open
      throw new InvitationError(`the inviting device refused the connection: ${whyGone(inv)}`)
    }
    const s = stream
    // the stream reset or ended under us (the inviter dropped a connection it no longer has an
    // invitation for, or the network went): a clear pairing error, not an internal one
    const ended = (err: unknown): PairingError =>
      new PairingError(
        `the connection to the inviting device ended (${toError(err).message}); if it refused this device, ${whyGone(inv)}`,
        {
          cause: err
        }
      )
    const send = async (m: PairMessage): Promise<void> => {
      await s.write(encodePair(m)).catch((err: unknown) => {
        throw ended(err)
      })
    }
    const accept = <T extends PairType>(m: PairMessage, type: T): Extract<PairMessage, { type: T }> => {
      if (m.type === PairType.Refused) {
        if (m.code === RefusedCode.InviterLocked) throw new PairingError(m.message)
        if (m.code === RefusedCode.Denied) throw new JoinDeniedError(`${m.message}; the invitation is used up`)
        if (m.code === RefusedCode.UnknownInvitation && inv.expiresAt.getTime() > Date.now()) throw new InvitationError(whyGone(inv))
        throw new InvitationError(m.message)
      }
      if (m.type !== type) throw new PairingError(`unexpected pairing message ${m.type}`)
      return m as Extract<PairMessage, { type: T }>
    }
    const expect = async <T extends PairType>(type: T, timeoutMs = STEP_TIMEOUT_MS): Promise<Extract<PairMessage, { type: T }>> =>
      accept(
        await readPair(
          s.read().then(
            frame => {
              if (frame === undefined) throw ended(new Error('it closed the stream'))
              return frame
            },
            (err: unknown) => {
              throw ended(err)
            }
          ),
          timeoutMs
        ),
        type
      )
    const ephemeral = generateBoxKeyPair()
    const id = invitationId(inv.secret)
    const joinerNonce = randomBytes(32)
    await send({
      type: PairType.Hello,
      version: PAIR_VERSION,
      invitationId: id,
      commitment: nonceCommitment(joinerNonce),
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
      joinerEphemeral: ephemeral.publicKey,
      inviterEphemeral: challenge.ephemeralPublic,
      rosterKey: prepared.rosterPublicKey,
      name
    })
    const key = proofKey(inv.secret)
    await send({ type: PairType.Proof, nonce: joinerNonce, mac: proofMac(key, 'joiner', t) })
    const pending = await expect(PairType.Pending)
    if (!constantTimeEqual(pending.mac, proofMac(key, 'inviter', t)))
      throw new PairingError('the inviting device could not prove it made this invitation')
    const words = verificationWords(t)
    onWaiting(words)
    log('info', `pairing: waiting for a person on ${short(inv.inviter)} to approve this device`)
    // a person decides on the inviting device; it refuses us itself when the invitation expires
    const deadline = inv.expiresAt.getTime() + STEP_TIMEOUT_MS
    let next: PairMessage
    do {
      const left = deadline - Date.now()
      if (left <= 0) throw new PairingError('nobody approved this device before the invitation expired')
      next = await readPair(s.read(), Math.min(left, 3 * WAITING_INTERVAL_MS))
    } while (next.type === PairType.Waiting)
    const welcome = accept(next, PairType.Welcome)
    let state: ReturnType<typeof rosterOf>
    try {
      state = rosterOf(welcome.records)
    } catch (err) {
      throw new PairingError(`the roster from the inviting device is invalid: ${toError(err).message}`)
    }
    const admitted = (d: string): boolean => state.admitted.has(d) && !state.bounds.has(d)
    if (state.root === undefined || !admitted(inv.inviter) || !admitted(me) || state.rosterKeys.get(me) !== toHex(prepared.rosterPublicKey))
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
    const vaultIds = [...new Set(keys.map(k => k.vaultId))].sort()
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
    return { vaultIds, words }
  } catch (err) {
    stream?.abort(toError(err))
    throw err
  } finally {
    prepared.rootKey.fill(0)
    // the invitation is one-time: its secret has no use after this exchange
    inv.secret.fill(0)
  }
}
