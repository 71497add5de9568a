/**
 * The network seam: what sync and pairing see of the transport. Peers are named by their device id
 * (hex of the Ed25519 public key that is also their libp2p PeerId); a protocol stream carries whole
 * frames (length-prefixed on the wire). Implementations: libp2p/ (TCP + Noise + yamux) and memory/
 * (in-process, for unit tests). Only network/libp2p/ imports libp2p.
 */
import type { EventEmitter } from 'node:events'

/** One protocol stream with an authenticated peer, carrying whole frames in order. */
export interface FrameStream {
  /** the remote device id, authenticated by the transport (Noise static key = device identity) */
  readonly remote: string
  /** The next frame; undefined once the remote closed its side cleanly. Throws on reset or an oversize frame. */
  read: () => Promise<Uint8Array | undefined>
  /** Sends one frame; resolves once the transport accepted it (waits while its buffer drains). */
  write: (frame: Uint8Array) => Promise<void>
  /** Closes our side gracefully (the remote's read() then returns undefined). */
  close: () => Promise<void>
  /** Resets the stream at once; pending reads and writes on both sides fail. */
  abort: (reason: Error) => void
}

export type StreamHandler = (stream: FrameStream) => void

export interface StreamOptions {
  /** frames larger than this are a protocol error (the stream is reset) */
  maxFrameBytes: number
  /** received bytes buffered beyond this reset the stream (the peer ignored flow control) */
  maxBufferBytes: number
}

/**
 * Which devices may connect at all (the connection gater). Called with the authenticated device id
 * for inbound connections and before dialling for outbound ones; false refuses the connection.
 * `relay` asks whether a relay (a backup peer) may serve that device a reservation or a circuit;
 * for a circuit it is asked about the source with the circuit's `target` device, then about the target.
 */
export type Gate = (deviceId: string, direction: 'inbound' | 'outbound' | 'relay', target?: string) => boolean

export interface NetworkEvents {
  /** the first connection to a device opened */
  'peer-connected': [deviceId: string]
  /** the last connection to a device closed */
  'peer-disconnected': [deviceId: string]
  /** local discovery (mDNS) saw a device at these addresses */
  'peer-discovered': [deviceId: string, addrs: string[]]
}

export interface NetworkAdapter extends EventEmitter<NetworkEvents> {
  /** this device's id */
  readonly deviceId: string
  /** this device's transport-level peer id (libp2p PeerId string) */
  readonly peerId: string
  /** The transport-level peer id of a device id. */
  peerIdOf: (deviceId: string) => string
  /** The device id of a transport-level peer id; throws for a peer id that is not an Ed25519 device. */
  deviceIdOf: (peerId: string) => string
  start: () => Promise<void>
  stop: () => Promise<void>
  /** addresses others can dial this device at (without the /p2p/ suffix) */
  multiaddrs: () => string[]
  /** Serves a protocol: the handler gets every inbound stream the gate admitted. */
  handle: (protocol: string, handler: StreamHandler, options: StreamOptions) => Promise<void>
  /** Opens a protocol stream to a device, dialling it at `addrs` when not already connected. */
  openStream: (deviceId: string, addrs: string[], protocol: string, options: StreamOptions & { timeoutMs?: number }) => Promise<FrameStream>
  isConnected: (deviceId: string) => boolean
  /** how a device is connected: directly, only through a relay (a backup peer), or not at all */
  connectionKind: (deviceId: string) => 'direct' | 'relayed' | null
  connectedDevices: () => string[]
  /** Closes every connection to a device. */
  disconnect: (deviceId: string) => Promise<void>
  /** Replaces the connection gate (roster devices plus an open invitation's peer). */
  setGate: (gate: Gate) => void
}

/** Named errors of the network layer. */
export class NetworkError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'NetworkError'
  }
}

/** A dial or stream open failed (unreachable, refused by the gate, wrong identity, timeout). */
export class DialFailedError extends NetworkError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'DialFailedError'
  }
}

/** The remote sent a frame over the size limit or overran its buffer. */
export class FrameLimitError extends NetworkError {
  constructor(message: string) {
    super(message)
    this.name = 'FrameLimitError'
  }
}
