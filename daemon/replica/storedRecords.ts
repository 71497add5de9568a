/**
 * Reading a vault's stored records: at open, each author's held head (no key needed); at unlock,
 * every record's Yjs update with the heads of what they apply, then those updates applied.
 */
import * as Y from 'yjs'
import type { StorageAdapter, StorageOp } from '../storage/StorageAdapter.js'
import { vaultLayout } from '../storage/storageLayout.js'
import { decodeEnvelope, headOf, openEnvelope, verifyHead } from './Envelope.js'
import { decodeSnapshot, openSnapshot, verifySnapshot, type SeqVector } from './Snapshot.js'
import { infoCoveredBy, snapshotAuthor, storedSnapshotInfo, type SnapshotInfo } from './snapshotInfo.js'
import type { HeadVector } from './HeadVector.js'
import { readLegacy } from './legacyRecords.js'

/** Called with a record's key (relative to the vault) and why it failed; the record is skipped. */
type Report = (key: string, err: unknown) => void

/**
 * Raises `held` to what snapshot heads cover, then to each author's contiguous envelopes (the last
 * one's head is the tip). Reads headers only (a keyless replica's snapshot infos instead of its
 * snapshots), and one envelope per author. Returns the snapshots it had to read, with their infos.
 */
export async function readStoredHeads(
  storage: StorageAdapter,
  held: HeadVector,
  report: Report
): Promise<Array<{ author: string; info: SnapshotInfo }>> {
  const read: Array<{ author: string; info: SnapshotInfo }> = []
  for await (const key of storage.keys(vaultLayout.snapshots)) {
    try {
      const info = await storedSnapshotInfo(storage, key)
      if (info === undefined) continue
      for (const head of info.heads ?? []) held.advance(head)
      if (info.read) read.push({ author: snapshotAuthor(key), info })
    } catch (err) {
      report(key, err)
    }
  }
  const extended = new Map<string, number>()
  for await (const key of storage.keys(vaultLayout.envelopes())) {
    const { author, seq } = vaultLayout.parseEnvelope(key)
    if (seq === (extended.get(author) ?? held.seq(author)) + 1) extended.set(author, seq)
  }
  for (const [author, seq] of extended) {
    const key = vaultLayout.envelope(author, seq)
    try {
      const head = headOf(decodeEnvelope((await storage.get(key)) ?? new Uint8Array()))
      if (head === undefined) throw new Error('an envelope without a chain among chained ones')
      held.advance(head)
    } catch (err) {
      report(key, err)
    }
  }
  return read
}

export interface StoredRecords {
  /** every record's Yjs update, snapshots first, then envelopes, then records from before the chain */
  updates: Uint8Array[]
  /** what a snapshot at lock would fold in: envelopes, and snapshots other than this device's own */
  unfolded: number
  /** records from before the chain that opened (to fold and delete) */
  legacyKeys: string[]
}

/** Verifies and decrypts every stored record; raises `applied` to the heads of what opened. */
export async function openStoredRecords(
  vault: { storage: StorageAdapter; vaultId: string; self: string; key: (epoch: number) => Uint8Array },
  applied: HeadVector,
  report: Report
): Promise<StoredRecords> {
  const { storage, vaultId, self, key } = vault
  const updates: Uint8Array[] = []
  let unfolded = 0
  for await (const [k, bytes] of storage.entries(vaultLayout.snapshots)) {
    if (k !== vaultLayout.snapshot(self)) unfolded++
    try {
      const snap = decodeSnapshot(bytes)
      if (!verifySnapshot(snap)) throw new Error('signature does not verify')
      updates.push(openSnapshot(snap, key(snap.epoch)))
      for (const head of snap.heads ?? []) applied.advance(head)
    } catch (err) {
      unfolded++ // the next snapshot replaces it
      report(k, err)
    }
  }
  for await (const [k, bytes] of storage.entries(vaultLayout.envelopes())) {
    const { author, seq } = vaultLayout.parseEnvelope(k)
    unfolded++
    if (seq <= applied.seq(author)) continue
    try {
      const env = decodeEnvelope(bytes)
      if (env.author !== author || env.seq !== seq || env.vaultId !== vaultId) throw new Error('header does not match its key')
      const head = headOf(env)
      if (head === undefined || !verifyHead(vaultId, head)) throw new Error('signature does not verify')
      updates.push(openEnvelope(env, key(env.epoch)))
      if (seq === applied.seq(author) + 1) applied.advance(head)
    } catch (err) {
      report(k, err)
    }
  }
  const legacy = await readLegacy(storage, vaultId, key, report)
  updates.push(...legacy.updates)
  return { updates, unfolded, legacyKeys: legacy.keys }
}

/**
 * Applies what an unlock read, in one transaction and without a merged copy (mergeUpdates would
 * build a second full-size update). A function of its own so that no closure of the unlock holds
 * the decrypted updates: a callback written there would put them in the scope its listeners keep
 * until the next lock, the whole vault's plaintext records (a 3 MB snapshot for 10,000 items).
 */
export function applyStoredRecords(doc: Y.Doc, updates: Uint8Array[], origin: unknown): void {
  doc.transact(() => {
    for (const update of updates) Y.applyUpdate(doc, update, origin)
  }, origin)
}

/**
 * The deletes a new snapshot of `self` covering `vector` makes possible: the envelopes it covers,
 * and other devices' snapshots it covers. Another device's snapshot goes only once this one covers
 * it: one that could not be opened yet (its epoch key has not arrived) may be all this device
 * holds of those changes. A snapshot's info (a keyless replica's) goes with it.
 */
export async function coveredRecords(storage: StorageAdapter, self: string, vector: SeqVector): Promise<StorageOp[]> {
  const ops: StorageOp[] = []
  for await (const key of storage.keys(vaultLayout.snapshots)) {
    if (key === vaultLayout.snapshot(self)) continue
    let info: SnapshotInfo | undefined
    try {
      info = await storedSnapshotInfo(storage, key)
    } catch {
      info = undefined // unreadable: nothing to keep
    }
    if (infoCoveredBy(info, vector)) ops.push({ type: 'del', key }, { type: 'del', key: vaultLayout.snapshotInfo(snapshotAuthor(key)) })
  }
  for await (const key of storage.keys(vaultLayout.envelopes())) {
    const { author, seq } = vaultLayout.parseEnvelope(key)
    if (seq <= (vector.get(author) ?? 0)) ops.push({ type: 'del', key })
  }
  return ops
}
