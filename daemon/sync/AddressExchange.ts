/**
 * Devices find each other through a common peer: when a sync session with a roster peer opens,
 * this device tells it the addresses every other roster device stated to it (in its own HELLO, or
 * in an invitation), and tells every other connected peer the addresses the new one stated. So
 * two devices paired through a third learn each other's addresses from it and then sync directly,
 * without mDNS and without it.
 *
 *   protocol /kith/addrs/1.0.0
 *   the opener writes one ADDRS frame (addressMessage.ts) and closes; there is no answer
 *
 * Both sides run it with roster peers only: the opener only with a device it has a sync session
 * with, the receiver refuses a stream from any device that is not on its own roster before
 * reading it, so a non-member learns nothing. Only stated addresses are passed on, never ones
 * told or heard (no gossip beyond one hop). The receiver keeps an entry only when it names
 * another roster peer of its own (not itself, not the teller), keeps only dialable addresses
 * (addressMessage.ts `dialable`), and stores them per teller beside the stated ones, never in
 * their place (PeerBook.told). A wrong address costs a dial that fails or that Noise refuses: the
 * device at it must prove the device id's key.
 */
import type { FrameStream, NetworkAdapter } from '../network/NetworkAdapter.js'
import type { Log } from '../log.js'
import { toError } from '../toError.js'
import { AddressMessageError, decodeAddrs, dialable, encodeAddrs, MAX_ADDRS_FRAME, type AddressEntry } from './addressMessage.js'
import type { PeerBook } from './PeerBook.js'

export const ADDRS_PROTOCOL = '/kith/addrs/1.0.0'

const STREAM_OPTIONS = { maxFrameBytes: MAX_ADDRS_FRAME, maxBufferBytes: 2 * MAX_ADDRS_FRAME }
const READ_TIMEOUT_MS = 5000
const short = (id: string): string => `${id.slice(0, 12)}…`

export interface AddressExchangeOptions {
  network: Pick<NetworkAdapter, 'deviceId' | 'handle' | 'openStream'>
  peers: Pick<PeerBook, 'get' | 'told'>
  /** the roster peers this device syncs with (empty once this device was removed) */
  members: () => string[]
  isMember: (deviceId: string) => boolean
  /** devices with a live sync session */
  connected: () => string[]
  /** a device's addresses changed: dial it unless a session exists */
  dial: (deviceId: string) => void
  log: Log
}

export class AddressExchange {
  private readonly self: string

  constructor(private readonly options: AddressExchangeOptions) {
    this.self = options.network.deviceId
  }

  async serve(): Promise<void> {
    await this.options.network.handle(
      ADDRS_PROTOCOL,
      stream => {
        void this.accept(stream)
      },
      STREAM_OPTIONS
    )
  }

  /** A sync session with `peer` opened: tell it where the others are, and tell the others where it is. */
  onConnected(peer: string): void {
    void this.tell(peer, this.entriesFor(peer))
    const its = this.entry(peer)
    if (its === undefined) return
    for (const other of this.options.connected()) if (other !== peer) void this.tell(other, [its])
  }

  /** What this device knows of every roster peer but `recipient`: the addresses each stated itself. */
  entriesFor(recipient: string): AddressEntry[] {
    return this.options
      .members()
      .filter(d => d !== recipient && d !== this.self)
      .map(d => this.entry(d))
      .filter((e): e is AddressEntry => e !== undefined)
  }

  private entry(device: string): AddressEntry | undefined {
    const addrs = (this.options.peers.get(device)?.addrs ?? []).filter(dialable)
    return addrs.length === 0 ? undefined : { device, addrs }
  }

  private async tell(peer: string, entries: AddressEntry[]): Promise<void> {
    if (entries.length === 0 || !this.options.isMember(peer)) return
    let stream: FrameStream | undefined
    try {
      stream = await this.options.network.openStream(peer, [], ADDRS_PROTOCOL, { ...STREAM_OPTIONS, timeoutMs: 5000 })
      await stream.write(encodeAddrs(entries))
      await stream.close()
    } catch (err) {
      // a peer without the protocol (an older version) or one that just left
      this.options.log('debug', `sync: telling ${short(peer)} the addresses of its peers failed: ${toError(err).message}`)
      stream?.abort(toError(err))
    }
  }

  private async accept(stream: FrameStream): Promise<void> {
    const from = stream.remote
    if (!this.options.isMember(from)) {
      stream.abort(new Error('not on the device roster'))
      return
    }
    let timer: NodeJS.Timeout | undefined
    try {
      const frame = await Promise.race([
        stream.read(),
        new Promise<undefined>(resolve => {
          timer = setTimeout(() => resolve(undefined), READ_TIMEOUT_MS)
        })
      ])
      if (frame === undefined) return
      await this.take(from, decodeAddrs(frame))
    } catch (err) {
      const level = err instanceof AddressMessageError ? 'warn' : 'debug'
      this.options.log(level, `sync: ignored the addresses ${short(from)} sent: ${toError(err).message}`)
    } finally {
      clearTimeout(timer)
      await stream.close().catch(() => {})
    }
  }

  /** Keeps what names another roster peer at dialable addresses; dials the devices whose addresses changed. */
  async take(from: string, entries: AddressEntry[]): Promise<number> {
    let kept = 0
    const seen = new Set<string>()
    for (const { device, addrs } of entries) {
      if (seen.has(device) || device === this.self || device === from || !this.options.isMember(device)) continue
      seen.add(device)
      const usable = [...new Set(addrs.filter(dialable))]
      if (usable.length === 0) continue
      kept++
      if (await this.options.peers.told(device, from, usable)) this.options.dial(device)
    }
    return kept
  }
}
