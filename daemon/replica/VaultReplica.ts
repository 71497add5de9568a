/**
 * One vault's replica: the sealed log in storage and, while unlocked, the decrypted VaultDoc.
 * The only place where plaintext meets ciphertext. Local Yjs updates are sealed once into
 * envelopes (the same bytes go to disk and to peers); received envelopes are verified, stored in
 * seq order per author, and applied when the keys are at hand.
 */
import { EventEmitter } from 'node:events'
import * as Y from 'yjs'
import type { StorageAdapter, StorageOp } from '../storage/StorageAdapter.js'
import { VaultDoc, LOCAL_ORIGIN } from '../vault/VaultDoc.js'
import { decodeEnvelope, openEnvelope, sealEnvelope, verifyEnvelope, type Envelope, type Signer } from './Envelope.js'
import { decodeSnapshot, openSnapshot, sealSnapshot, verifySnapshot, type SeqVector, type Snapshot } from './Snapshot.js'
import { vaultLayout } from '../storage/storageLayout.js'
import { CorruptRecordError, RejectedEnvelopeError } from './errors.js'
import { toError } from '../toError.js'

const REMOTE_ORIGIN = Symbol('remote')

/** The keys a replica needs while unlocked. */
export interface VaultKeys {
  currentEpoch: () => number
  key: (epoch: number) => Uint8Array
}

export interface VaultReplicaOptions {
  /** Seal a snapshot and drop the envelopes it covers after this many new envelopes. */
  snapshotEvery?: number
  /** Whether envelopes and snapshots by this author (hex device id) are accepted. */
  isTrustedAuthor?: (author: string) => boolean
}

export interface ReplicaEvents {
  /** a new envelope is durable (local or received): sync pushes it to peers */
  envelope: [Envelope]
  /** items changed in the unlocked document */
  'items-changed': [ids: string[], local: boolean]
  corrupt: [CorruptRecordError]
}

export class VaultReplica extends EventEmitter<ReplicaEvents> {
  /** author → highest seq stored contiguously (including what snapshots cover) */
  private readonly stored: SeqVector = new Map()
  /** author → highest seq applied to the open document */
  private readonly applied: SeqVector = new Map()
  private vaultDoc: VaultDoc | undefined
  private keys: VaultKeys | undefined
  private pending: StorageOp[] = []
  private pendingEnvelopes: Envelope[] = []
  private writing: Promise<void> = Promise.resolve()
  private sinceSnapshot = 0
  /** records found at unlock that this device's own snapshot does not hold (lock folds them in) */
  private unfoldedAtUnlock = 0
  private readonly snapshotEvery: number
  private readonly isTrustedAuthor: (author: string) => boolean
  readonly corrupt: CorruptRecordError[] = []
  private unsubscribe: (() => void) | undefined

  /** @param storage this vault's view of the store (storageViews(root).vault(vaultId)): keys as in vaultLayout */
  constructor(
    readonly vaultId: string,
    private readonly storage: StorageAdapter,
    private readonly signer: Signer & { deviceId: string },
    options: VaultReplicaOptions = {}
  ) {
    super()
    this.snapshotEvery = options.snapshotEvery ?? 300
    this.isTrustedAuthor = options.isTrustedAuthor ?? (author => author === signer.deviceId)
  }

  get unlocked(): boolean {
    return this.vaultDoc !== undefined
  }

  /** A record's key in the whole store, for reports. */
  private where(key: string): string {
    return vaultLayout.prefix(this.vaultId) + key
  }

  /** The decrypted document; throws while locked. */
  get doc(): VaultDoc {
    if (this.vaultDoc === undefined) throw new Error(`vault ${this.vaultId} is locked`)
    return this.vaultDoc
  }

  /** Reads the stored seq vector from snapshot headers and envelope keys; needs no key. */
  async open(): Promise<void> {
    this.stored.clear()
    for await (const [key, bytes] of this.storage.entries(vaultLayout.snapshots)) {
      try {
        for (const [author, seq] of decodeSnapshot(bytes).vector) this.bump(this.stored, author, seq)
      } catch (err) {
        this.reportCorrupt(new CorruptRecordError(this.where(key), toError(err).message, { cause: err }))
      }
    }
    for await (const key of this.storage.keys(vaultLayout.envelopes())) {
      const { author, seq } = vaultLayout.parseEnvelope(key)
      const have = this.stored.get(author) ?? 0
      if (seq === have + 1) this.stored.set(author, seq)
    }
  }

  /** Per-author highest seq this replica holds: what sync advertises. */
  vector(): SeqVector {
    return new Map(this.stored)
  }

  private bump(v: SeqVector, author: string, seq: number): void {
    if (seq > (v.get(author) ?? 0)) v.set(author, seq)
  }

  private reportCorrupt(err: CorruptRecordError): void {
    this.corrupt.push(err)
    this.emit('corrupt', err)
  }

  /** Decrypts snapshots then envelopes into a fresh document. Corrupt records are reported, not fatal. */
  async unlock(keys: VaultKeys): Promise<void> {
    if (this.vaultDoc !== undefined) return
    this.keys = keys
    this.corrupt.length = 0
    this.applied.clear()
    const ydoc = new Y.Doc()
    const updates: Uint8Array[] = []
    // what a snapshot at lock would fold in: envelopes, and snapshots other than this device's own
    let unfolded = 0
    for await (const [key, bytes] of this.storage.entries(vaultLayout.snapshots)) {
      if (key !== vaultLayout.snapshot(this.signer.deviceId)) unfolded++
      try {
        const snap = decodeSnapshot(bytes)
        if (!verifySnapshot(snap)) throw new Error('signature does not verify')
        updates.push(openSnapshot(snap, keys.key(snap.epoch)))
        for (const [author, seq] of snap.vector) this.bump(this.applied, author, seq)
      } catch (err) {
        unfolded++ // the next snapshot replaces it
        this.reportCorrupt(new CorruptRecordError(this.where(key), toError(err).message, { cause: err }))
      }
    }
    for await (const [key, bytes] of this.storage.entries(vaultLayout.envelopes())) {
      const { author, seq } = vaultLayout.parseEnvelope(key)
      unfolded++
      if (seq <= (this.applied.get(author) ?? 0)) continue
      try {
        const env = decodeEnvelope(bytes)
        if (env.author !== author || env.seq !== seq || env.vaultId !== this.vaultId) throw new Error('header does not match its key')
        if (!verifyEnvelope(env)) throw new Error('signature does not verify')
        updates.push(openEnvelope(env, keys.key(env.epoch)))
        if (seq === (this.applied.get(author) ?? 0) + 1) this.applied.set(author, seq)
      } catch (err) {
        this.reportCorrupt(new CorruptRecordError(this.where(key), toError(err).message, { cause: err }))
      }
    }
    // one transaction, no merged copy: mergeUpdates would build a second full-size update in memory
    ydoc.transact(() => {
      for (const update of updates) Y.applyUpdate(ydoc, update, REMOTE_ORIGIN)
    }, REMOTE_ORIGIN)
    this.unfoldedAtUnlock = unfolded
    const vaultDoc = new VaultDoc(ydoc)
    ydoc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === LOCAL_ORIGIN) this.sealLocal(update)
    })
    this.unsubscribe = vaultDoc.onItemsChanged((ids, local) => this.emit('items-changed', ids, local))
    this.vaultDoc = vaultDoc
  }

  /** Seals a local update synchronously (so seq order is the order of changes) and queues its write. */
  private sealLocal(update: Uint8Array): void {
    const keys = this.keys
    if (keys === undefined) throw new Error('cannot seal while locked')
    const author = this.signer.deviceId
    const seq = (this.stored.get(author) ?? 0) + 1
    const epoch = keys.currentEpoch()
    const bytes = sealEnvelope({ vaultId: this.vaultId, epoch, seq }, keys.key(epoch), update, this.signer)
    this.stored.set(author, seq)
    this.applied.set(author, seq)
    this.pending.push({ type: 'put', key: vaultLayout.envelope(author, seq), value: bytes })
    this.pendingEnvelopes.push(decodeEnvelope(bytes))
    this.sinceSnapshot++
    // the caller's flush() reports a failed write (and retries it); nothing to do with it here
    this.scheduleWrite().catch(() => {})
  }

  /**
   * Writes what is pending, after every write queued before it. A failed write rejects the callers
   * that wait for it (flush, receive) but does not wedge the queue for later writes.
   */
  private scheduleWrite(): Promise<void> {
    const run = this.writing.then(async () => {
      if (this.pending.length === 0) return
      const ops = this.pending
      const envelopes = this.pendingEnvelopes
      this.pending = []
      this.pendingEnvelopes = []
      try {
        await this.storage.batch(ops)
      } catch (err) {
        // put them back: the next flush retries them, and nothing is acknowledged that is not on disk
        this.pending = [...ops, ...this.pending]
        this.pendingEnvelopes = [...envelopes, ...this.pendingEnvelopes]
        throw err
      }
      for (const env of envelopes) this.emit('envelope', env)
      if (this.sinceSnapshot >= this.snapshotEvery && this.vaultDoc !== undefined) await this.writeSnapshot()
    })
    this.writing = run.catch(() => {})
    return run
  }

  /** Resolves once every change made so far is durable; rejects if writing it failed. */
  async flush(): Promise<void> {
    await this.scheduleWrite()
  }

  /**
   * Accepts an envelope from a peer: verifies its author, signature and seq (the next one for that
   * author), stores it, and applies it when unlocked. Returns false for one already held.
   */
  async receive(bytes: Uint8Array): Promise<boolean> {
    let env: Envelope
    try {
      env = decodeEnvelope(bytes)
    } catch (err) {
      throw new RejectedEnvelopeError(`malformed: ${toError(err).message}`)
    }
    if (env.vaultId !== this.vaultId) throw new RejectedEnvelopeError('for another vault')
    if (!this.isTrustedAuthor(env.author)) throw new RejectedEnvelopeError(`author ${env.author.slice(0, 12)}… is not on the device roster`)
    if (!verifyEnvelope(env)) throw new RejectedEnvelopeError('bad signature')
    await this.writing
    const have = this.stored.get(env.author) ?? 0
    if (env.seq <= have) return false
    if (env.seq !== have + 1)
      throw new RejectedEnvelopeError(`seq ${env.seq} skips ahead of ${have} for author ${env.author.slice(0, 12)}…`)
    let update: Uint8Array | undefined
    if (this.keys !== undefined && this.vaultDoc !== undefined) {
      try {
        update = openEnvelope(env, this.keys.key(env.epoch))
      } catch (err) {
        throw new RejectedEnvelopeError(`does not decrypt: ${toError(err).message}`)
      }
    }
    this.stored.set(env.author, env.seq)
    this.pending.push({ type: 'put', key: vaultLayout.envelope(env.author, env.seq), value: env.bytes })
    this.sinceSnapshot++
    await this.scheduleWrite()
    this.emit('envelope', env)
    // Decide what to apply now, after the write: an unlock that ran meanwhile may have read storage
    // before this envelope was there. Applying an update twice is harmless in Yjs.
    const doc = this.vaultDoc
    const keys = this.keys
    if (doc !== undefined && keys !== undefined) {
      try {
        Y.applyUpdate(doc.doc, update ?? openEnvelope(env, keys.key(env.epoch)), REMOTE_ORIGIN)
        this.bump(this.applied, env.author, env.seq)
      } catch (err) {
        this.reportCorrupt(
          new CorruptRecordError(
            this.where(vaultLayout.envelope(env.author, env.seq)),
            `stored, but cannot be opened yet: ${toError(err).message}`,
            { cause: err }
          )
        )
      }
    }
    return true
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

  /** Accepts a snapshot from a peer: verified, stored under its author, applied when unlocked. */
  async receiveSnapshot(bytes: Uint8Array): Promise<void> {
    let snap: Snapshot
    try {
      snap = decodeSnapshot(bytes)
    } catch (err) {
      throw new RejectedEnvelopeError(`malformed snapshot: ${toError(err).message}`)
    }
    if (snap.vaultId !== this.vaultId) throw new RejectedEnvelopeError('snapshot for another vault')
    if (!this.isTrustedAuthor(snap.author)) throw new RejectedEnvelopeError('snapshot author is not on the device roster')
    if (!verifySnapshot(snap)) throw new RejectedEnvelopeError('bad snapshot signature')
    let state: Uint8Array | undefined
    if (this.keys !== undefined && this.vaultDoc !== undefined) {
      try {
        state = openSnapshot(snap, this.keys.key(snap.epoch))
      } catch (err) {
        throw new RejectedEnvelopeError(`snapshot does not decrypt: ${toError(err).message}`)
      }
    }
    await this.writing
    this.pending.push({ type: 'put', key: vaultLayout.snapshot(snap.author), value: bytes })
    this.sinceSnapshot++
    await this.scheduleWrite()
    for (const [author, seq] of snap.vector) this.bump(this.stored, author, seq)
    // as for envelopes, decide after the write: an unlock that ran meanwhile may have read storage first
    const doc = this.vaultDoc
    const keys = this.keys
    if (doc !== undefined && keys !== undefined) {
      try {
        Y.applyUpdate(doc.doc, state ?? openSnapshot(snap, keys.key(snap.epoch)), REMOTE_ORIGIN)
        for (const [author, seq] of snap.vector) this.bump(this.applied, author, seq)
      } catch (err) {
        this.reportCorrupt(
          new CorruptRecordError(
            this.where(vaultLayout.snapshot(snap.author)),
            `stored, but cannot be opened yet: ${toError(err).message}`,
            { cause: err }
          )
        )
      }
    }
  }

  /**
   * Seals the whole document as this device's snapshot and deletes what it covers: older
   * snapshots and the envelopes up to the applied vector. Deleted secrets are then only in
   * LevelDB's garbage until compaction.
   */
  async snapshot(): Promise<void> {
    await this.flush()
    await this.writeSnapshot()
  }

  private async writeSnapshot(): Promise<void> {
    const doc = this.vaultDoc
    const keys = this.keys
    if (doc === undefined || keys === undefined) return
    const vector = new Map(this.applied)
    const epoch = keys.currentEpoch()
    const bytes = sealSnapshot(this.vaultId, epoch, vector, keys.key(epoch), Y.encodeStateAsUpdate(doc.doc), this.signer)
    const ops: StorageOp[] = [{ type: 'put', key: vaultLayout.snapshot(this.signer.deviceId), value: bytes }]
    for await (const key of this.storage.keys(vaultLayout.snapshots)) {
      if (key === vaultLayout.snapshot(this.signer.deviceId)) continue
      // another device's snapshot goes only once this one covers it: one that could not be opened
      // yet (its epoch key has not arrived) may be all this device holds of those changes
      const held = await this.storage.get(key)
      if (held === undefined || coveredBy(held, vector)) ops.push({ type: 'del', key })
    }
    for await (const key of this.storage.keys(vaultLayout.envelopes())) {
      const { author, seq } = vaultLayout.parseEnvelope(key)
      if (seq <= (vector.get(author) ?? 0)) ops.push({ type: 'del', key })
    }
    await this.storage.batch(ops)
    this.sinceSnapshot = 0
    this.unfoldedAtUnlock = 0
  }

  /**
   * Snapshots (unless the stored snapshot already holds everything: rewriting the same few MB at
   * every lock and stop would only churn the disk), then drops the document and keys from memory.
   */
  async lock(): Promise<void> {
    if (this.vaultDoc === undefined) return
    await this.flush()
    if (this.sinceSnapshot > 0 || this.unfoldedAtUnlock > 0) await this.writeSnapshot()
    this.unsubscribe?.()
    this.vaultDoc.destroy()
    this.vaultDoc = undefined
    this.keys = undefined
    this.applied.clear()
  }

  async close(): Promise<void> {
    await this.lock()
    await this.writing
  }
}

/** Whether every seq a stored snapshot covers is within `vector` (an unreadable one is covered: nothing to keep). */
function coveredBy(snapshot: Uint8Array, vector: SeqVector): boolean {
  let held: Snapshot
  try {
    held = decodeSnapshot(snapshot)
  } catch {
    return true
  }
  return [...held.vector].every(([author, seq]) => seq <= (vector.get(author) ?? 0))
}
