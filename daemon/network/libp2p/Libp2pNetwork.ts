/**
 * The libp2p implementation of NetworkAdapter: TCP, Noise, yamux, identify, ping, and mDNS
 * discovery unless disabled. The PeerId is the device's Ed25519 identity, so the Noise handshake
 * authenticates device ids. The connection gater asks the Gate (roster devices, plus the peer of
 * an open invitation) at every stage where the remote PeerId is known.
 *
 * The polyfill import must stay first: libp2p 3 calls Promise.withResolvers at runtime, which
 * Node 20 lacks (every dial would fail with a misleading ECONNRESET). A test checks the order.
 */
import '../../polyfills.js'
import { EventEmitter } from 'node:events'
import { createLibp2p, type Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { mdns } from '@libp2p/mdns'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { dcutr } from '@libp2p/dcutr'
import { privateKeyFromRaw, publicKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey, peerIdFromString } from '@libp2p/peer-id'
import { lpStream, type LengthPrefixedStream } from '@libp2p/utils'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { PeerId, Stream } from '@libp2p/interface'
import {
  DialFailedError,
  FrameLimitError,
  NetworkError,
  type FrameStream,
  type Gate,
  type NetworkAdapter,
  type NetworkEvents,
  type StreamHandler,
  type StreamOptions
} from '../NetworkAdapter.js'
import type { Log } from '../../log.js'
import { idlePeerRouting } from './idlePeerRouting.js'
import { watchRelayReservation } from './relayWatchdog.js'
import { toError } from '../../toError.js'

export interface Libp2pNetworkOptions {
  /** the device identity: 32-byte Ed25519 seed and public key */
  seed: Uint8Array
  publicKey: Uint8Array
  /** listen multiaddrs (e.g. /ip4/127.0.0.1/tcp/0) */
  listen: string[]
  /** tried before `listen` (e.g. the ports bound last time, so peers that knew us find us again) */
  preferredListen?: string[]
  /** mDNS discovery on the LAN (multicast): off for tests */
  mdns: boolean
  /** mDNS service tag; peers with another tag never see each other */
  mdnsServiceTag?: string
  mdnsIntervalMs?: number
  /** addresses to announce instead of the bound ones (a backup peer behind a port forward or on a VPS) */
  announce?: string[]
  /**
   * Circuit relay v2 (issue 13): a device (`client`) can dial and listen through relays (its backup
   * peers) and tries DCUtR hole punching; a backup peer (`server`) relays for the gate's devices only,
   * within its own limits.
   */
  relay?: { role: 'client' } | { role: 'server'; limits: RelayLimits }
  log?: Log
}

/** What one relayed connection may carry before the backup peer closes it (the devices redial). */
export interface RelayLimits {
  durationMs: number
  dataBytes: number
}

/** How a device is connected: directly, only through a relay (a limited connection), or not at all. */
type ConnectionKind = 'direct' | 'relayed' | null

/** per address of a dial: a TCP handshake and the Noise upgrade take a few round trips, well under this even on a slow link */
const ADDRESS_DIAL_TIMEOUT_MS = 3_000

export const MDNS_SERVICE_TAG = '_kith._udp.local'

const toHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')

/** The libp2p PeerId (base58 string) of a device id (hex Ed25519 public key). */
export function peerIdOfDevice(deviceId: string): string {
  return peerIdFromPublicKey(publicKeyFromRaw(Uint8Array.from(Buffer.from(deviceId, 'hex')))).toString()
}

function deviceIdOfPeer(peer: PeerId): string | undefined {
  if (peer.type !== 'Ed25519' || peer.publicKey === undefined) return undefined
  return toHex(peer.publicKey.raw)
}

export class Libp2pNetwork extends EventEmitter<NetworkEvents> implements NetworkAdapter {
  readonly deviceId: string
  readonly peerId: string
  private node: Libp2p | undefined
  /** stops the relay watchdog (a device with a relay client) */
  private stopWatchdog: (() => void) | undefined
  private gate: Gate = () => false
  private readonly refusalsLogged = new Map<string, number>()
  private readonly log: NonNullable<Libp2pNetworkOptions['log']>

  constructor(private readonly options: Libp2pNetworkOptions) {
    super()
    this.deviceId = toHex(options.publicKey)
    this.peerId = peerIdOfDevice(this.deviceId)
    this.log = options.log ?? (() => {})
  }

  peerIdOf(deviceId: string): string {
    return peerIdOfDevice(deviceId)
  }

  deviceIdOf(peerId: string): string {
    const id = deviceIdOfPeer(peerIdFromString(peerId))
    if (id === undefined) throw new NetworkError(`${peerId} is not an Ed25519 peer id`)
    return id
  }

  setGate(gate: Gate): void {
    this.gate = gate
  }

  private denies(peer: PeerId, direction: 'inbound' | 'outbound' | 'relay', target?: PeerId): boolean {
    const deviceId = deviceIdOfPeer(peer)
    if (deviceId === undefined) return true
    const targetId = target === undefined ? undefined : deviceIdOfPeer(target)
    if (target !== undefined && targetId === undefined) return true
    const admitted = this.gate(deviceId, direction, targetId)
    if (!admitted) {
      // once a minute per device: a stranger retrying must not flood the log
      const last = this.refusalsLogged.get(deviceId) ?? 0
      if (Date.now() - last > 60_000) {
        if (this.refusalsLogged.size > 1000) this.refusalsLogged.clear()
        this.refusalsLogged.set(deviceId, Date.now())
        this.log('info', `network: refused ${direction} connection with ${deviceId.slice(0, 12)}… (not on the device roster)`)
      }
    }
    return !admitted
  }

  private async create(listen: string[]): Promise<Libp2p> {
    const key = privateKeyFromRaw(Uint8Array.from([...this.options.seed, ...this.options.publicKey]))
    const relay = this.options.relay
    const services = {
      identify: identify(),
      ping: ping(),
      ...(relay?.role === 'client' ? { dcutr: dcutr() } : {}),
      ...(relay?.role === 'server'
        ? {
            relay: circuitRelayServer({
              reservations: {
                maxReservations: 256,
                applyDefaultLimit: true,
                defaultDurationLimit: relay.limits.durationMs,
                defaultDataLimit: BigInt(relay.limits.dataBytes)
              }
            })
          }
        : {})
    }
    return await createLibp2p({
      privateKey: key,
      addresses: {
        listen: relay?.role === 'client' ? [...listen, '/p2p-circuit'] : listen,
        ...(this.options.announce === undefined || this.options.announce.length === 0 ? {} : { announce: this.options.announce })
      },
      transports: relay?.role === 'client' ? [tcp(), circuitRelayTransport({ reservationConcurrency: 2 })] : [tcp()],
      // the relay transport's search for relays must wait, not spin (idlePeerRouting.ts)
      peerRouters: relay?.role === 'client' ? [idlePeerRouting()] : [],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionGater: {
        denyDialPeer: peer => this.denies(peer, 'outbound'),
        denyInboundEncryptedConnection: peer => this.denies(peer, 'inbound'),
        denyOutboundEncryptedConnection: peer => this.denies(peer, 'outbound'),
        denyInboundUpgradedConnection: peer => this.denies(peer, 'inbound'),
        denyOutboundUpgradedConnection: peer => this.denies(peer, 'outbound'),
        // a relay serves reservations and circuits to the gate's devices only (never a stranger's)
        denyInboundRelayReservation: peer => this.denies(peer, 'relay'),
        // (a device's joiner, not on the roster yet, only to the inviter whose invitation it claimed: RelayedInvitations.ts)
        denyOutboundRelayedConnection: (source, target) => this.denies(source, 'relay', target) || this.denies(target, 'relay'),
        // a device accepts a relayed connection only from a device the gate admits
        denyInboundRelayedConnection: (_relay, remote) => this.denies(remote, 'inbound')
      },
      connectionManager: {
        // defaults (5 inbound connections per second per host) refuse quick reconnects and tests
        inboundConnectionThreshold: 100,
        maxIncomingPendingConnections: 50,
        dialTimeout: 10_000,
        // libp2p tries a peer's addresses one at a time, relayed ones last; a private address of
        // another network (the inviter's LAN, seen from behind another NAT) usually drops the SYN,
        // and libp2p's 6 s per address then delayed every relayed dial after it by 6 s
        addressDialTimeout: ADDRESS_DIAL_TIMEOUT_MS
      },
      peerDiscovery: this.options.mdns
        ? [mdns({ serviceTag: this.options.mdnsServiceTag ?? MDNS_SERVICE_TAG, interval: this.options.mdnsIntervalMs ?? 10_000 })]
        : [],
      services
    })
  }

  async start(): Promise<void> {
    if (this.node !== undefined) return
    let node: Libp2p | undefined
    if (this.options.preferredListen !== undefined && this.options.preferredListen.length > 0) {
      try {
        node = await this.create(this.options.preferredListen)
      } catch (err) {
        this.log(
          'info',
          `network: could not listen on ${this.options.preferredListen.join(', ')} (${toError(err).message}); using ${this.options.listen.join(', ')}`
        )
      }
    }
    node ??= await this.create(this.options.listen)
    this.node = node
    node.addEventListener('peer:connect', evt => {
      const id = deviceIdOfPeer(evt.detail)
      if (id !== undefined) this.emit('peer-connected', id)
    })
    node.addEventListener('peer:disconnect', evt => {
      const id = deviceIdOfPeer(evt.detail)
      if (id !== undefined) this.emit('peer-disconnected', id)
    })
    node.addEventListener('peer:discovery', evt => {
      const id = deviceIdOfPeer(evt.detail.id)
      if (id === undefined || id === this.deviceId) return
      this.emit('peer-discovered', id, evt.detail.multiaddrs.map(stripPeer))
    })
    if (this.options.relay?.role === 'client')
      this.stopWatchdog = watchRelayReservation(node, {
        log: m => this.log('info', m),
        // only a relay of this device's own (a joiner's inviter's relay refuses it a reservation, and must not be redialled)
        isOwnRelay: peer => {
          const id = deviceIdOfPeer(peer)
          return id !== undefined && this.gate(id, 'relay')
        }
      })
    this.log('info', `network: listening on ${this.multiaddrs().join(', ')}${this.options.mdns ? ' (mDNS on)' : ' (mDNS off)'}`)
  }

  async stop(): Promise<void> {
    this.stopWatchdog?.()
    this.stopWatchdog = undefined
    const node = this.node
    this.node = undefined
    if (node !== undefined) await node.stop()
  }

  private requireNode(): Libp2p {
    if (this.node === undefined) throw new NetworkError('the network is not started')
    return this.node
  }

  multiaddrs(): string[] {
    if (this.node === undefined) return []
    return this.node.getMultiaddrs().map(stripPeer)
  }

  async handle(protocol: string, handler: StreamHandler, options: StreamOptions): Promise<void> {
    await this.requireNode().handle(
      protocol,
      (stream, connection) => {
        const remote = deviceIdOfPeer(connection.remotePeer)
        if (remote === undefined) {
          stream.abort(new NetworkError('not a device'))
          return
        }
        handler(new Libp2pFrameStream(stream, remote, options))
      },
      // sync runs over relayed (limited) connections too, within the relay's limits
      { maxInboundStreams: 16, maxOutboundStreams: 16, runOnLimitedConnection: true }
    )
  }

  async openStream(
    deviceId: string,
    addrs: string[],
    protocol: string,
    options: StreamOptions & { timeoutMs?: number }
  ): Promise<FrameStream> {
    const node = this.requireNode()
    const peer = peerIdFromString(this.peerIdOf(deviceId))
    const connected = node.getConnections(peer).length > 0
    const targets: Multiaddr[] = []
    for (const a of addrs) {
      try {
        targets.push(multiaddr(stripPeer(a)).encapsulate(`/p2p/${peer.toString()}`))
      } catch {}
    }
    try {
      const stream = await node.dialProtocol(connected || targets.length === 0 ? peer : targets, protocol, {
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        runOnLimitedConnection: true
      })
      return new Libp2pFrameStream(stream, deviceId, options)
    } catch (err) {
      throw new DialFailedError(`dialling ${deviceId.slice(0, 12)}… failed (${toError(err).name}: ${toError(err).message})`, { cause: err })
    }
  }

  isConnected(deviceId: string): boolean {
    if (this.node === undefined) return false
    return this.node.getConnections(peerIdFromString(this.peerIdOf(deviceId))).length > 0
  }

  /** Direct when any open connection to the device is (a hole punched, a LAN), relayed when all go through a relay. */
  connectionKind(deviceId: string): ConnectionKind {
    if (this.node === undefined) return null
    const conns = this.node.getConnections(peerIdFromString(this.peerIdOf(deviceId))).filter(c => c.status === 'open')
    if (conns.length === 0) return null
    return conns.some(c => c.direct && c.limits === undefined && !c.remoteAddr.toString().includes('/p2p-circuit')) ? 'direct' : 'relayed'
  }

  connectedDevices(): string[] {
    if (this.node === undefined) return []
    const out = new Set<string>()
    for (const c of this.node.getConnections()) {
      const id = deviceIdOfPeer(c.remotePeer)
      if (id !== undefined) out.add(id)
    }
    return [...out]
  }

  async disconnect(deviceId: string): Promise<void> {
    if (this.node === undefined) return
    await this.node.hangUp(peerIdFromString(this.peerIdOf(deviceId))).catch(() => {})
  }
}

/**
 * Drops a trailing /p2p/<id> so stored addresses stay transport addresses; a relayed address keeps
 * its relay's id (`…/p2p/RELAY/p2p-circuit`).
 */
export function stripPeer(ma: Multiaddr | string): string {
  const s = ma.toString()
  const m = /\/p2p\/[^/]+$/.exec(s)
  if (m === null) return s
  const rest = s.slice(0, m.index)
  return rest.endsWith('/p2p-circuit') || !rest.includes('/p2p/') ? rest : rest.slice(0, rest.indexOf('/p2p/'))
}

/** A libp2p stream as length-prefixed frames (varint length • bytes). */
class Libp2pFrameStream implements FrameStream {
  private readonly lp: LengthPrefixedStream<Stream>

  constructor(
    private readonly stream: Stream,
    readonly remote: string,
    options: StreamOptions
  ) {
    this.lp = lpStream(stream, { maxDataLength: options.maxFrameBytes, maxBufferSize: options.maxBufferBytes })
  }

  async read(): Promise<Uint8Array | undefined> {
    try {
      const list = await this.lp.read()
      // one copy, into bytes of the frame's own (never a view into a transport buffer it would keep alive)
      const frame = new Uint8Array(list.byteLength)
      let offset = 0
      for (const piece of list) {
        frame.set(piece, offset)
        offset += piece.byteLength
      }
      return frame
    } catch (err) {
      const name = toError(err).name
      if (name === 'UnexpectedEOFError') return undefined
      if (name === 'InvalidDataLengthError' || name === 'InvalidDataLengthLengthError') {
        this.stream.abort(toError(err))
        throw new FrameLimitError(`frame over the size limit (${toError(err).message})`)
      }
      if (name === 'StreamBufferError') throw new FrameLimitError('the peer overran the receive buffer (ignored flow control)')
      throw err instanceof Error ? err : new NetworkError(`stream failed: ${String((err as { type?: string })?.type ?? err)}`)
    }
  }

  async write(frame: Uint8Array): Promise<void> {
    try {
      await this.lp.write(frame)
    } catch (err) {
      throw err instanceof Error ? err : new NetworkError(`stream reset: ${String((err as { type?: string })?.type ?? err)}`)
    }
  }

  async close(): Promise<void> {
    try {
      await this.stream.close()
    } catch {
      this.stream.abort(new NetworkError('close failed'))
    }
  }

  abort(reason: Error): void {
    this.stream.abort(reason)
  }
}
