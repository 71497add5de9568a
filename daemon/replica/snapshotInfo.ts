/**
 * What a keyless replica (a backup peer) keeps beside each snapshot it stores: the snapshot's size
 * and the heads it carries, a few hundred bytes. Opening a vault, measuring its quota and judging
 * a newly received snapshot then read these instead of the snapshots (3 MB each for 10,000 items):
 * LevelDB maps the tables it reads into the process, so every snapshot read at start stayed
 * resident (33 MB for 10 such vaults). Written and deleted in the same batches as the snapshot;
 * where there is none (a device, or a backup peer's data from before), the snapshot itself is read.
 *
 * info := u32 size • u32 n • n × head (codec/SignedHead.ts)
 */
import { BinaryReader } from '../codec/BinaryReader.js'
import { BinaryWriter } from '../codec/BinaryWriter.js'
import { readSignedHead, writeSignedHead, type SignedHead } from '../codec/SignedHead.js'
import type { StorageAdapter, StorageOp } from '../storage/StorageAdapter.js'
import { vaultLayout } from '../storage/storageLayout.js'
import { decodeSnapshot, type SeqVector } from './Snapshot.js'

export interface SnapshotInfo {
  /** the sealed snapshot's length in bytes */
  size: number
  /** its heads (undefined for a snapshot from before the chain) */
  heads: SignedHead[] | undefined
  /** what it covers: author → seq */
  vector: SeqVector
}

/** Heads a snapshot may carry at most (RecordHeader's limit is lower). */
const MAX_HEADS = 100_000

export function encodeSnapshotInfo(size: number, heads: SignedHead[]): Uint8Array {
  const w = new BinaryWriter().u32(size).u32(heads.length)
  for (const head of heads) writeSignedHead(w, head)
  return w.finish()
}

export function decodeSnapshotInfo(bytes: Uint8Array): SnapshotInfo {
  const r = new BinaryReader(bytes)
  const size = r.u32()
  const n = r.u32()
  if (n > MAX_HEADS) throw new RangeError(`a snapshot info lists ${n} heads`)
  const heads: SignedHead[] = []
  for (let i = 0; i < n; i++) heads.push(readSignedHead(r))
  r.end()
  return { size, heads, vector: new Map(heads.map(h => [h.author, h.seq])) }
}

/** The write that goes with storing `author`'s snapshot of `size` bytes on a keyless replica. */
export function snapshotInfoOp(author: string, size: number, heads: SignedHead[]): StorageOp {
  return { type: 'put', key: vaultLayout.snapshotInfo(author), value: encodeSnapshotInfo(size, heads) }
}

/** The author of a snapshot key (`snap/<author>`). */
export function snapshotAuthor(key: string): string {
  return key.slice(vaultLayout.snapshots.length)
}

/**
 * The size and heads of the snapshot stored at `key` (snap/<author>): from its info when there is
 * one, else from the snapshot itself (`read: true`, so that a keyless replica can write the info).
 * Undefined when none is stored; throws for one that does not decode.
 */
export async function storedSnapshotInfo(storage: StorageAdapter, key: string): Promise<(SnapshotInfo & { read: boolean }) | undefined> {
  const info = await storage.get(vaultLayout.snapshotInfo(snapshotAuthor(key)))
  if (info !== undefined) return { ...decodeSnapshotInfo(info), read: false }
  const bytes = await storage.get(key)
  if (bytes === undefined) return undefined
  const snap = decodeSnapshot(bytes)
  return { size: bytes.length, heads: snap.heads, vector: snap.vector, read: true }
}

/** Whether every seq a stored snapshot covers is within `vector` (an unreadable one is covered: nothing to keep). */
export function infoCoveredBy(info: SnapshotInfo | undefined, vector: SeqVector): boolean {
  return info === undefined || [...info.vector].every(([author, seq]) => seq <= (vector.get(author) ?? 0))
}

/** Whether a snapshot of `author` covering `vector` may replace the one held: it covers at least as much (an unreadable one: yes). */
export async function mayReplace(storage: StorageAdapter, author: string, vector: SeqVector): Promise<boolean> {
  try {
    return infoCoveredBy(await storedSnapshotInfo(storage, vaultLayout.snapshot(author)), vector)
  } catch {
    return true
  }
}
