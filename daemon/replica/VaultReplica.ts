/**
 * One vault's replica: the sealed log in storage and, while unlocked, the decrypted VaultDoc.
 * The only place where plaintext meets ciphertext. Local Yjs updates are sealed once into
 * envelopes (the same bytes go to disk and to peers); received envelopes are verified, stored in
 * seq order per author, and applied when the keys are at hand.
 *
 * Each author's envelopes form a hash chain, and each envelope signs its author's head: the
 * replica keeps, per author, the head of what it holds (its tip), refuses an envelope that does not
 * follow it, and lets a snapshot advance an author only to a head that author signed. Two heads an
 * author signed that cannot both hold (equivocation) quarantine it in this vault (Quarantine.ts).
 */
import { EventEmitter } from 'node:events'
import * as Y from 'yjs'
import type { StorageAdapter, StorageOp } from '../storage/StorageAdapter.js'
import { VaultDoc, LOCAL_ORIGIN } from '../vault/VaultDoc.js'
import { decodeEnvelope, headOf, openEnvelope, sealEnvelope, verifyEnvelope, verifyHead, type Envelope, type Signer } from './Envelope.js'
import { decodeSnapshot, openSnapshot, sealSnapshot, verifySnapshot, type SeqVector, type Snapshot } from './Snapshot.js'
import { headStatement, NO_PREVIOUS, sameHash, type SignedHead } from '../codec/SignedHead.js'
import { vaultLayout } from '../storage/storageLayout.js'
import { CorruptRecordError, RefusedSnapshotError, RejectedEnvelopeError } from './errors.js'
import { Quarantine, type Equivocation } from './Quarantine.js'
import { readLegacy, setLegacyAside } from './legacyRecords.js'
import { randomBytes } from '../crypto/random.js'
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
  /** For a removed device: the highest seq of its log accepted in this vault (undefined for current devices). */
  envelopeBound?: (author: string) => number | undefined
}

export interface ReplicaEvents {
  /** a new envelope is durable (local or received): sync pushes it to peers */
  envelope: [Envelope]
  /** items changed in the unlocked document */
  'items-changed': [ids: string[], local: boolean]
  corrupt: [CorruptRecordError]
  /** an author was caught signing two logs in this vault and is quarantined here */
  equivocation: [Equivocation]
}

export class VaultReplica extends EventEmitter<ReplicaEvents> {
  /** author → highest seq stored contiguously (including what snapshots cover) */
  private readonly stored: SeqVector = new Map()
  /** author → its signed head at the stored seq */
  private readonly tips = new Map<string, SignedHead>()
  /** author → highest seq applied to the open document */
  private readonly applied: SeqVector = new Map()
  /** author → its signed head at the applied seq (what this device's snapshot may claim) */
  private readonly appliedHeads = new Map<string, SignedHead>()
  private readonly quarantine: Quarantine
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
  private readonly envelopeBound: (author: string) => number | undefined
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
    this.envelopeBound = options.envelopeBound ?? (() => undefined)
    this.quarantine = new Quarantine(storage)
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

  /**
   * Reads the stored seq vector and each author's tip from snapshot heads and envelopes; needs no
   * key. Records from before the chain are first set aside (folded at the next unlock).
   */
  async open(): Promise<void> {
    this.stored.clear()
    this.tips.clear()
    await setLegacyAside(this.storage)
    for (const key of await this.quarantine.load()) this.reportCorrupt(new CorruptRecordError(this.where(key), 'unreadable quarantine proof'))
    for await (const [key, bytes] of this.storage.entries(vaultLayout.snapshots)) {
      try {
        for (const head of decodeSnapshot(bytes).heads ?? []) this.advance(this.stored, this.tips, head)
      } catch (err) {
        this.reportCorrupt(new CorruptRecordError(this.where(key), toError(err).message, { cause: err }))
      }
    }
    const extended = new Set<string>()
    for await (const key of this.storage.keys(vaultLayout.envelopes())) {
      const { author, seq } = vaultLayout.parseEnvelope(key)
      const have = this.stored.get(author) ?? 0
      if (seq === have + 1) {
        this.stored.set(author, seq)
        extended.add(author)
      }
    }
    for (const author of extended) {
      const key = vaultLayout.envelope(author, this.stored.get(author) ?? 0)
      try {
        const head = headOf(decodeEnvelope((await this.storage.get(key)) ?? new Uint8Array()))
        if (head === undefined) throw new Error('an envelope without a chain among chained ones')
        this.tips.set(author, head)
      } catch (err) {
        this.reportCorrupt(new CorruptRecordError(this.where(key), toError(err).message, { cause: err }))
      }
    }
    // a quarantined author's log stays where it was when it was caught
    for (const e of this.quarantine.all()) this.freeze(e)
  }

  private freeze(e: Equivocation): void {
    if (e.tip === undefined) {
      this.stored.delete(e.author)
      this.tips.delete(e.author)
    } else {
      this.stored.set(e.author, e.tip.seq)
      this.tips.set(e.author, e.tip)
    }
  }

  /** Per-author highest seq this replica holds: what sync advertises. */
  vector(): SeqVector {
    return new Map(this.stored)
  }

  /** Per author, the signed head of what this replica holds (what VAULT messages carry). */
  heads(): SignedHead[] {
    return [...this.tips.values()]
  }

  /** Authors caught equivocating in this vault, with when. */
  quarantined(): Array<{ author: string; since: number }> {
    return this.quarantine.all().map(e => ({ author: e.author, since: e.since }))
  }

  /** Raises `v` and `heads` to `head` when it is further along. */
  private advance(v: SeqVector, heads: Map<string, SignedHead>, head: SignedHead): void {
    if (head.seq > (v.get(head.author) ?? 0)) {
      v.set(head.author, head.seq)
      heads.set(head.author, head)
    }
  }

  private reportCorrupt(err: CorruptRecordError): void {
    this.corrupt.push(err)
    this.emit('corrupt', err)
  }

  /**
   * Decrypts snapshots then envelopes into a fresh document. Corrupt records are reported, not
   * fatal. Records from before the chain are applied too, then folded into this device's snapshot.
   */
  async unlock(keys: VaultKeys): Promise<void> {
    if (this.vaultDoc !== undefined) return
    this.keys = keys
    this.corrupt.length = 0
    this.applied.clear()
    this.appliedHeads.clear()
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
        for (const head of snap.heads ?? []) this.advance(this.applied, this.appliedHeads, head)
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
        const head = headOf(env)
        if (head === undefined || !verifyHead(this.vaultId, head)) throw new Error('signature does not verify')
        updates.push(openEnvelope(env, keys.key(env.epoch)))
        if (seq === (this.applied.get(author) ?? 0) + 1) this.advance(this.applied, this.appliedHeads, head)
      } catch (err) {
        this.reportCorrupt(new CorruptRecordError(this.where(key), toError(err).message, { cause: err }))
      }
    }
    const legacy = await readLegacy(this.storage, this.vaultId, epoch => keys.key(epoch), (key, err) => {
      this.reportCorrupt(new CorruptRecordError(this.where(key), toError(err).message, { cause: err }))
    })
    updates.push(...legacy.updates)
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
    if (legacy.keys.length > 0) await this.foldLegacy(legacy.keys)
  }

  /**
   * Folds records from before the chain into this device's snapshot: they become a new position
   * of its own log (a head it signs for a base no envelope holds), so that sync carries them to
   * devices that lack them, as it carries any snapshot. Then the old records go.
   */
  private async foldLegacy(keys: string[]): Promise<void> {
    const author = this.signer.deviceId
    const seq = (this.stored.get(author) ?? 0) + 1
    const base = { author, seq, prevHash: this.tips.get(author)?.hash ?? NO_PREVIOUS, hash: randomBytes(32) }
    const head: SignedHead = { ...base, signature: this.signer.sign(headStatement(this.vaultId, base)) }
    this.advance(this.stored, this.tips, head)
    this.advance(this.applied, this.appliedHeads, head)
    await this.writeSnapshot(keys.map(key => ({ type: 'del', key })))
  }

  /** Seals a local update synchronously (so seq order is the order of changes) and queues its write. */
  private sealLocal(update: Uint8Array): void {
    const keys = this.keys
    if (keys === undefined) throw new Error('cannot seal while locked')
    const author = this.signer.deviceId
    const seq = (this.stored.get(author) ?? 0) + 1
    const prevHash = this.tips.get(author)?.hash ?? NO_PREVIOUS
    const epoch = keys.currentEpoch()
    const bytes = sealEnvelope({ vaultId: this.vaultId, epoch, seq, prevHash }, keys.key(epoch), update, this.signer)
    const env = decodeEnvelope(bytes)
    const head = headOf(env) as SignedHead
    this.advance(this.stored, this.tips, head)
    this.advance(this.applied, this.appliedHeads, head)
    this.pending.push({ type: 'put', key: vaultLayout.envelope(author, seq), value: bytes })
    this.pendingEnvelopes.push(env)
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
   * Accepts an envelope from a peer: verifies its author, signature, seq (the next one for that
   * author) and chain (it names the envelope held at seq - 1), stores it, and applies it when
   * unlocked. Returns false for one not stored: already held, or by a quarantined author. A
   * well-signed envelope that contradicts what is held quarantines its author (and is not stored).
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
    const head = headOf(env)
    if (head === undefined) throw new RejectedEnvelopeError('in the format from before the chain (format 1)')
    if (!verifyHead(this.vaultId, head)) throw new RejectedEnvelopeError('bad signature')
    await this.writing
    if (this.quarantine.has(env.author)) return false
    const have = this.stored.get(env.author) ?? 0
    if (env.seq <= have) {
      const held = await this.headAt(env.author, env.seq)
      if (held !== undefined && !sameHash(held.hash, head.hash)) await this.caught(held, head)
      return false
    }
    if (env.seq !== have + 1)
      throw new RejectedEnvelopeError(`seq ${env.seq} skips ahead of ${have} for author ${env.author.slice(0, 12)}…`)
    const tip = this.tips.get(env.author)
    if (!sameHash(head.prevHash, tip?.hash ?? NO_PREVIOUS)) {
      if (tip === undefined) throw new RejectedEnvelopeError(`the first envelope of ${env.author.slice(0, 12)}… names a previous one`)
      await this.caught(tip, head)
      return false
    }
    let update: Uint8Array | undefined
    if (this.keys !== undefined && this.vaultDoc !== undefined) {
      try {
        update = openEnvelope(env, this.keys.key(env.epoch))
      } catch (err) {
        throw new RejectedEnvelopeError(`does not decrypt: ${toError(err).message}`)
      }
    }
    this.advance(this.stored, this.tips, head)
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
        this.advance(this.applied, this.appliedHeads, head)
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

  /** The head held for `author` at `seq`: the tip, or the stored envelope's (undefined once compacted away). */
  private async headAt(author: string, seq: number): Promise<SignedHead | undefined> {
    const tip = this.tips.get(author)
    if (tip?.seq === seq) return tip
    const bytes = await this.storage.get(vaultLayout.envelope(author, seq))
    if (bytes === undefined) return undefined
    try {
      return headOf(decodeEnvelope(bytes))
    } catch {
      return undefined
    }
  }

  /**
   * Two verified heads by one author that cannot both hold: the same seq with two hashes, or a
   * next one naming another previous one. Quarantines the author here, with the proof stored.
   */
  private async caught(held: SignedHead, other: SignedHead): Promise<void> {
    const e: Equivocation = { author: held.author, since: Date.now(), tip: this.tips.get(held.author), proof: [held, other] }
    if (await this.quarantine.add(e)) this.emit('equivocation', e)
  }

  /**
   * Compares a peer's heads (from its VAULT) with what is held: a well-signed one that contradicts
   * a held head quarantines its author. Signatures are checked only where a head disagrees.
   */
  async compareHeads(heads: SignedHead[]): Promise<void> {
    await this.writing
    for (const head of heads) {
      if (this.quarantine.has(head.author) || !this.isTrustedAuthor(head.author)) continue
      const have = this.stored.get(head.author) ?? 0
      let held: SignedHead | undefined
      if (head.seq <= have) {
        held = await this.headAt(head.author, head.seq)
        if (held === undefined || sameHash(held.hash, head.hash)) continue
      } else if (head.seq === have + 1 && have > 0) {
        held = this.tips.get(head.author)
        if (held === undefined || sameHash(held.hash, head.prevHash)) continue
      } else {
        continue
      }
      if (verifyHead(this.vaultId, head)) await this.caught(held, head)
    }
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

  /**
   * Accepts a snapshot from a peer: its signature and every head in it are checked (judgeHeads),
   * it is stored under its author, raises each author's tip to its head and is applied when
   * unlocked. Returns false when not stored: its author is quarantined, or a held snapshot of the
   * same author covers more. Throws RejectedEnvelopeError for malformed or badly signed bytes,
   * RefusedSnapshotError for a snapshot that claims more than its heads prove.
   */
  async receiveSnapshot(bytes: Uint8Array): Promise<boolean> {
    let snap: Snapshot
    try {
      snap = decodeSnapshot(bytes)
    } catch (err) {
      throw new RejectedEnvelopeError(`malformed snapshot: ${toError(err).message}`)
    }
    if (snap.vaultId !== this.vaultId) throw new RejectedEnvelopeError('snapshot for another vault')
    if (!this.isTrustedAuthor(snap.author)) throw new RejectedEnvelopeError('snapshot author is not on the device roster')
    if (!verifySnapshot(snap)) throw new RejectedEnvelopeError('bad snapshot signature')
    const heads = snap.heads
    if (heads === undefined) throw new RefusedSnapshotError('it is in the format from before the chain (format 1)')
    this.judgeHeads(snap.author, heads)
    let state: Uint8Array | undefined
    if (this.keys !== undefined && this.vaultDoc !== undefined) {
      try {
        state = openSnapshot(snap, this.keys.key(snap.epoch))
      } catch (err) {
        throw new RejectedEnvelopeError(`snapshot does not decrypt: ${toError(err).message}`)
      }
    }
    await this.writing
    if (this.quarantine.has(snap.author)) return false
    // never replace a held snapshot of the same author that covers more (it may be all we hold of it)
    const held = await this.storage.get(vaultLayout.snapshot(snap.author))
    if (held !== undefined && !coveredBy(held, snap.vector)) return false
    // a head that contradicts a held one quarantines its author, whose log this snapshot then does not advance
    await this.compareHeads(heads)
    const advancing = heads.filter(h => !this.quarantine.has(h.author))
    this.pending.push({ type: 'put', key: vaultLayout.snapshot(snap.author), value: bytes })
    this.sinceSnapshot++
    await this.scheduleWrite()
    for (const head of advancing) this.advance(this.stored, this.tips, head)
    // as for envelopes, decide after the write: an unlock that ran meanwhile may have read storage first
    const doc = this.vaultDoc
    const keys = this.keys
    if (doc !== undefined && keys !== undefined) {
      try {
        Y.applyUpdate(doc.doc, state ?? openSnapshot(snap, keys.key(snap.epoch)), REMOTE_ORIGIN)
        for (const head of advancing) this.advance(this.applied, this.appliedHeads, head)
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
    return true
  }

  /**
   * A snapshot advances each author only to a head that author signed, and a removed device
   * only up to its bound; a removed device's own snapshot must state how far its own log goes.
   */
  private judgeHeads(author: string, heads: SignedHead[]): void {
    const short = (id: string): string => `${id.slice(0, 12)}…`
    if (this.envelopeBound(author) !== undefined && !heads.some(h => h.author === author))
      throw new RefusedSnapshotError(`removed device ${short(author)} does not state how far its own log goes`)
    for (const head of heads) {
      if (!this.isTrustedAuthor(head.author)) throw new RefusedSnapshotError(`it covers ${short(head.author)}, which is not on the device roster`)
      const bound = this.envelopeBound(head.author)
      if (bound !== undefined && head.seq > bound)
        throw new RefusedSnapshotError(`it carries removed device ${short(head.author)} to seq ${head.seq}, past its bound ${bound}`)
      if (!verifyHead(this.vaultId, head))
        throw new RefusedSnapshotError(`its entry for ${short(head.author)} (seq ${head.seq}) is not signed by that device`)
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

  /**
   * Claims, per author, the head of what is applied, except for a quarantined author and a removed
   * one past its bound (their envelopes then stay); `extra` joins the same batch.
   */
  private async writeSnapshot(extra: StorageOp[] = []): Promise<void> {
    const doc = this.vaultDoc
    const keys = this.keys
    if (doc === undefined || keys === undefined) return
    const heads: SignedHead[] = []
    for (const [author, seq] of this.applied) {
      const head = this.appliedHeads.get(author)
      const bound = this.envelopeBound(author)
      if (head?.seq !== seq || this.quarantine.has(author) || (bound !== undefined && seq > bound)) continue
      heads.push(head)
    }
    const vector: SeqVector = new Map(heads.map(h => [h.author, h.seq]))
    const epoch = keys.currentEpoch()
    const bytes = sealSnapshot(this.vaultId, epoch, heads, keys.key(epoch), Y.encodeStateAsUpdate(doc.doc), this.signer)
    const ops: StorageOp[] = [{ type: 'put', key: vaultLayout.snapshot(this.signer.deviceId), value: bytes }, ...extra]
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
    this.appliedHeads.clear()
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
