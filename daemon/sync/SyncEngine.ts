/**
 * Keeps one sync session per paired device: serves the sync protocol to roster devices, dials the
 * devices it knows (at start, when the roster changes, when discovery sees one) and redials with
 * exponential backoff when a session ends. New envelopes, roster records, grants and vaults are
 * fanned out to the sessions. When both devices dial each other at once, the session opened by the
 * device with the smaller id wins on both sides.
 */
import { EventEmitter } from 'node:events'
import type { FrameStream, NetworkAdapter } from '../network/NetworkAdapter.js'
import { ByeReason, MAX_BUFFER_BYTES, MAX_FRAME_BYTES, SYNC_PROTOCOL } from './messages.js'
import { SyncSession, type SessionContext } from './SyncSession.js'
import type { PeerBook } from './PeerBook.js'
import type { GrantsPort, Log, ReplicaPort, RosterPort, VaultsPort } from './ports.js'
import { toError } from '../toError.js'

export interface SyncEngineOptions {
  network: NetworkAdapter
  vaults: VaultsPort
  roster: RosterPort & { members: () => string[] }
  grants: GrantsPort
  peers: PeerBook
  log: Log
  /** addresses to dial a device at beside those it stated (a backup peer's, relayed ones through backup peers) */
  addrsOf?: (deviceId: string) => string[]
  /** on a backup peer: starts holding a vault a device announced (store and forward) */
  adoptVault?: (vaultId: string) => Promise<ReplicaPort | undefined>
  /** first redial delay and its cap (doubling in between) */
  backoff?: { initialMs: number; maxMs: number }
  /** this device's own roster says it was removed (the roster port then lists no one) */
  removed?: () => boolean
}

export interface SyncEngineEvents {
  'peer-connected': [deviceId: string]
  'peer-disconnected': [deviceId: string]
  'caught-up': [deviceId: string, vaultId: string]
  /** a device off the roster opened a sync stream (it was refused) */
  refused: [deviceId: string]
}

const STREAM_OPTIONS = { maxFrameBytes: MAX_FRAME_BYTES + 64, maxBufferBytes: MAX_BUFFER_BYTES }
const short = (id: string): string => id.slice(0, 12) + '…'

export class SyncEngine extends EventEmitter<SyncEngineEvents> {
  private readonly sessions = new Map<string, SyncSession>()
  private readonly running = new Set<SyncSession>()
  private readonly dialing = new Set<string>()
  private readonly retries = new Map<string, { delay: number; timer: NodeJS.Timeout | undefined }>()
  private started = false
  private readonly self: string
  private readonly ctx: SessionContext
  private readonly backoff: { initialMs: number; maxMs: number }

  constructor(private readonly options: SyncEngineOptions) {
    super()
    this.self = options.network.deviceId
    this.backoff = options.backoff ?? { initialMs: 200, maxMs: 30_000 }
    this.ctx = {
      self: this.self,
      vaults: options.vaults,
      roster: options.roster,
      grants: options.grants,
      addrs: () => options.network.multiaddrs(),
      log: options.log,
      onHello: s => this.onHello(s),
      onCaughtUp: (s, vaultId) => this.emit('caught-up', s.peer, vaultId),
      onVaultAdvanced: vaultId => {
        for (const s of this.sessions.values()) s.schedulePump(vaultId)
      },
      adoptVault: options.adoptVault
    }
  }

  async start(): Promise<void> {
    const { network } = this.options
    await network.handle(SYNC_PROTOCOL, stream => this.accept(stream), STREAM_OPTIONS)
    network.on('peer-discovered', (deviceId, addrs) => {
      if (!this.options.roster.isMember(deviceId) || this.sessions.has(deviceId)) return
      // beside the addresses the device stated, never in their place, and rate-limited (PeerBook.heard)
      this.options.peers.heard(deviceId, addrs).catch(() => {})
      void this.dial(deviceId)
    })
    this.started = true
    this.dialAll()
  }

  async stop(): Promise<void> {
    this.started = false
    for (const r of this.retries.values()) clearTimeout(r.timer)
    this.retries.clear()
    const all = [...this.running]
    await Promise.all(
      all.map(async s => {
        await s.close(ByeReason.ShuttingDown)
      })
    )
    await Promise.all(
      all.map(async s => {
        await s.done
      })
    )
  }

  /** Devices with a live session. */
  connected(): string[] {
    return [...this.sessions.keys()]
  }
  isOnline(deviceId: string): boolean {
    return this.sessions.get(deviceId)?.closed === false
  }
  session(deviceId: string): SyncSession | undefined {
    return this.sessions.get(deviceId)
  }

  private accept(stream: FrameStream): void {
    if (!this.started || !this.options.roster.isMember(stream.remote)) {
      this.options.log('info', `sync: refused a session from ${short(stream.remote)}: not on the device roster`)
      stream.abort(new Error('not on the device roster'))
      this.emit('refused', stream.remote)
      return
    }
    this.run(stream, stream.remote)
  }

  /** Dials a roster device now (no-op when a session exists or a dial is under way). */
  async dial(deviceId: string): Promise<void> {
    if (!this.started || deviceId === this.self || this.sessions.has(deviceId) || this.dialing.has(deviceId)) return
    if (!this.options.roster.isMember(deviceId)) return
    this.dialing.add(deviceId)
    try {
      const addrs = [...this.options.peers.addrs(deviceId), ...(this.options.addrsOf?.(deviceId) ?? [])]
      const stream = await this.options.network.openStream(deviceId, [...new Set(addrs)], SYNC_PROTOCOL, {
        ...STREAM_OPTIONS,
        timeoutMs: 10_000
      })
      if (!this.started) {
        stream.abort(new Error('shutting down'))
        return
      }
      this.run(stream, this.self)
    } catch (err) {
      this.options.log('debug', `sync: dialling ${short(deviceId)} failed: ${toError(err).message}`)
      this.scheduleRetry(deviceId)
    } finally {
      this.dialing.delete(deviceId)
    }
  }

  private run(stream: FrameStream, initiator: string): void {
    const session = new SyncSession(stream, initiator, this.ctx)
    this.running.add(session)
    void session.run().then(() => this.ended(session))
  }

  private onHello(s: SyncSession): boolean {
    if (!this.started || !this.options.roster.isMember(s.peer)) return false
    // remembered before 'peer-connected', so that what listens to it (AddressExchange) sees them
    this.options.peers.update(s.peer, s.peerAddrs).catch(() => {})
    const existing = this.sessions.get(s.peer)
    if (existing !== undefined && !existing.closed) {
      const preferred = this.self < s.peer ? this.self : s.peer
      const keepNew = existing.initiator === s.initiator || s.initiator === preferred
      if (!keepNew) return false
      this.sessions.set(s.peer, s)
      void existing.close(ByeReason.Duplicate, 'a newer session replaces this one')
    } else {
      this.sessions.set(s.peer, s)
      this.resetRetry(s.peer)
      this.options.log('info', `sync: connected to ${short(s.peer)}`)
      this.emit('peer-connected', s.peer)
    }
    return true
  }

  private ended(s: SyncSession): void {
    this.running.delete(s)
    if (this.sessions.get(s.peer) !== s) return
    this.sessions.delete(s.peer)
    this.options.peers.update(s.peer, undefined).catch(() => {})
    this.options.log('info', `sync: disconnected from ${short(s.peer)}`)
    this.emit('peer-disconnected', s.peer)
    this.scheduleRetry(s.peer)
  }

  private resetRetry(deviceId: string): void {
    const r = this.retries.get(deviceId)
    if (r !== undefined) clearTimeout(r.timer)
    this.retries.delete(deviceId)
  }

  private scheduleRetry(deviceId: string): void {
    if (!this.started || this.sessions.has(deviceId) || !this.options.roster.isMember(deviceId)) return
    let r = this.retries.get(deviceId)
    if (r === undefined) {
      r = { delay: this.backoff.initialMs, timer: undefined }
      this.retries.set(deviceId, r)
    }
    if (r.timer !== undefined) return
    const entry = r
    const wait = entry.delay * (0.75 + Math.random() * 0.5)
    entry.timer = setTimeout(() => {
      entry.timer = undefined
      entry.delay = Math.min(entry.delay * 2, this.backoff.maxMs)
      void this.dial(deviceId)
    }, wait)
    entry.timer.unref()
  }

  /** Dials every roster device without a session. */
  dialAll(): void {
    for (const id of this.options.roster.members()) if (id !== this.self && !this.sessions.has(id)) void this.dial(id)
  }

  /** Remembers addresses for a device (from an invitation) and dials it. */
  async connect(deviceId: string, addrs: string[]): Promise<void> {
    if (addrs.length > 0) await this.options.peers.update(deviceId, addrs, 0)
    this.resetRetry(deviceId)
    await this.dial(deviceId)
  }

  /** A new durable envelope (local or received): offered to every session. */
  onEnvelope(vaultId: string, author: string, seq: number, bytes: Uint8Array): void {
    for (const s of this.sessions.values()) s.offer(vaultId, author, seq, bytes)
  }

  /** This device now holds a vault: announce it. */
  onVaultAdded(vaultId: string): void {
    for (const s of this.sessions.values()) s.announceVault(vaultId)
  }

  /** New roster records (local or received): forward them. */
  onRosterRecords(records: Uint8Array[]): void {
    for (const s of this.sessions.values()) s.sendRoster(records)
  }

  /** The roster changed: end sessions with removed devices, dial new ones. */
  onRosterChanged(): void {
    const removed = this.options.removed?.() === true
    for (const s of [...this.running]) {
      if (!this.options.roster.isMember(s.peer)) {
        this.options.log(
          'info',
          removed
            ? `sync: this device was removed from the roster; closing the session with ${short(s.peer)}`
            : `sync: ${short(s.peer)} is no longer on the roster; closing its session`
        )
        void s.close(ByeReason.NotOnRoster, 'removed from the device roster')
        this.resetRetry(s.peer)
        void this.options.network.disconnect(s.peer)
      }
    }
    this.dialAll()
  }

  sendGrants(deviceId: string, grants: Uint8Array[]): void {
    this.sessions.get(deviceId)?.sendGrants(grants)
  }

  /** Resolves true once `deviceId` has sent everything it had for each vault (false on timeout). */
  async whenCaughtUp(deviceId: string, vaultIds: string[], timeoutMs: number): Promise<boolean> {
    return await new Promise<boolean>(resolve => {
      const check = (): void => {
        const s = this.sessions.get(deviceId)
        if (s !== undefined && vaultIds.every(v => s.caughtUp.has(v))) finish(true)
      }
      const onCaughtUp = (peer: string): void => {
        if (peer === deviceId) check()
      }
      const finish = (ok: boolean): void => {
        clearTimeout(timer)
        this.off('caught-up', onCaughtUp)
        this.off('peer-connected', onCaughtUp)
        resolve(ok)
      }
      const timer = setTimeout(() => finish(false), timeoutMs)
      this.on('caught-up', onCaughtUp)
      this.on('peer-connected', onCaughtUp)
      check()
    })
  }

  status(): Record<string, unknown> {
    return {
      peers: [...this.sessions.values()].map(s => ({
        id: s.peer,
        since: new Date(s.startedAt).toISOString(),
        envelopesIn: s.envelopesIn,
        envelopesOut: s.envelopesOut,
        bytesIn: s.channel.bytesIn,
        bytesOut: s.channel.bytesOut
      }))
    }
  }
}
