/**
 * What every replica of a vault is, keyed or not: the sealed log in storage. Per author the head of
 * what is held (`stored`), the chain guard that refuses records that do not follow it and
 * quarantines an author caught equivocating, the optional quota, and what sync reads to serve a
 * peer. It never needs a vault key; VaultReplica adds the keys, the document and what is sealed here.
 */
import { EventEmitter } from 'node:events'
import type { StorageAdapter } from '../storage/StorageAdapter.js'
import type { Envelope } from './Envelope.js'
import type { SeqVector } from './Snapshot.js'
import type { SignedHead } from '../codec/SignedHead.js'
import { vaultLayout } from '../storage/storageLayout.js'
import { CorruptRecordError } from './errors.js'
import type { Equivocation } from './Quarantine.js'
import { HeadVector } from './HeadVector.js'
import { ChainGuard } from './ChainGuard.js'
import { setLegacyAside } from './legacyRecords.js'
import { readStoredHeads } from './storedRecords.js'
import { snapshotInfoOp as infoOp } from './snapshotInfo.js'
import { VaultQuota } from './VaultQuota.js'
import { toError } from '../toError.js'

export interface ReplicaEvents {
  /** a new envelope is durable (local or received): sync pushes it to peers */
  envelope: [Envelope]
  /** items changed in the unlocked document */
  'items-changed': [ids: string[], local: boolean]
  corrupt: [CorruptRecordError]
  /** an author was caught signing two logs in this vault and is quarantined here */
  equivocation: [Equivocation]
}

export interface SealedLogOptions {
  /** whether envelopes and snapshots by this author (hex device id) are accepted */
  isTrustedAuthor: (author: string) => boolean
  /** for a removed device: the highest seq of its log accepted in this vault (undefined for current devices) */
  envelopeBound: (author: string) => number | undefined
  /** the most sealed bytes stored (a backup peer's per-vault quota); unlimited when absent */
  quotaBytes?: number
  /** a keyless replica keeps an info beside each snapshot (replica/snapshotInfo.ts) */
  snapshotInfos?: boolean
}

export class SealedLog extends EventEmitter<ReplicaEvents> {
  /** per author, the highest seq stored contiguously (including what snapshots cover), with its head */
  protected readonly stored = new HeadVector()
  protected readonly chains: ChainGuard
  protected readonly isTrustedAuthor: (author: string) => boolean
  protected readonly quota: VaultQuota | undefined
  protected readonly snapshotInfos: boolean
  /** the write queue: what is pending reaches storage in order */
  protected writing: Promise<void> = Promise.resolve()
  readonly corrupt: CorruptRecordError[] = []

  /** @param storage this vault's view of the store (storageViews(root).vault(vaultId)): keys as in vaultLayout */
  constructor(
    readonly vaultId: string,
    protected readonly storage: StorageAdapter,
    options: SealedLogOptions
  ) {
    super()
    this.isTrustedAuthor = options.isTrustedAuthor
    this.quota = options.quotaBytes === undefined ? undefined : new VaultQuota(storage, options.quotaBytes)
    this.snapshotInfos = options.snapshotInfos ?? false
    this.chains = new ChainGuard({
      vaultId,
      storage,
      held: this.stored,
      isTrustedAuthor: this.isTrustedAuthor,
      envelopeBound: options.envelopeBound,
      onCaught: e => this.emit('equivocation', e)
    })
  }

  /** A record's key in the whole store, for reports. */
  protected where(key: string): string {
    return vaultLayout.prefix(this.vaultId) + key
  }

  /**
   * Reads the stored seq vector and each author's tip from snapshot heads and envelopes; needs no
   * key. Records from before the chain are first set aside (folded at the next unlock). A keyless
   * replica notes the infos of snapshots stored without one (before it kept them), once.
   */
  async open(): Promise<void> {
    this.stored.clear()
    await setLegacyAside(this.storage)
    const read = await readStoredHeads(this.storage, this.stored, (key, err) => this.reportStored(key, err))
    const notes = read.flatMap(({ author, info }) => (info.heads === undefined ? [] : [infoOp(author, info.size, info.heads)]))
    if (this.snapshotInfos && notes.length > 0) await this.storage.batch(notes)
    await this.quota?.load()
    // a quarantined author's log stays where it was when it was caught
    for (const key of await this.chains.load()) this.reportCorrupt(new CorruptRecordError(this.where(key), 'unreadable quarantine proof'))
  }

  /** Sealed bytes stored and the quota, on a replica that has one (a backup peer's). */
  get usage(): { usedBytes: number; quotaBytes: number } | undefined {
    return this.quota === undefined ? undefined : { usedBytes: this.quota.used, quotaBytes: this.quota.limitBytes }
  }

  /** Per-author highest seq this replica holds: what sync advertises. */
  vector(): SeqVector {
    return this.stored.vector()
  }

  /** Per author, the signed head of what this replica holds (what VAULT messages carry). */
  heads(): SignedHead[] {
    return this.stored.all()
  }

  /** Authors caught equivocating in this vault, with when. */
  quarantined(): Array<{ author: string; since: number }> {
    return this.chains.quarantined()
  }

  /** The head held for one author: its seq and the hash of that envelope (snapshots included). */
  tip(author: string): SignedHead | undefined {
    return this.stored.head(author)
  }

  /** Checks a peer's heads against what is held: a contradiction quarantines that author (never throws for one). */
  async compareHeads(heads: SignedHead[]): Promise<void> {
    await this.writing
    await this.chains.compare(heads)
  }

  protected reportCorrupt(err: CorruptRecordError): void {
    this.corrupt.push(err)
    this.emit('corrupt', err)
  }

  /** A stored record (key relative to this vault) that does not decode, verify or open. */
  protected reportStored(key: string, err: unknown): void {
    this.reportCorrupt(new CorruptRecordError(this.where(key), toError(err).message, { cause: err }))
  }

  /** Envelopes by `author` after `seq`, in order, as stored bytes (for a peer that is behind). */
  async envelopesAfter(author: string, seq: number, limit = 1000): Promise<Uint8Array[]> {
    const out: Uint8Array[] = []
    for await (const [, bytes] of this.storage.entries(vaultLayout.envelopes(author), { gt: vaultLayout.envelope(author, seq), limit }))
      out.push(bytes)
    return out
  }

  /** The lowest seq of `author` still held as an envelope (what snapshots do not cover), or undefined. */
  async firstEnvelopeSeq(author: string): Promise<number | undefined> {
    for await (const key of this.storage.keys(vaultLayout.envelopes(author))) return vaultLayout.parseEnvelope(key).seq
    return undefined
  }

  /** Stored snapshots (sealed bytes), for a peer whose vector is behind what envelopes still cover. */
  async snapshots(): Promise<Uint8Array[]> {
    const out: Uint8Array[] = []
    for await (const [, bytes] of this.storage.entries(vaultLayout.snapshots)) out.push(bytes)
    return out
  }
}
