/**
 * One sync session with one paired device over one stream. Both sides send HELLO, then what the
 * other lacks (roster records, its grants), then VAULT (per vault, the signed head of each
 * author's log). On a peer's VAULT each side compares its heads with its own (a contradiction
 * quarantines that author) and pumps what the peer is missing — snapshots first when the envelopes
 * it needs were compacted away, counted as held only once the peer answers with its VAULT, then
 * envelopes in seq order per author — and afterwards pushes every new envelope live. Received
 * envelopes go through the replica, which verifies the author's roster membership, the signature,
 * the next seq and the chain before storing; malformed or forged data ends the session, while an
 * equivocating author or a snapshot that claims too much is set aside and the session goes on.
 */
import type { FrameStream } from '../network/NetworkAdapter.js'
import { Channel } from './Channel.js'
import {
  ByeReason,
  envelopeHeader,
  MsgType,
  PROTOCOL_VERSION,
  ProtocolError,
  snapshotHeader,
  type Message,
  type SeqVector
} from './messages.js'
import type { GrantsPort, Log, ReplicaPort, RosterPort, VaultsPort } from './ports.js'
import { toError } from '../toError.js'
import { restoreEnvelope, stripEnvelope, strippedFields } from './nextEnvelope.js'
import { NO_PREVIOUS } from '../codec/SignedHead.js'

const REFUSED_SNAPSHOT = 'RefusedSnapshotError'

/** Envelopes per ENVELOPES message while catching up, and their byte budget. */
const BATCH_COUNT = 256
const BATCH_BYTES = 192 * 1024

export interface SessionContext {
  self: string
  vaults: VaultsPort
  roster: RosterPort
  grants: GrantsPort
  addrs: () => string[]
  log: Log
  /** after HELLO: whether to keep this session (false: a duplicate; it closes) */
  onHello: (session: SyncSession) => boolean
  /** the peer finished sending what we lacked in a vault */
  onCaughtUp: (session: SyncSession, vaultId: string) => void
  /** a snapshot changed a vault's vector without envelope events: other sessions should pump */
  onVaultAdvanced: (vaultId: string) => void
  /** a keyless backup peer starts holding a vault a device announced (store and forward); undefined: not held */
  adoptVault?: (vaultId: string) => Promise<ReplicaPort | undefined>
}

const short = (id: string): string => id.slice(0, 12) + '…'
/** A snapshot's identity within a session: its signature. */
const snapshotId = (bytes: Uint8Array): string => Buffer.from(bytes.subarray(bytes.length - 64)).toString('hex')

export class SyncSession {
  readonly channel: Channel
  readonly peer: string
  peerAddrs: string[] = []
  ready = false
  /** per vault: what the peer holds, as far as we know (its VAULT vector plus what we sent or got from it) */
  private readonly peerVectors = new Map<string, SeqVector>()
  /** per vault: the seq of this device's own log the peer last said it holds (its signed heads in VAULT), and when */
  readonly claimedOwn = new Map<string, { seq: number; at: number }>()
  private readonly pumping = new Set<string>()
  private readonly pumpAgain = new Set<string>()
  private readonly caughtUpSent = new Set<string>()
  /** per vault: snapshots sent that the peer has not answered yet (with its VAULT) */
  private readonly unacked = new Map<string, number>()
  private readonly snapshotsSent = new Set<string>()
  /** vaults the peer said it has finished sending us */
  readonly caughtUp = new Set<string>()
  readonly startedAt = Date.now()
  envelopesIn = 0
  envelopesOut = 0
  private ended = false
  private readonly finished: Promise<void>
  private finish!: () => void

  constructor(
    stream: FrameStream,
    readonly initiator: string,
    private readonly ctx: SessionContext
  ) {
    this.channel = new Channel(stream)
    this.peer = stream.remote
    this.finished = new Promise(resolve => {
      this.finish = resolve
    })
  }

  get closed(): boolean {
    return this.ended
  }
  /** resolves once the session has ended */
  get done(): Promise<void> {
    return this.finished
  }

  /** Runs the session until either side ends it; never throws. */
  async run(): Promise<void> {
    const { ctx } = this
    try {
      this.channel.send({
        type: MsgType.Hello,
        version: PROTOCOL_VERSION,
        deviceId: ctx.self,
        addrs: ctx.addrs(),
        roster: ctx.roster.vector()
      })
      const first = await this.channel.next()
      if (first === undefined) throw new Error('the stream closed before HELLO (refused or shutting down)')
      const hello = first.message
      if (hello.type !== MsgType.Hello) throw new ProtocolError(`expected HELLO, got message type ${hello.type}`)
      if (hello.version !== PROTOCOL_VERSION) throw new ProtocolError(`unsupported protocol version ${hello.version}`)
      if (hello.deviceId !== this.peer) throw new ProtocolError('HELLO names another device than the authenticated one')
      this.channel.processed(first.bytes)
      this.peerAddrs = hello.addrs
      if (!ctx.onHello(this)) {
        await this.channel.close(ByeReason.Duplicate, 'another session with this device is kept')
        return
      }
      this.ready = true
      const records = ctx.roster.recordsAfter(hello.roster)
      if (records.length > 0) this.channel.send({ type: MsgType.Roster, records })
      const grants = await ctx.grants.grantsFor(this.peer)
      if (grants.length > 0) this.channel.send({ type: MsgType.Grants, grants })
      for (const replica of ctx.vaults.all().filter(r => this.shares(r.vaultId)))
        this.channel.send({ type: MsgType.Vault, vaultId: replica.vaultId, heads: replica.heads(), replyWanted: false })
      while (!this.ended) {
        const got = await this.channel.next()
        if (got === undefined) break
        if (got.message.type === MsgType.Bye) {
          if (got.message.reason === ByeReason.ProtocolError)
            ctx.log('warn', `sync: ${short(this.peer)} ended the session: ${got.message.message}`)
          break
        }
        await this.handle(got.message)
        this.channel.processed(got.bytes)
      }
      await this.channel.close(ByeReason.Done)
    } catch (err) {
      const e = toError(err)
      if (e.name === 'QuotaExceededError') {
        // not the peer's fault: it hears why, and what it sent before is kept
        ctx.log('warn', `sync: not storing more from ${short(this.peer)}: ${e.message}`)
        await this.channel.close(ByeReason.ProtocolError, e.message).catch(() => {})
      } else if (e.name === 'ProtocolError' || e.name === 'RejectedEnvelopeError' || e.name === 'FrameLimitError') {
        ctx.log(
          'warn',
          `sync: rejected data from ${short(this.peer)} (${e.name}: ${e.message}); closing the session, nothing from it was stored`
        )
        await this.channel.close(ByeReason.ProtocolError, e.message).catch(() => {})
      } else if (!this.ended) {
        ctx.log('debug', `sync: session with ${short(this.peer)} ended: ${e.message}`)
        this.channel.abort(e)
      }
    } finally {
      this.ended = true
      this.ready = false
      this.finish()
    }
  }

  /** Ends the session with a reason (duplicate, shutting down, revoked). */
  async close(reason: ByeReason, message = ''): Promise<void> {
    if (this.ended) return
    this.ended = true
    this.ready = false
    await this.channel.close(reason, message).catch(() => {})
    this.finish()
  }

  private peerVector(vaultId: string): SeqVector {
    let v = this.peerVectors.get(vaultId)
    if (v === undefined) {
      v = new Map()
      this.peerVectors.set(vaultId, v)
    }
    return v
  }

  private async handle(m: Message): Promise<void> {
    const { ctx } = this
    switch (m.type) {
      case MsgType.Hello:
        throw new ProtocolError('a second HELLO')
      case MsgType.Roster: {
        const { rejected } = await ctx.roster.receive(m.records, this.peer)
        if (rejected > 0) ctx.log('warn', `sync: ${rejected} roster record(s) from ${short(this.peer)} were refused`)
        return
      }
      case MsgType.Grants:
        await ctx.grants.receive(m.grants, this.peer)
        return
      case MsgType.Vault: {
        // a vault this device does not share with the peer: as if unknown (nothing of it is sent)
        if (!this.shares(m.vaultId)) return
        const pv = this.peerVector(m.vaultId)
        for (const { author, seq } of m.heads) if (seq > (pv.get(author) ?? 0)) pv.set(author, seq)
        this.claimedOwn.set(m.vaultId, { seq: m.heads.find(h => h.author === ctx.self)?.seq ?? 0, at: Date.now() })
        const unacked = this.unacked.get(m.vaultId) ?? 0
        if (unacked > 0) this.unacked.set(m.vaultId, unacked - 1)
        const replica = this.vault(m.vaultId) ?? (await ctx.adoptVault?.(m.vaultId))
        if (replica === undefined) return
        await replica.compareHeads(m.heads)
        if (m.replyWanted) this.channel.send({ type: MsgType.Vault, vaultId: m.vaultId, heads: replica.heads(), replyWanted: false })
        this.schedulePump(m.vaultId)
        return
      }
      case MsgType.Envelopes:
        for (const bytes of m.envelopes) await this.receiveEnvelope(bytes)
        return
      case MsgType.Next: {
        const f = strippedFields(m.stripped, m.authorOmitted)
        if (f === undefined) throw new ProtocolError('a NEXT envelope too short to route')
        const author = f.author ?? this.peer
        const replica = this.vault(f.vaultId)
        if (replica === undefined) throw new ProtocolError('an envelope for a vault this device did not announce')
        const tip = replica.tip(author)
        const held = tip?.seq ?? 0
        // held already (it came another way meanwhile): nothing to do
        if (f.seq <= held) return
        // not the next one: as a full envelope that skips a seq, the session ends and the next one catches up
        if (f.seq !== held + 1) throw new ProtocolError(`a NEXT envelope ${f.seq} does not follow the held ${held}`)
        await this.receiveEnvelope(restoreEnvelope(m.stripped, m.authorOmitted, author, tip?.hash ?? NO_PREVIOUS))
        return
      }
      case MsgType.Snapshot: {
        const h = snapshotHeader(m.snapshot)
        const replica = this.vault(h.vaultId)
        if (replica === undefined) throw new ProtocolError('a snapshot for a vault this device did not announce')
        let stored = false
        try {
          stored = await replica.receiveSnapshot(m.snapshot)
        } catch (err) {
          if (toError(err).name !== REFUSED_SNAPSHOT) throw err
          ctx.log('warn', `sync: ${toError(err).message} (from ${short(this.peer)}, by ${short(h.author)}); nothing of it was stored`)
        }
        if (stored) {
          const pv = this.peerVector(h.vaultId)
          for (const [author, seq] of h.vector) if (seq > (pv.get(author) ?? 0)) pv.set(author, seq)
          ctx.onVaultAdvanced(h.vaultId)
        }
        // the answer: what this device now holds, so that the sender counts only what was taken
        this.channel.send({ type: MsgType.Vault, vaultId: h.vaultId, heads: replica.heads(), replyWanted: false })
        return
      }
      case MsgType.CaughtUp:
        this.caughtUp.add(m.vaultId)
        ctx.onCaughtUp(this, m.vaultId)
        return
      case MsgType.Credit:
      case MsgType.Bye:
        return
    }
  }

  private async receiveEnvelope(bytes: Uint8Array): Promise<void> {
    const h = envelopeHeader(bytes)
    const replica = this.vault(h.vaultId)
    if (replica === undefined) throw new ProtocolError('an envelope for a vault this device did not announce')
    const bound = this.ctx.roster.envelopeBound(h.author, h.vaultId)
    if (bound !== undefined && h.seq > bound)
      throw new ProtocolError(`envelope ${h.seq} by removed device ${short(h.author)} was written after its removal`)
    const pv = this.peerVector(h.vaultId)
    // the peer holds it: never echo it back (set before receive, which fires the live-push event)
    if (h.seq > (pv.get(h.author) ?? 0)) pv.set(h.author, h.seq)
    // a repeat is ignored; one that contradicts what is held quarantines its author (not this peer)
    if (await replica.receive(bytes)) this.envelopesIn++
  }

  /** Asks the peer which heads it holds of every vault shared with it (its VAULT answers: `claimedOwn`). */
  probe(): void {
    if (!this.ready || this.closed) return
    for (const vaultId of this.peerVectors.keys()) {
      const replica = this.vault(vaultId)
      if (replica !== undefined) this.channel.send({ type: MsgType.Vault, vaultId, heads: replica.heads(), replyWanted: true })
    }
  }

  /** A new durable envelope on this device: push it now if it is the next one the peer needs. */
  /** Whether this device and the peer may both hold a vault (per-device vaults): only then is anything of it exchanged. */
  private shares(vaultId: string): boolean {
    return this.ctx.roster.mayHold(this.peer, vaultId) && this.ctx.roster.mayHold(this.ctx.self, vaultId)
  }

  private vault(vaultId: string): ReplicaPort | undefined {
    return this.shares(vaultId) ? this.ctx.vaults.get(vaultId) : undefined
  }

  offer(vaultId: string, author: string, seq: number, bytes: Uint8Array): void {
    if (!this.ready || !this.shares(vaultId)) return
    const pv = this.peerVectors.get(vaultId)
    if (pv === undefined) return
    const have = pv.get(author) ?? 0
    if (seq <= have) return
    if (seq === have + 1 && !this.pumping.has(vaultId) && (this.unacked.get(vaultId) ?? 0) === 0) {
      pv.set(author, seq)
      this.envelopesOut++
      // this device's own envelope that follows what the peer holds: without the author and the prevHash
      // the peer has. Relayed ones go whole, so that a receiver holding another envelope for that seq
      // compares the two (equivocation) instead of taking it for a duplicate.
      const stripped = author === this.ctx.self ? stripEnvelope(bytes, true) : undefined
      this.channel.send(
        stripped === undefined ? { type: MsgType.Envelopes, envelopes: [bytes] } : { type: MsgType.Next, authorOmitted: true, stripped }
      )
      return
    }
    this.schedulePump(vaultId)
  }

  /** Tells the peer this device now holds a vault (a key arrived mid-session). */
  announceVault(vaultId: string): void {
    if (!this.ready) return
    const replica = this.vault(vaultId)
    if (replica === undefined) return
    this.channel.send({ type: MsgType.Vault, vaultId, heads: replica.heads(), replyWanted: true })
    if (this.peerVectors.has(vaultId)) this.schedulePump(vaultId)
  }

  sendRoster(records: Uint8Array[]): void {
    if (this.ready && records.length > 0) this.channel.send({ type: MsgType.Roster, records })
  }

  sendGrants(grants: Uint8Array[]): void {
    if (this.ready && grants.length > 0) this.channel.send({ type: MsgType.Grants, grants })
  }

  schedulePump(vaultId: string): void {
    if (!this.ready || !this.peerVectors.has(vaultId)) return
    if (this.pumping.has(vaultId)) {
      this.pumpAgain.add(vaultId)
      return
    }
    this.pumping.add(vaultId)
    this.pump(vaultId)
      .catch(err => {
        this.ctx.log('warn', `sync: sending vault ${vaultId.slice(0, 8)} to ${short(this.peer)} failed: ${toError(err).message}`)
      })
      .finally(() => {
        this.pumping.delete(vaultId)
        if (this.pumpAgain.delete(vaultId)) this.schedulePump(vaultId)
      })
  }

  /**
   * Sends what the peer lacks of one vault, in order, within the channel's flow control: per author
   * the envelopes after the peer's seq; where the next one is not held as an envelope (compaction,
   * or a snapshot received from another device, left a hole), the snapshots that cover more than
   * the peer has, each once per session; the pass then waits for the peer's answer (its VAULT) before
   * counting what they cover. Compaction may run while this reads, so a pass that sends nothing
   * looks once more.
   */
  private async pump(vaultId: string): Promise<void> {
    const replica = this.vault(vaultId)
    const pv = this.peerVectors.get(vaultId)
    if (replica === undefined || pv === undefined) return
    let lookedAgain = false
    while (this.ready) {
      if ((this.unacked.get(vaultId) ?? 0) > 0) return
      const behind = [...replica.vector()].filter(([author, seq]) => seq > (pv.get(author) ?? 0))
      if (behind.length === 0) break
      let progressed = false
      let hole = false
      for (const [author, seq] of behind) {
        const have = pv.get(author) ?? 0
        if (seq <= have) continue
        const stored = await replica.envelopesAfter(author, have, BATCH_COUNT)
        const batch: Uint8Array[] = []
        let next = have + 1
        let size = 0
        for (const bytes of stored) {
          if (envelopeHeader(bytes).seq !== next || (size > 0 && size + bytes.length > BATCH_BYTES)) break
          batch.push(bytes)
          size += bytes.length
          next++
        }
        if (batch.length === 0) {
          hole = true
          continue
        }
        if (!this.ready) return
        pv.set(author, next - 1)
        this.envelopesOut += batch.length
        this.channel.send({ type: MsgType.Envelopes, envelopes: batch })
        progressed = true
        await this.channel.waitForRoom()
      }
      if (hole) {
        let sent = 0
        for (const snapshot of await replica.snapshots()) {
          const h = snapshotHeader(snapshot)
          if (![...h.vector].some(([author, seq]) => seq > (pv.get(author) ?? 0))) continue
          const id = snapshotId(snapshot)
          if (this.snapshotsSent.has(id)) continue
          if (!this.ready) return
          this.snapshotsSent.add(id)
          // counted before it goes: the answer may arrive while this loop still sends
          this.unacked.set(vaultId, (this.unacked.get(vaultId) ?? 0) + 1)
          this.channel.send({ type: MsgType.Snapshot, snapshot })
          sent++
          await this.channel.waitForRoom()
        }
        // the peer answers each with its VAULT; the last answer schedules the next pass
        if (sent > 0) return
      }
      if (progressed) {
        lookedAgain = false
        continue
      }
      if (lookedAgain) {
        this.ctx.log(
          'debug',
          `sync: cannot serve ${short(this.peer)} everything it lacks in vault ${vaultId.slice(0, 8)} (neither envelopes nor a snapshot cover it here)`
        )
        break
      }
      lookedAgain = true
    }
    if (this.ready && !this.caughtUpSent.has(vaultId)) {
      this.caughtUpSent.add(vaultId)
      this.channel.send({ type: MsgType.CaughtUp, vaultId })
    }
  }
}
