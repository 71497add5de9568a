/**
 * How much one vault may hold on a backup peer: the sealed bytes of its envelopes and snapshots,
 * counted without a key. An envelope that would go past the limit is refused (the device's session
 * ends with the reason, nothing of it stored); a snapshot is always taken, since it lets the peer
 * drop what it covers (VaultReplica.compactReceived), and the count is taken again after that
 * (snapshots by their infos: replica/snapshotInfo.ts).
 */
import type { StorageAdapter } from '../storage/StorageAdapter.js'
import { vaultLayout } from '../storage/storageLayout.js'
import { QuotaExceededError } from './errors.js'
import { storedSnapshotInfo } from './snapshotInfo.js'

export class VaultQuota {
  private usedBytes = 0

  constructor(
    private readonly storage: StorageAdapter,
    readonly limitBytes: number
  ) {}

  get used(): number {
    return this.usedBytes
  }

  /** Counts what is stored (at open, and after a compaction); a snapshot by its info where there is one. */
  async measure(): Promise<void> {
    let used = 0
    for await (const [, bytes] of this.storage.entries(vaultLayout.envelopes())) used += bytes.length
    for await (const key of this.storage.keys(vaultLayout.snapshots)) {
      try {
        used += (await storedSnapshotInfo(this.storage, key))?.size ?? 0
      } catch {
        used += (await this.storage.get(key))?.length ?? 0 // one that does not decode still takes room
      }
    }
    this.usedBytes = used
  }

  /** Throws QuotaExceededError when `bytes` more would not fit. */
  ensureRoom(bytes: number): void {
    if (this.usedBytes + bytes > this.limitBytes) throw new QuotaExceededError(this.limitBytes)
  }

  add(bytes: number): void {
    this.usedBytes += bytes
  }
}
