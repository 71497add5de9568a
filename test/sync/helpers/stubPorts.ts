/**
 * Stand-ins for the ports sync uses (daemon/sync/ports.ts), with no crypto and no storage: a
 * replica that holds envelope and snapshot bytes with the real routing headers, a roster of
 * (author, seq) records, and grants as opaque bytes. They keep the rules sync relies on — a
 * replica accepts only the next seq of an author, a snapshot raises its vector — so a session
 * that sends out of order fails here as it would against VaultReplica.
 */
import { createHash } from 'node:crypto'
import { BinaryWriter } from '../../../daemon/codec/BinaryWriter.js'
import { RejectedEnvelopeError } from '../../../daemon/replica/errors.js'
import { envelopeHeader, snapshotHeader, type SeqVector } from '../../../daemon/sync/messages.js'
import type { GrantsPort, ReplicaPort, RosterPort, VaultsPort } from '../../../daemon/sync/ports.js'
import type { SignedHead } from '../../../daemon/codec/SignedHead.js'

const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'))
const hash = (s: string): string => createHash('sha256').update(s).digest('hex')

/** A stable 32-byte device id (hex) for a name. */
export const deviceIdFor = (name: string): string => hash(`device:${name}`)
/** A stable 16-byte vault id (hex) for a name. */
export const vaultIdFor = (name: string): string => hash(`vault:${name}`).slice(0, 32)

/** Room after a header for the 24-byte nonce the record formats put there (left zero here). */
const NONCE_ROOM = 24

/** Envelope bytes with the real header (replica/Envelope.ts): u8 1 • u8 kind 1 • vaultId • u32 epoch • author • u32 seq • nonce • filler. */
export function fakeEnvelope(vaultId: string, author: string, seq: number, size = 128): Uint8Array {
  const head = new BinaryWriter().u8(1).u8(1).raw(unhex(vaultId)).u32(0).raw(unhex(author)).u32(seq).finish()
  const out = new Uint8Array(Math.max(size, head.length + NONCE_ROOM))
  out.set(head)
  return out
}

/** Snapshot bytes with the real header (replica/Snapshot.ts): u8 1 • u8 kind 2 • vaultId • u32 epoch • author • vector • nonce • filler. */
export function fakeSnapshot(vaultId: string, author: string, vector: SeqVector, size = 200): Uint8Array {
  const w = new BinaryWriter().u8(1).u8(2).raw(unhex(vaultId)).u32(0).raw(unhex(author)).u32(vector.size)
  for (const [id, seq] of [...vector].sort(([x], [y]) => (x < y ? -1 : 1))) w.raw(unhex(id)).u32(seq)
  const head = w.finish()
  const out = new Uint8Array(Math.max(size, head.length + NONCE_ROOM))
  out.set(head)
  return out
}

export class StubReplica implements ReplicaPort {
  private readonly held = new Map<string, number>()
  private readonly stored = new Map<string, Map<number, Uint8Array>>()
  private readonly snaps: Uint8Array[] = []
  /** every envelope accepted from a peer, in arrival order */
  readonly received: Array<{ author: string; seq: number }> = []
  /** while set, receive() waits for it: a slow disk, so the session stops consuming */
  gate: Promise<void> | undefined
  /** called for each envelope this replica accepts (SyncEngine.onEnvelope, for live relay) */
  onEnvelope: ((author: string, seq: number, bytes: Uint8Array) => void) | undefined

  constructor(readonly vaultId: string) {}

  vector(): SeqVector {
    return new Map(this.held)
  }

  /** Heads with zero hashes and signatures: sync only routes by their author and seq. */
  heads(): SignedHead[] {
    const zero = new Uint8Array(32)
    return [...this.held].map(([author, seq]) => ({ author, seq, prevHash: zero, hash: zero, signature: new Uint8Array(64) }))
  }

  tip(author: string): SignedHead | undefined {
    return this.heads().find(h => h.author === author)
  }

  /** every head list a peer sent (VAULT) */
  readonly comparedHeads: SignedHead[][] = []
  async compareHeads(heads: SignedHead[]): Promise<void> {
    this.comparedHeads.push(heads)
  }

  /** Writes this device's (or any author's) next envelopes locally; returns their bytes. */
  append(author: string, count: number, size?: number): Uint8Array[] {
    const out: Uint8Array[] = []
    for (let i = 0; i < count; i++) {
      const seq = (this.held.get(author) ?? 0) + 1
      const bytes = fakeEnvelope(this.vaultId, author, seq, size)
      this.store(author, seq, bytes)
      out.push(bytes)
    }
    return out
  }

  private store(author: string, seq: number, bytes: Uint8Array): void {
    let log = this.stored.get(author)
    if (log === undefined) {
      log = new Map()
      this.stored.set(author, log)
    }
    log.set(seq, bytes)
    this.held.set(author, seq)
  }

  /** Compaction: keeps a snapshot of everything held, drops the envelopes it covers up to `through`. */
  compact(snapshotAuthor: string, through: SeqVector): void {
    this.snaps.splice(0, this.snaps.length, ...this.snaps.filter(s => snapshotHeader(s).author !== snapshotAuthor))
    this.snaps.push(fakeSnapshot(this.vaultId, snapshotAuthor, through))
    for (const [author, seq] of through)
      for (const s of [...(this.stored.get(author)?.keys() ?? [])]) if (s <= seq) this.stored.get(author)?.delete(s)
  }

  async envelopesAfter(author: string, seq: number, limit = Infinity): Promise<Uint8Array[]> {
    const log = this.stored.get(author) ?? new Map<number, Uint8Array>()
    return [...log.keys()]
      .filter(s => s > seq)
      .sort((x, y) => x - y)
      .slice(0, limit)
      .map(s => log.get(s) as Uint8Array)
  }

  async firstEnvelopeSeq(author: string): Promise<number | undefined> {
    const seqs = [...(this.stored.get(author)?.keys() ?? [])]
    return seqs.length === 0 ? undefined : Math.min(...seqs)
  }

  async snapshots(): Promise<Uint8Array[]> {
    return [...this.snaps]
  }

  async receive(bytes: Uint8Array): Promise<boolean> {
    await this.gate
    const h = envelopeHeader(bytes)
    if (h.vaultId !== this.vaultId) throw new RejectedEnvelopeError('another vault')
    const have = this.held.get(h.author) ?? 0
    if (h.seq <= have) return false
    if (h.seq !== have + 1) throw new RejectedEnvelopeError(`seq ${h.seq} skips ahead of ${have}`)
    this.store(h.author, h.seq, bytes)
    this.received.push({ author: h.author, seq: h.seq })
    this.onEnvelope?.(h.author, h.seq, bytes)
    return true
  }

  /** Keeps a held snapshot of the same author that covers more (as VaultReplica does): false then. */
  async receiveSnapshot(bytes: Uint8Array): Promise<boolean> {
    const h = snapshotHeader(bytes)
    const held = this.snaps.map(snapshotHeader).find(x => x.author === h.author)
    if (held !== undefined && [...held.vector].some(([author, seq]) => seq > (h.vector.get(author) ?? 0))) return false
    this.snaps.splice(0, this.snaps.length, ...this.snaps.filter(s => snapshotHeader(s).author !== h.author), bytes)
    for (const [author, seq] of h.vector) if (seq > (this.held.get(author) ?? 0)) this.held.set(author, seq)
    return true
  }
}

export class StubVaults implements VaultsPort {
  private readonly replicas = new Map<string, StubReplica>()
  add(vaultId: string): StubReplica {
    const r = new StubReplica(vaultId)
    this.replicas.set(vaultId, r)
    return r
  }

  get(vaultId: string): StubReplica | undefined {
    return this.replicas.get(vaultId)
  }
  all(): StubReplica[] {
    return [...this.replicas.values()]
  }
}

/** A roster record here is just `author(32) • u32 seq`; every device starts with its own record 1. */
export class StubRoster implements RosterPort {
  private readonly records = new Map<string, number>()
  readonly removed = new Map<string, Map<string, number>>()
  /** every record received from a peer, accepted or not */
  readonly received: Array<{ author: string; seq: number; from: string }> = []

  constructor(members: string[]) {
    for (const m of members) this.records.set(m, 1)
  }

  members(): string[] {
    return [...this.records.keys()].filter(m => !this.removed.has(m))
  }
  vector(): SeqVector {
    return new Map(this.records)
  }
  isMember(deviceId: string): boolean {
    return this.records.has(deviceId) && !this.removed.has(deviceId)
  }

  /** Adds a record by `author` (a new device, or a change to one). */
  write(author: string): Uint8Array {
    const seq = (this.records.get(author) ?? 0) + 1
    this.records.set(author, seq)
    return new BinaryWriter().raw(unhex(author)).u32(seq).finish()
  }

  /** Marks a device removed; its envelopes in `vaultId` are accepted up to `bound`. */
  remove(deviceId: string, vaultId: string, bound: number): void {
    this.removed.set(deviceId, new Map([[vaultId, bound]]))
  }

  recordsAfter(vector: SeqVector): Uint8Array[] {
    const out: Uint8Array[] = []
    for (const [author, seq] of [...this.records].sort(([x], [y]) => (x < y ? -1 : 1))) {
      for (let s = (vector.get(author) ?? 0) + 1; s <= seq; s++) out.push(new BinaryWriter().raw(unhex(author)).u32(s).finish())
    }
    return out
  }

  async receive(records: Uint8Array[], from: string): Promise<{ accepted: number; rejected: number }> {
    let accepted = 0
    for (const r of records) {
      const author = Buffer.from(r.subarray(0, 32)).toString('hex')
      const seq = new DataView(r.buffer, r.byteOffset + 32, 4).getUint32(0)
      if (seq === (this.records.get(author) ?? 0) + 1) {
        this.records.set(author, seq)
        accepted++
      }
      this.received.push({ author, seq, from })
    }
    return { accepted, rejected: records.length - accepted }
  }

  envelopeBound(author: string, vaultId: string): number | undefined {
    return this.removed.get(author)?.get(vaultId)
  }

  /** device → the vaults it may hold (absent: every vault) */
  readonly access = new Map<string, Set<string>>()
  mayHold(deviceId: string, vaultId: string): boolean {
    return this.access.get(deviceId)?.has(vaultId) ?? true
  }
}

export class StubGrants implements GrantsPort {
  /** grants this device holds, by the device they are addressed to */
  readonly held = new Map<string, Uint8Array[]>()
  readonly received: Array<{ from: string; count: number }> = []
  async grantsFor(deviceId: string): Promise<Uint8Array[]> {
    return this.held.get(deviceId) ?? []
  }
  async receive(grants: Uint8Array[], from: string): Promise<void> {
    this.received.push({ from, count: grants.length })
  }
}
