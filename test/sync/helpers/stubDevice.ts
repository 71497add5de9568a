/**
 * A device reduced to what sync sees of it (stub ports, a log): two of them joined by one
 * SyncSession each over a traced in-memory stream, or each running a SyncEngine on a MemoryNetwork.
 * Nothing here opens a socket or touches disk.
 */
import { SyncSession, type SessionContext } from '../../../daemon/sync/SyncSession.js'
import { SyncEngine } from '../../../daemon/sync/SyncEngine.js'
import { PeerBook } from '../../../daemon/sync/PeerBook.js'
import { MemoryStorageAdapter } from '../../../daemon/storage/MemoryStorageAdapter.js'
import type { MemoryNetwork, MemoryNetworkAdapter } from '../../../daemon/network/memory/MemoryNetwork.js'
import type { FrameStream } from '../../../daemon/network/NetworkAdapter.js'
import { decodeMessage, encodeMessage, type Message } from '../../../daemon/sync/messages.js'
import { deviceIdFor, StubGrants, StubRoster, StubVaults, type StubReplica } from './stubPorts.js'
import { traceNetwork, tracedStreamPair, type MessageTrace } from './messageTrace.js'

export interface LogLine {
  level: string
  message: string
}

export class StubDevice {
  readonly id: string
  readonly vaults = new StubVaults()
  readonly grants = new StubGrants()
  readonly roster: StubRoster
  readonly logs: LogLine[] = []
  /** vaults each peer said it finished sending */
  readonly caughtUp: Array<{ peer: string; vaultId: string }> = []

  constructor(
    readonly name: string,
    members: string[],
    trace: MessageTrace
  ) {
    this.id = deviceIdFor(name)
    this.roster = new StubRoster(members.map(deviceIdFor))
    trace.label(this.id, name)
  }

  /** What SyncSession needs from the engine, answered by this device. */
  context(overrides: Partial<SessionContext> = {}): SessionContext {
    return {
      self: this.id,
      vaults: this.vaults,
      roster: this.roster,
      grants: this.grants,
      addrs: () => [],
      log: (level, message) => {
        this.logs.push({ level, message })
      },
      onHello: () => true,
      onCaughtUp: (session, vaultId) => {
        this.caughtUp.push({ peer: session.peer, vaultId })
      },
      onVaultAdvanced: () => {},
      ...overrides
    }
  }

  warnings(): string[] {
    return this.logs.filter(l => l.level === 'warn').map(l => l.message)
  }
}

export interface SessionPair {
  a: SyncSession
  b: SyncSession
  /** resolves once both sessions ended */
  ended: Promise<void>
}

/** Runs one session on each device over a fresh traced stream (`a` dialled `b`). */
export async function connectSessions(a: StubDevice, b: StubDevice, trace: MessageTrace): Promise<SessionPair> {
  const streams = await tracedStreamPair(a.id, b.id, trace)
  const sa = new SyncSession(streams.a, a.id, a.context())
  const sb = new SyncSession(streams.b, a.id, b.context())
  const ended = Promise.all([sa.run(), sb.run()]).then(() => {})
  return { a: sa, b: sb, ended }
}

/** The far end of a stream driven by hand: it sends whatever bytes a test wants, valid or not. */
export class RawPeer {
  constructor(readonly stream: FrameStream) {}
  async send(m: Message): Promise<void> {
    await this.stream.write(encodeMessage(m))
  }
  async sendBytes(frame: Uint8Array): Promise<void> {
    await this.stream.write(frame)
  }
  /** The next whole message (undefined at the end of the stream). */
  async next(): Promise<Message | undefined> {
    const frame = await this.stream.read()
    return frame === undefined ? undefined : decodeMessage(frame)
  }
}

/** Polls until `check` holds; throws naming `what` after the timeout. */
export async function until(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`)
    await new Promise(resolve => setTimeout(resolve, 2))
  }
}

/** A StubDevice with a SyncEngine on a MemoryNetwork; every stream it opens or accepts is traced. */
export class EngineDevice extends StubDevice {
  readonly network: MemoryNetworkAdapter
  readonly engine: SyncEngine

  constructor(name: string, members: string[], net: MemoryNetwork, trace: MessageTrace) {
    super(name, members, trace)
    this.network = net.adapter(this.id)
    this.network.setGate(() => true)
    this.engine = new SyncEngine({
      network: traceNetwork(this.network, trace),
      vaults: this.vaults,
      roster: this.roster,
      grants: this.grants,
      peers: new PeerBook(new MemoryStorageAdapter()),
      log: (level, message) => {
        this.logs.push({ level, message })
      },
      backoff: { initialMs: 10, maxMs: 50 }
    })
  }

  /** Adds a vault whose accepted envelopes are relayed by the engine, as the composition root wires it. */
  addVault(vaultId: string): StubReplica {
    const replica = this.vaults.add(vaultId)
    replica.onEnvelope = (author, seq, bytes) => {
      this.engine.onEnvelope(vaultId, author, seq, bytes)
    }
    return replica
  }

  /** Writes `count` envelopes of its own and offers them to every session, as a local edit does. */
  write(vaultId: string, count: number): void {
    const replica = this.vaults.get(vaultId)
    if (replica === undefined) throw new Error(`${this.name} holds no vault ${vaultId}`)
    for (let i = 0; i < count; i++) {
      const [bytes] = replica.append(this.id, 1)
      this.engine.onEnvelope(vaultId, this.id, replica.vector().get(this.id) ?? 0, bytes as Uint8Array)
    }
  }

  async start(): Promise<void> {
    await this.network.start()
    await this.engine.start()
  }

  async stop(): Promise<void> {
    await this.engine.stop()
    await this.network.stop()
  }
}
