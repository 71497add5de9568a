/**
 * Records stored before the per-author chain (format 1): they cannot be sent (no chain, no
 * heads), but they are this device's data. At the first open after the upgrade they are moved
 * aside, by key only (no key needed), under legacy/; at the next unlock VaultReplica applies them
 * and folds them into a chained snapshot of its own, then deletes them.
 */
import type { StorageAdapter, StorageOp } from '../storage/StorageAdapter.js'
import { vaultLayout } from '../storage/storageLayout.js'
import { decodeEnvelope, openEnvelope, verifyEnvelope } from './Envelope.js'
import { decodeSnapshot, openSnapshot, verifySnapshot } from './Snapshot.js'
import { headStatement, NO_PREVIOUS, type SignedHead } from '../codec/SignedHead.js'
import { randomBytes } from '../crypto/random.js'
import type { Signer } from './Envelope.js'
import { toError } from '../toError.js'

const FORMAT = Uint8Array.of(2)

/** Moves every record written before the chain aside (once: the format marker says it was done). */
export async function setLegacyAside(storage: StorageAdapter): Promise<void> {
  if ((await storage.get(vaultLayout.format)) !== undefined) return
  const ops: StorageOp[] = []
  for (const prefix of [vaultLayout.envelopes(), vaultLayout.snapshots]) {
    for await (const [key, value] of storage.entries(prefix)) {
      ops.push({ type: 'put', key: vaultLayout.legacy + key, value }, { type: 'del', key })
    }
  }
  ops.push({ type: 'put', key: vaultLayout.format, value: FORMAT })
  await storage.batch(ops)
}

export interface LegacyRecords {
  /** the Yjs updates they hold */
  updates: Uint8Array[]
  /** the keys of those that opened, to delete once folded (one that did not open waits for its key) */
  keys: string[]
}

/** Opens the format-1 records set aside; one that does not verify or open is reported and skipped. */
export async function readLegacy(
  storage: StorageAdapter,
  vaultId: string,
  key: (epoch: number) => Uint8Array,
  corrupt: (key: string, err: unknown) => void
): Promise<LegacyRecords> {
  const updates: Uint8Array[] = []
  const keys: string[] = []
  for await (const [k, bytes] of storage.entries(vaultLayout.legacy)) {
    try {
      if (k.startsWith(vaultLayout.legacy + vaultLayout.snapshots)) {
        const snap = decodeSnapshot(bytes)
        if (snap.vaultId !== vaultId || !verifySnapshot(snap)) throw new Error('signature does not verify')
        updates.push(openSnapshot(snap, key(snap.epoch)))
      } else {
        const env = decodeEnvelope(bytes)
        if (env.vaultId !== vaultId || !verifyEnvelope(env)) throw new Error('signature does not verify')
        updates.push(openEnvelope(env, key(env.epoch)))
      }
      keys.push(k)
    } catch (err) {
      corrupt(k, toError(err))
    }
  }
  return { updates, keys }
}

/**
 * The head of the position a fold adds to this device's own log, after `tip`: signed by it, for a
 * base no envelope holds (its hash names nothing but this fold), so that sync carries the folded
 * snapshot to devices that lack it as it carries any snapshot.
 */
export function baseHead(vaultId: string, signer: Signer & { deviceId: string }, tip: SignedHead | undefined): SignedHead {
  const base = { author: signer.deviceId, seq: (tip?.seq ?? 0) + 1, prevHash: tip?.hash ?? NO_PREVIOUS, hash: randomBytes(32) }
  return { ...base, signature: signer.sign(headStatement(vaultId, base)) }
}
