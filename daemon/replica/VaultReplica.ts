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
import * as Y from 'yjs'
import type { StorageAdapter, StorageOp } from '../storage/StorageAdapter.js'
import { LOCAL_ORIGIN, type VaultDoc } from '../vault/VaultDoc.js'
import { LazyVaultDoc } from './LazyVaultDoc.js'
import { decodeEnvelope, openEnvelope, sealEnvelopeWithHead, type Envelope, type Signer } from './Envelope.js'
import { decodeSnapshot, openSnapshot, sealSnapshot, verifySnapshot, type SeqVector, type Snapshot } from './Snapshot.js'
import { mayReplace, snapshotInfoOp } from './snapshotInfo.js'
import { NO_PREVIOUS, type SignedHead } from '../codec/SignedHead.js'
import { vaultLayout } from '../storage/storageLayout.js'
import { CorruptRecordError, RefusedSnapshotError, RejectedEnvelopeError } from './errors.js'
import { HeadVector } from './HeadVector.js'
import { baseHead } from './legacyRecords.js'
import { coveredRecords, openStoredRecords } from './storedRecords.js'
import { StoredListImage } from './StoredListImage.js'
import { SealedLog } from './SealedLog.js'

export type { ReplicaEvents } from './SealedLog.js'
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
  /**
   * A keyless replica (a backup peer) never seals a snapshot of its own: it drops what each received
   * snapshot covers instead (the envelopes, and other snapshots it covers), from signed heads alone.
   */
  compactReceived?: boolean
  /** the most sealed bytes this replica stores (a backup peer's per-vault quota); unlimited when absent */
  quotaBytes?: number
}

export class VaultReplica extends SealedLog {
  /** per author, the highest seq applied to the open document, with its head (what this device's snapshot claims) */
  private readonly applied = new HeadVector()
  private readonly document: LazyVaultDoc
  private readonly listImage: StoredListImage
  private keys: VaultKeys | undefined
  /** records received while an unlock reads storage: applied once its document exists */
  private arrivedWhileUnlocking: Array<() => void> | undefined
  private pending: StorageOp[] = []
  private pendingEnvelopes: Envelope[] = []
  private sinceSnapshot = 0
  /** records found at unlock that this device's own snapshot does not hold (lock folds them in) */
  private unfoldedAtUnlock = 0
  private readonly snapshotEvery: number
  private readonly compactReceived: boolean

  /** @param storage this vault's view of the store (storageViews(root).vault(vaultId)): keys as in vaultLayout */
  constructor(
    vaultId: string,
    storage: StorageAdapter,
    private readonly signer: Signer & { deviceId: string },
    options: VaultReplicaOptions = {}
  ) {
    super(vaultId, storage, {
      isTrustedAuthor: options.isTrustedAuthor ?? (author => author === signer.deviceId),
      envelopeBound: options.envelopeBound ?? (() => undefined),
      quotaBytes: options.quotaBytes,
      snapshotInfos: options.compactReceived ?? false
    })
    this.snapshotEvery = options.snapshotEvery ?? 300
    this.compactReceived = options.compactReceived ?? false
    this.listImage = new StoredListImage(vaultId, storage)
    this.document = new LazyVaultDoc(
      {
        remoteOrigin: REMOTE_ORIGIN,
        onUpdate: (update, origin) => {
          // the stored picture goes in the same write as the first change
          const dropped = this.dropStoredPicture()
          if (origin === LOCAL_ORIGIN) this.sealLocal(update)
          else if (dropped) this.scheduleWrite().catch(() => {})
        },
        onItemsChanged: (ids, local) => this.emit('items-changed', ids, local)
      },
      signer.deviceId
    )
  }

  get unlocked(): boolean {
    return this.document.open
  }

  /** Whether the document is built (an unlock leaves that to the first use of `doc`). */
  get materialized(): boolean {
    return this.document.isBuilt
  }

  /** The decrypted document, built from what the unlock read on first use; throws while locked. */
  get doc(): VaultDoc {
    const doc = this.document.get()
    if (doc === undefined) throw new Error(`vault ${this.vaultId} is locked`)
    return doc
  }

  /**
   * The list picture stored at the last lock, if it was taken at exactly what this unlock read
   * (given once: the caller keeps it). Undefined while locked or when there is none.
   */
  takeListImage(): Uint8Array | undefined {
    return this.listImage.take()
  }

  /** Per author, the head of what the open document holds (what a stored picture is bound to). */
  appliedHeads(): SignedHead[] {
    return this.applied.all()
  }

  /** Whether the stored list picture still shows the document (nothing changed since the unlock that read it). */
  get listImageCurrent(): boolean {
    return this.listImage.current
  }

  /** Stores a list picture of the document as it is now, sealed under the current epoch's key. */
  async writeListImage(picture: Uint8Array): Promise<void> {
    const keys = this.keys
    if (keys === undefined || !this.unlocked) return
    const epoch = keys.currentEpoch()
    this.pending.push(this.listImage.replace(epoch, keys.key(epoch), this.applied.all(), picture))
    await this.scheduleWrite()
  }

  /** The first change after an unlock makes the stored picture old: it goes with that change's write. */
  private dropStoredPicture(): boolean {
    const op = this.listImage.drop()
    if (op !== undefined) this.pending.push(op)
    return op !== undefined
  }

  /**
   * Decrypts snapshots then envelopes into a fresh document. Corrupt records are reported, not
   * fatal. Records from before the chain are applied too, then folded into this device's snapshot.
   */
  async unlock(keys: VaultKeys): Promise<void> {
    if (this.unlocked) return
    this.keys = keys
    this.corrupt.length = 0
    this.applied.clear()
    this.arrivedWhileUnlocking = []
    let read: Awaited<ReturnType<typeof openStoredRecords>>
    try {
      read = await openStoredRecords(
        { storage: this.storage, vaultId: this.vaultId, self: this.signer.deviceId, key: epoch => keys.key(epoch) },
        this.applied,
        (key, err) => this.reportStored(key, err)
      )
    } catch (err) {
      this.arrivedWhileUnlocking = undefined
      throw err
    }
    const { unfolded, legacyKeys } = read
    this.unfoldedAtUnlock = unfolded
    const stale = await this.listImage.read(epoch => keys.key(epoch), this.applied.all())
    if (stale !== undefined) this.pending.push(stale)
    this.document.hold(read.updates)
    // what arrived while storage was being read may have been stored after the read: apply it now
    // (an update applied twice changes nothing)
    const arrived = this.arrivedWhileUnlocking
    this.arrivedWhileUnlocking = undefined
    for (const apply of arrived) apply()
    if (legacyKeys.length > 0) await this.foldLegacy(legacyKeys)
  }

  /**
   * Folds records from before the chain into this device's snapshot: they become a new position
   * of its own log (a head it signs for a base no envelope holds), so that sync carries them to
   * devices that lack them, as it carries any snapshot. Then the old records go.
   */
  private async foldLegacy(keys: string[]): Promise<void> {
    const head = baseHead(this.vaultId, this.signer, this.stored.head(this.signer.deviceId))
    this.stored.advance(head)
    this.applied.advance(head)
    await this.writeSnapshot(keys.map(key => ({ type: 'del', key })))
  }

  /** Seals a local update synchronously (so seq order is the order of changes) and queues its write. */
  private sealLocal(update: Uint8Array): void {
    const keys = this.keys
    if (keys === undefined) throw new Error('cannot seal while locked')
    const author = this.signer.deviceId
    const seq = this.stored.seq(author) + 1
    const prevHash = this.stored.head(author)?.hash ?? NO_PREVIOUS
    const epoch = keys.currentEpoch()
    const { bytes, head } = sealEnvelopeWithHead({ vaultId: this.vaultId, epoch, seq, prevHash }, keys.key(epoch), update, this.signer)
    const env = decodeEnvelope(bytes)
    this.stored.advance(head)
    this.applied.advance(head)
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
      // a backup peer's count of what it stores goes with every change of it
      const ops = this.quota === undefined ? this.pending : [...this.pending, this.quota.persistOp()]
      const envelopes = this.pendingEnvelopes
      this.pending = []
      this.pendingEnvelopes = []
      try {
        await this.storage.batch(ops)
      } catch (err) {
        // put them back: the next flush retries them, and nothing is acknowledged that is not on disk
        this.pending = [...ops.filter(op => op.key !== vaultLayout.usage), ...this.pending]
        this.pendingEnvelopes = [...envelopes, ...this.pendingEnvelopes]
        throw err
      }
      for (const env of envelopes) this.emit('envelope', env)
      if (this.sinceSnapshot >= this.snapshotEvery && this.unlocked) await this.writeSnapshot()
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
    const { env, head } = this.chains.verifyEnvelope(bytes)
    await this.writing
    if ((await this.chains.place(head)) === 'held') return false
    this.quota?.ensureRoom(env.bytes.length)
    let update: Uint8Array | undefined
    if (this.keys !== undefined && this.unlocked) {
      try {
        update = openEnvelope(env, this.keys.key(env.epoch))
      } catch (err) {
        throw new RejectedEnvelopeError(`does not decrypt: ${toError(err).message}`)
      }
    }
    this.stored.advance(head)
    this.pending.push({ type: 'put', key: vaultLayout.envelope(env.author, env.seq), value: env.bytes })
    this.quota?.add(env.bytes.length) // counted before the write, which stores the count with it
    this.sinceSnapshot++
    await this.scheduleWrite()
    this.emit('envelope', env)
    this.applyReceived(vaultLayout.envelope(env.author, env.seq), update, key => openEnvelope(env, key(env.epoch)), [head])
    return true
  }

  /**
   * Applies a received record once it is stored, if unlocked. Decided after the write: an unlock
   * that ran meanwhile may have read storage before the record was there (applying an update twice
   * is harmless in Yjs). One that cannot be opened yet (its epoch key has not arrived) is reported.
   */
  private applyReceived(
    key: string,
    opened: Uint8Array | undefined,
    open: (key: (epoch: number) => Uint8Array) => Uint8Array,
    heads: SignedHead[]
  ): void {
    const keys = this.keys
    if (this.arrivedWhileUnlocking !== undefined) {
      this.arrivedWhileUnlocking.push(() => this.applyReceived(key, opened, open, heads))
      return
    }
    if (!this.unlocked || keys === undefined) return
    try {
      Y.applyUpdate(this.doc.doc, opened ?? open(epoch => keys.key(epoch)), REMOTE_ORIGIN)
      for (const head of heads) this.applied.advance(head)
    } catch (err) {
      this.reportCorrupt(
        new CorruptRecordError(this.where(key), `stored, but cannot be opened yet: ${toError(err).message}`, { cause: err })
      )
    }
  }

  /**
   * Accepts a snapshot from a peer: its signature and every head in it are checked (ChainGuard),
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
    this.chains.judgeSnapshot(snap.author, heads)
    let state: Uint8Array | undefined
    if (this.keys !== undefined && this.unlocked) {
      try {
        state = openSnapshot(snap, this.keys.key(snap.epoch))
      } catch (err) {
        throw new RejectedEnvelopeError(`snapshot does not decrypt: ${toError(err).message}`)
      }
    }
    await this.writing
    if (this.chains.isQuarantined(snap.author)) return false
    // never replace a held snapshot of the same author that covers more (it may be all we hold of it)
    if (!(await mayReplace(this.storage, snap.author, snap.vector))) return false
    // a head that contradicts a held one quarantines its author, whose log this snapshot then does not advance
    await this.chains.compare(heads)
    const advancing = heads.filter(h => !this.chains.isQuarantined(h.author))
    this.pending.push({ type: 'put', key: vaultLayout.snapshot(snap.author), value: bytes })
    if (this.snapshotInfos) this.pending.push(snapshotInfoOp(snap.author, bytes.length, heads))
    this.sinceSnapshot++
    await this.scheduleWrite()
    for (const head of advancing) this.stored.advance(head)
    if (this.compactReceived) {
      const covered = advancing.filter(h => this.chains.claimable(h))
      this.pending.push(...(await coveredRecords(this.storage, snap.author, new Map(covered.map(h => [h.author, h.seq])))))
      await this.scheduleWrite()
    }
    if (this.quota !== undefined) {
      await this.quota.measure()
      this.pending.push(this.quota.persistOp())
      await this.scheduleWrite()
    }
    this.applyReceived(vaultLayout.snapshot(snap.author), state, key => openSnapshot(snap, key(snap.epoch)), advancing)
    return true
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
    const keys = this.keys
    if (!this.unlocked || keys === undefined) return
    const doc = this.doc
    const heads = this.applied.all().filter(head => this.chains.claimable(head))
    const vector: SeqVector = new Map(heads.map(h => [h.author, h.seq]))
    const epoch = keys.currentEpoch()
    const bytes = sealSnapshot(this.vaultId, epoch, heads, keys.key(epoch), Y.encodeStateAsUpdate(doc.doc), this.signer)
    const ops: StorageOp[] = [{ type: 'put', key: vaultLayout.snapshot(this.signer.deviceId), value: bytes }, ...extra]
    ops.push(...(await coveredRecords(this.storage, this.signer.deviceId, vector)))
    await this.storage.batch(ops)
    this.sinceSnapshot = 0
    this.unfoldedAtUnlock = 0
  }

  /**
   * Snapshots (unless the stored snapshot already holds everything: rewriting the same few MB at
   * every lock and stop would only churn the disk), then drops the document and keys from memory.
   */
  async lock(): Promise<void> {
    if (!this.unlocked) return
    await this.flush()
    if (this.sinceSnapshot > 0 || this.unfoldedAtUnlock > 0) await this.writeSnapshot()
    this.document.close()
    this.listImage.clear()
    this.keys = undefined
    this.applied.clear()
  }

  async close(): Promise<void> {
    await this.lock()
    await this.writing
  }
}
