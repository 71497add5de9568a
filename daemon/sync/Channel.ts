/**
 * A message channel over one FrameStream with credit-based flow control, because libp2p's
 * length-prefixed reader has no backpressure: it buffers what arrives and resets the stream past
 * its limit (stack-spike.md §2.8). Each side may send INITIAL_WINDOW bytes of frames, then waits
 * for CREDIT; the receiver returns credit as it processes frames. CREDIT and BYE frames travel in
 * a priority lane and are not counted, so neither side can block the other's credit.
 *
 * Messages larger than a frame are cut into PART frames and reassembled (up to MAX_MESSAGE_BYTES).
 */
import type { FrameStream } from '../network/NetworkAdapter.js'
import {
  ByeReason,
  decodeMessage,
  decodePart,
  encodeMessage,
  encodePart,
  INITIAL_WINDOW,
  MAX_FRAME_BYTES,
  MAX_MESSAGE_BYTES,
  MsgType,
  ProtocolError,
  type Message
} from './messages.js'
import { toError } from '../toError.js'

const PART_HEADER = 10

export interface Received {
  message: Message
  bytes: number
}

export class Channel {
  private credit = INITIAL_WINDOW
  private readonly queue: Uint8Array[] = []
  private readonly urgent: Uint8Array[] = []
  private queuedBytes = 0
  private writing = false
  private wakeWriter: (() => void) | undefined
  private readonly roomWaiters: Array<() => void> = []
  private consumed = 0
  private assembly: { buf: Uint8Array; filled: number } | undefined
  private closed = false
  /** the first write or read failure */
  error: Error | undefined
  /** frame bytes written and read (application level, before Noise and yamux) */
  bytesOut = 0
  bytesIn = 0

  constructor(
    readonly stream: FrameStream,
    private readonly highWater = 1024 * 1024
  ) {}

  get isClosed(): boolean {
    return this.closed
  }

  /** Queues a message; never waits (callers that send a lot await waitForRoom()). */
  send(m: Message): void {
    if (this.closed) return
    const bytes = encodeMessage(m)
    if (m.type === MsgType.Credit || m.type === MsgType.Bye) {
      this.urgent.push(bytes)
      this.kick()
      return
    }
    if (bytes.length <= MAX_FRAME_BYTES) {
      this.enqueue(bytes)
    } else {
      const body = bytes.subarray(1)
      const step = MAX_FRAME_BYTES - PART_HEADER
      for (let off = 0; off < body.length; off += step) this.enqueue(encodePart(m.type, body.length, off, body.subarray(off, off + step)))
    }
  }

  private enqueue(frame: Uint8Array): void {
    this.queue.push(frame)
    this.queuedBytes += frame.length
    this.kick()
  }

  private kick(): void {
    const wake = this.wakeWriter
    this.wakeWriter = undefined
    wake?.()
    if (!this.writing) void this.writeLoop()
  }

  /** Bytes queued but not yet written. */
  get backlog(): number {
    return this.queuedBytes
  }

  /** Resolves once the queue is below the high-water mark (or the channel closed). */
  async waitForRoom(): Promise<void> {
    while (!this.closed && this.queuedBytes >= this.highWater) {
      await new Promise<void>(resolve => this.roomWaiters.push(resolve))
    }
  }

  private wakeRoom(): void {
    if (this.queuedBytes >= this.highWater && !this.closed) return
    for (const w of this.roomWaiters.splice(0)) w()
  }

  private async writeLoop(): Promise<void> {
    this.writing = true
    try {
      while (!this.closed || this.urgent.length > 0) {
        const urgent = this.urgent.shift()
        if (urgent !== undefined) {
          this.bytesOut += urgent.length
          await this.stream.write(urgent)
          continue
        }
        if (this.closed) break
        const head = this.queue[0]
        if (head === undefined) break
        if (head.length > this.credit) {
          await new Promise<void>(resolve => {
            this.wakeWriter = resolve
          })
          continue
        }
        this.credit -= head.length
        this.queue.shift()
        this.bytesOut += head.length
        await this.stream.write(head)
        this.queuedBytes -= head.length
        this.wakeRoom()
      }
    } catch (err) {
      this.fail(toError(err))
    } finally {
      this.writing = false
    }
    if (!this.closed && (this.urgent.length > 0 || (this.queue.length > 0 && (this.queue[0]?.length ?? 0) <= this.credit)))
      void this.writeLoop()
  }

  /** Records that a received message was handled: its bytes count toward the credit we return. */
  processed(bytes: number): void {
    this.consumed += bytes
    if (this.consumed >= INITIAL_WINDOW / 4) {
      const n = this.consumed
      this.consumed = 0
      this.send({ type: MsgType.Credit, bytes: n })
    }
  }

  /** The next message (CREDIT is handled here; PART frames are reassembled), or undefined at a clean end. */
  async next(): Promise<Received | undefined> {
    while (true) {
      let frame: Uint8Array | undefined
      try {
        frame = await this.stream.read()
      } catch (err) {
        this.fail(toError(err))
        throw err
      }
      if (frame === undefined) {
        if (this.assembly !== undefined) throw new ProtocolError('the stream ended inside a multi-frame message')
        return undefined
      }
      this.bytesIn += frame.length
      if (frame.length === 0) throw new ProtocolError('empty frame')
      if (frame[0] === MsgType.Part) {
        const message = this.reassemble(frame)
        this.processed(frame.length)
        if (message !== undefined) return { message, bytes: 0 }
        continue
      }
      if (this.assembly !== undefined) throw new ProtocolError('a frame interrupted a multi-frame message')
      const message = decodeMessage(frame)
      if (message.type === MsgType.Credit) {
        this.credit = Math.min(this.credit + message.bytes, 1 << 30)
        this.kick()
        continue
      }
      return { message, bytes: message.type === MsgType.Bye ? 0 : frame.length }
    }
  }

  private reassemble(frame: Uint8Array): Message | undefined {
    const part = decodePart(frame)
    if (part.innerType === MsgType.Part || part.innerType === MsgType.Credit || part.innerType === MsgType.Bye)
      throw new ProtocolError('PART of a control message')
    if (part.total > MAX_MESSAGE_BYTES)
      throw new ProtocolError(`a message of ${part.total} bytes exceeds the ${MAX_MESSAGE_BYTES}-byte limit`)
    let a = this.assembly
    if (a === undefined) {
      if (part.offset !== 0) throw new ProtocolError('PART sequence does not start at 0')
      a = { buf: new Uint8Array(1 + part.total), filled: 0 }
      a.buf[0] = part.innerType
      this.assembly = a
    }
    if (a.buf[0] !== part.innerType || a.buf.length !== 1 + part.total || part.offset !== a.filled)
      throw new ProtocolError('PART frames out of order')
    if (a.filled + part.slice.length > part.total) throw new ProtocolError('PART frames overrun their total')
    a.buf.set(part.slice, 1 + a.filled)
    a.filled += part.slice.length
    if (a.filled < part.total) return undefined
    this.assembly = undefined
    return decodeMessage(a.buf)
  }

  private fail(err: Error): void {
    this.error ??= err
    this.closed = true
    this.wakeWriter?.()
    for (const w of this.roomWaiters.splice(0)) w()
  }

  /** Sends BYE and closes our side; pending data is dropped (it is all resent at the next session). */
  async close(reason: ByeReason, message = ''): Promise<void> {
    if (this.closed) return
    this.queue.length = 0
    this.queuedBytes = 0
    this.send({ type: MsgType.Bye, reason, message })
    const deadline = Date.now() + 1000
    while (this.urgent.length > 0 && this.error === undefined && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 5))
    this.closed = true
    this.wakeWriter?.()
    for (const w of this.roomWaiters.splice(0)) w()
    if (reason === ByeReason.ProtocolError) this.stream.abort(new ProtocolError(message))
    else await this.stream.close().catch(() => {})
  }

  /** Resets the stream without a goodbye. */
  abort(err: Error): void {
    this.fail(err)
    this.stream.abort(err)
  }
}
