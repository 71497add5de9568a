/**
 * A readable record of the sync frames two devices exchange, one line per frame as it is written:
 *
 *   laptop -> phone | HELLO v1 roster={laptop:1 phone:1}
 *   laptop -> phone | VAULT personal {laptop:3}
 *   laptop -> phone | ENVELOPES personal laptop#1..3
 *
 * Device and vault ids print as the names given with label(); other ids as their first 8 hex digits.
 * tracedStreamPair() connects two FrameStreams in memory (MemoryNetwork: queues, no sockets) and
 * traces both directions; traceNetwork() traces every stream of a NetworkAdapter a SyncEngine uses.
 */
import { strippedFields } from '../../../daemon/sync/nextEnvelope.js'
import { MemoryNetwork } from '../../../daemon/network/memory/MemoryNetwork.js'
import type { FrameStream, NetworkAdapter, StreamHandler, StreamOptions } from '../../../daemon/network/NetworkAdapter.js'
import {
  ByeReason,
  decodeMessage,
  decodePart,
  envelopeHeader,
  MAX_BUFFER_BYTES,
  MAX_FRAME_BYTES,
  MsgType,
  snapshotHeader,
  type Message,
  type SeqVector
} from '../../../daemon/sync/messages.js'

/** The stream limits SyncEngine asks the network for. */
export const STREAM_OPTIONS: StreamOptions = { maxFrameBytes: MAX_FRAME_BYTES + 64, maxBufferBytes: MAX_BUFFER_BYTES }

export interface TracedFrame {
  from: string
  to: string
  type: number
  bytes: number
  text: string
}

export class MessageTrace {
  readonly frames: TracedFrame[] = []
  private readonly labels = new Map<string, string>()

  /** Prints `id` (a device or vault id) as `name` from now on. */
  label(id: string, name: string): void {
    this.labels.set(id, name)
  }
  name(id: string): string {
    return this.labels.get(id) ?? id.slice(0, 8)
  }

  /** Records one frame written by `from` to `to`. */
  record(from: string, to: string, frame: Uint8Array): void {
    this.frames.push({ from: this.name(from), to: this.name(to), type: frame[0] ?? -1, bytes: frame.length, text: this.describe(frame) })
  }

  /** The trace as text, one `from -> to | MESSAGE …` line per frame; optionally one direction only. */
  lines(direction?: { from: string; to?: string }): string[] {
    return this.frames
      .filter(f => direction === undefined || (f.from === direction.from && (direction.to === undefined || f.to === direction.to)))
      .map(f => `${f.from} -> ${f.to} | ${f.text}`)
  }

  /** Like lines(), without the CREDIT frames (their timing depends on the scheduler). */
  messages(direction?: { from: string; to?: string }): string[] {
    return this.lines(direction).filter(l => !l.includes('| CREDIT '))
  }

  toString(): string {
    return this.lines().join('\n')
  }

  private vector(v: SeqVector): string {
    return `{${[...v]
      .map(([id, seq]) => `${this.name(id)}:${seq}`)
      .sort()
      .join(' ')}}`
  }

  /** `laptop#1..3 phone#7`: runs of consecutive seqs per author, in the order they were sent. */
  private runs(envelopes: Uint8Array[]): string {
    const out: Array<{ author: string; first: number; last: number }> = []
    for (const bytes of envelopes) {
      const h = envelopeHeader(bytes)
      const run = out.at(-1)
      if (run !== undefined && run.author === h.author && run.last + 1 === h.seq) run.last = h.seq
      else out.push({ author: h.author, first: h.seq, last: h.seq })
    }
    return out.map(r => `${this.name(r.author)}#${r.first}${r.last > r.first ? `..${r.last}` : ''}`).join(' ')
  }

  describeMessage(m: Message): string {
    switch (m.type) {
      case MsgType.Hello:
        return `HELLO v${m.version} ${m.addrs.length > 0 ? `addrs=${m.addrs.length} ` : ''}roster=${this.vector(m.roster)}`
      case MsgType.Roster:
        return `ROSTER ${m.records.length} record(s)`
      case MsgType.Grants:
        return `GRANTS ${m.grants.length}`
      case MsgType.Vault:
        return `VAULT ${this.name(m.vaultId)} ${this.vector(new Map(m.heads.map(h => [h.author, h.seq])))}${m.replyWanted ? ' reply-wanted' : ''}`
      case MsgType.Envelopes: {
        const vaults = [...new Set(m.envelopes.map(e => this.name(envelopeHeader(e).vaultId)))]
        return `ENVELOPES ${vaults.join(',')} ${this.runs(m.envelopes)}`
      }
      case MsgType.Snapshot: {
        const h = snapshotHeader(m.snapshot)
        return `SNAPSHOT ${this.name(h.vaultId)} by ${this.name(h.author)} ${this.vector(h.vector)}`
      }
      case MsgType.Credit:
        return `CREDIT ${m.bytes}`
      case MsgType.CaughtUp:
        return `CAUGHT_UP ${this.name(m.vaultId)}`
      case MsgType.Bye:
        return `BYE ${ByeReason[m.reason] ?? m.reason}${m.message === '' ? '' : ` "${m.message}"`}`
      case MsgType.Next: {
        const f = strippedFields(m.stripped, m.authorOmitted)
        if (f === undefined) return 'NEXT (malformed)'
        return `NEXT ${this.name(f.vaultId)} ${f.author === undefined ? 'sender' : this.name(f.author)}#${f.seq}`
      }
    }
  }

  /** One frame as text; a frame that does not decode prints as what it is (the peer may send anything). */
  describe(frame: Uint8Array): string {
    if (frame[0] === MsgType.Part && frame.length >= 10) {
      const p = decodePart(frame)
      return `PART ${MsgType[p.innerType]?.toUpperCase() ?? p.innerType} ${p.offset}+${p.slice.length}/${p.total}`
    }
    try {
      return this.describeMessage(decodeMessage(frame))
    } catch {
      return `UNDECODABLE ${frame.length} byte(s) type=0x${(frame[0] ?? 0).toString(16)}`
    }
  }
}

/** `stream` with every frame it writes recorded as `from -> stream.remote`. */
export function traceStream(stream: FrameStream, from: string, trace: MessageTrace): FrameStream {
  return {
    remote: stream.remote,
    read: async () => await stream.read(),
    write: async frame => {
      trace.record(from, stream.remote, frame)
      await stream.write(frame)
    },
    close: async () => {
      await stream.close()
    },
    abort: reason => {
      stream.abort(reason)
    }
  }
}

/** Two ends of one in-memory stream: `a` is a's end (its remote is b), and the reverse. */
export async function tracedStreamPair(
  a: string,
  b: string,
  trace: MessageTrace,
  options: StreamOptions = STREAM_OPTIONS
): Promise<{ a: FrameStream; b: FrameStream }> {
  const net = new MemoryNetwork()
  const nodeA = net.adapter(a)
  const nodeB = net.adapter(b)
  for (const node of [nodeA, nodeB]) {
    node.setGate(() => true)
    await node.start()
  }
  const inbound = new Promise<FrameStream>(resolve => {
    void nodeB.handle('/kith/test/1', resolve, options)
  })
  const outbound = await nodeA.openStream(b, [], '/kith/test/1', options)
  return { a: traceStream(outbound, a, trace), b: traceStream(await inbound, b, trace) }
}

/** The same adapter, with every stream it opens or accepts traced. */
export function traceNetwork(network: NetworkAdapter, trace: MessageTrace): NetworkAdapter {
  const self = network.deviceId
  return new Proxy(network, {
    get(target, prop, receiver) {
      if (prop === 'openStream') {
        return async (...args: Parameters<NetworkAdapter['openStream']>) => traceStream(await target.openStream(...args), self, trace)
      }
      if (prop === 'handle') {
        return async (protocol: string, handler: StreamHandler, options: StreamOptions) => {
          await target.handle(
            protocol,
            stream => {
              handler(traceStream(stream, self, trace))
            },
            options
          )
        }
      }
      const value: unknown = Reflect.get(target, prop, receiver)
      return typeof value === 'function' ? value.bind(target) : value
    }
  })
}
