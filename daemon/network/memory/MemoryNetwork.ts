/**
 * An in-process NetworkAdapter for unit tests: devices on one MemoryNetwork connect through queues
 * instead of sockets. It keeps the contract that matters to sync and pairing: the gate is asked on
 * both sides, frames arrive whole and in order, oversize frames and buffer overruns reset the
 * stream, and partitions close connections and refuse dials.
 */
import { EventEmitter } from 'node:events'
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

const pairKey = (a: string, b: string): string => (a < b ? `${a}|${b}` : `${b}|${a}`)

export class MemoryNetwork {
  private readonly nodes = new Map<string, MemoryNetworkAdapter>()
  private readonly cuts = new Set<string>()
  /** bytes carried by every stream (frame bodies plus a 4-byte length each) */
  bytes = 0

  /** A new adapter for a device on this network. */
  adapter(deviceId: string): MemoryNetworkAdapter {
    return new MemoryNetworkAdapter(this, deviceId)
  }

  /** @internal */
  register(node: MemoryNetworkAdapter): void {
    this.nodes.set(node.deviceId, node)
  }
  /** @internal */
  unregister(node: MemoryNetworkAdapter): void {
    if (this.nodes.get(node.deviceId) === node) this.nodes.delete(node.deviceId)
  }
  /** @internal */
  find(deviceId: string): MemoryNetworkAdapter | undefined {
    return this.nodes.get(deviceId)
  }

  reachable(a: string, b: string): boolean {
    return !this.cuts.has(pairKey(a, b))
  }

  /** Cuts the link between two devices: their connections close and dials fail until heal(). */
  async partition(a: string, b: string): Promise<void> {
    this.cuts.add(pairKey(a, b))
    await this.nodes.get(a)?.disconnect(b)
  }

  heal(a: string, b: string): void {
    this.cuts.delete(pairKey(a, b))
  }
}

interface Connection {
  streams: Set<MemoryFrameStream>
}

export class MemoryNetworkAdapter extends EventEmitter<NetworkEvents> implements NetworkAdapter {
  readonly peerId: string
  private started = false
  private gate: Gate = () => false
  private readonly handlers = new Map<string, { handler: StreamHandler; options: StreamOptions }>()
  /** @internal */
  readonly connections = new Map<string, Connection>()

  constructor(
    private readonly net: MemoryNetwork,
    readonly deviceId: string
  ) {
    super()
    this.peerId = `mem-${deviceId}`
  }

  peerIdOf(deviceId: string): string {
    return `mem-${deviceId}`
  }
  deviceIdOf(peerId: string): string {
    if (!peerId.startsWith('mem-')) throw new NetworkError(`${peerId} is not a memory peer id`)
    return peerId.slice(4)
  }

  setGate(gate: Gate): void {
    this.gate = gate
  }
  /** @internal */
  admits(deviceId: string, direction: 'inbound' | 'outbound'): boolean {
    return this.gate(deviceId, direction)
  }

  async start(): Promise<void> {
    this.started = true
    this.net.register(this)
  }

  async stop(): Promise<void> {
    for (const id of [...this.connections.keys()]) await this.disconnect(id)
    this.started = false
    this.net.unregister(this)
  }

  multiaddrs(): string[] {
    return this.started ? [`/memory/${this.deviceId}`] : []
  }

  async handle(protocol: string, handler: StreamHandler, options: StreamOptions): Promise<void> {
    this.handlers.set(protocol, { handler, options })
  }

  /** @internal */
  handlerFor(protocol: string): { handler: StreamHandler; options: StreamOptions } | undefined {
    return this.handlers.get(protocol)
  }

  private connect(target: MemoryNetworkAdapter): Connection {
    let conn = this.connections.get(target.deviceId)
    if (conn !== undefined) return conn
    if (!this.admits(target.deviceId, 'outbound')) throw new DialFailedError('the dial is blocked by the connection gate')
    if (!target.admits(this.deviceId, 'inbound')) throw new DialFailedError('the remote refused the connection (not on its roster)')
    conn = { streams: new Set() }
    const theirs: Connection = { streams: conn.streams }
    this.connections.set(target.deviceId, conn)
    target.connections.set(this.deviceId, theirs)
    this.emit('peer-connected', target.deviceId)
    target.emit('peer-connected', this.deviceId)
    return conn
  }

  async openStream(
    deviceId: string,
    _addrs: string[],
    protocol: string,
    options: StreamOptions & { timeoutMs?: number }
  ): Promise<FrameStream> {
    await Promise.resolve()
    if (!this.started) throw new NetworkError('the network is not started')
    const target = this.net.find(deviceId)
    if (target === undefined || !target.started || !this.net.reachable(this.deviceId, deviceId))
      throw new DialFailedError(`${deviceId.slice(0, 12)}… is unreachable`)
    const conn = this.connect(target)
    const served = target.handlerFor(protocol)
    if (served === undefined) throw new DialFailedError(`protocol ${protocol} is not supported by ${deviceId.slice(0, 12)}…`)
    const mine = new MemoryFrameStream(deviceId, options, this.net)
    const theirs = new MemoryFrameStream(this.deviceId, served.options, this.net)
    mine.peer = theirs
    theirs.peer = mine
    conn.streams.add(mine)
    conn.streams.add(theirs)
    const forget = (): void => {
      conn.streams.delete(mine)
      conn.streams.delete(theirs)
    }
    mine.onEnd = forget
    theirs.onEnd = forget
    queueMicrotask(() => served.handler(theirs))
    return mine
  }

  connectionKind(deviceId: string): 'direct' | null {
    return this.isConnected(deviceId) ? 'direct' : null
  }

  isConnected(deviceId: string): boolean {
    return this.connections.has(deviceId)
  }
  connectedDevices(): string[] {
    return [...this.connections.keys()]
  }

  async disconnect(deviceId: string): Promise<void> {
    const conn = this.connections.get(deviceId)
    if (conn === undefined) return
    const other = this.net.find(deviceId)
    this.connections.delete(deviceId)
    other?.connections.delete(this.deviceId)
    for (const s of [...conn.streams]) s.abort(new NetworkError('connection closed'))
    this.emit('peer-disconnected', deviceId)
    other?.emit('peer-disconnected', this.deviceId)
  }
}

/** One side of an in-memory stream: a queue of frames written by the other side. */
class MemoryFrameStream implements FrameStream {
  peer: MemoryFrameStream | undefined
  onEnd: (() => void) | undefined
  private readonly queue: Uint8Array[] = []
  private buffered = 0
  private remoteClosed = false
  private localClosed = false
  private error: Error | undefined
  private waiter: (() => void) | undefined

  constructor(
    readonly remote: string,
    private readonly options: StreamOptions,
    private readonly net: MemoryNetwork
  ) {}

  private wake(): void {
    const w = this.waiter
    this.waiter = undefined
    w?.()
  }

  /** @internal: a frame from the other side */
  deliver(frame: Uint8Array): void {
    if (this.error !== undefined) return
    if (frame.length > this.options.maxFrameBytes) {
      this.fail(new FrameLimitError(`frame over the limit: ${frame.length} > ${this.options.maxFrameBytes}`))
      this.peer?.fail(new NetworkError('stream reset by the remote'))
      return
    }
    if (this.buffered + frame.length > this.options.maxBufferBytes) {
      this.fail(new FrameLimitError('the peer overran the receive buffer (ignored flow control)'))
      this.peer?.fail(new NetworkError('stream reset by the remote'))
      return
    }
    this.queue.push(frame)
    this.buffered += frame.length
    this.wake()
  }

  /** @internal */
  remoteClose(): void {
    this.remoteClosed = true
    this.wake()
    this.maybeEnd()
  }

  /** @internal */
  fail(err: Error): void {
    if (this.error !== undefined) return
    this.error = err
    this.wake()
    this.onEnd?.()
  }

  private maybeEnd(): void {
    if (this.remoteClosed && this.localClosed) this.onEnd?.()
  }

  async read(): Promise<Uint8Array | undefined> {
    while (true) {
      if (this.error !== undefined) throw this.error
      const next = this.queue.shift()
      if (next !== undefined) {
        this.buffered -= next.length
        return next
      }
      if (this.remoteClosed) return undefined
      await new Promise<void>(resolve => {
        this.waiter = resolve
      })
    }
  }

  async write(frame: Uint8Array): Promise<void> {
    if (this.error !== undefined) throw this.error
    if (this.localClosed) throw new NetworkError('the stream is closed for writing')
    const copy = Uint8Array.from(frame)
    this.net.bytes += copy.length + 4
    await Promise.resolve()
    this.peer?.deliver(copy)
  }

  async close(): Promise<void> {
    if (this.localClosed) return
    this.localClosed = true
    await Promise.resolve()
    this.peer?.remoteClose()
    this.maybeEnd()
  }

  abort(reason: Error): void {
    this.fail(reason)
    this.peer?.fail(new NetworkError(`stream reset by the remote: ${reason.message}`))
  }
}
