/**
 * How much one vault may hold on a backup peer: the sealed bytes of its envelopes and snapshots,
 * counted without a key. An envelope that would go past the limit is refused (the device's session
 * ends with the reason, nothing of it stored); a snapshot is always taken, since it lets the peer
 * drop what it covers (VaultReplica.compactReceived), and the count is taken again after that
 * (snapshots by their infos: replica/snapshotInfo.ts). The count is stored with every write
 * (`usage`: u32 high • u32 low), so that opening the vault reads it instead of every record:
 * LevelDB maps what it reads, and counting ten 10,000-item vaults at start kept them all resident.
 */
import type { StorageAdapter, StorageOp } from '../storage/StorageAdapter.js'
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

  /** At open: the stored count, or (none stored yet, or unreadable) a count of what is stored, then kept. */
  async load(): Promise<void> {
    const stored = await this.storage.get(vaultLayout.usage)
    if (stored !== undefined && stored.length === 8) {
      const view = new DataView(stored.buffer, stored.byteOffset, 8)
      this.usedBytes = view.getUint32(0) * 2 ** 32 + view.getUint32(4)
      return
    }
    await this.measure()
    await this.storage.batch([this.persistOp()])
  }

  /** The write that keeps the count as it is now (it goes with the batch that changes what is stored). */
  persistOp(): StorageOp {
    const value = new Uint8Array(8)
    const view = new DataView(value.buffer)
    view.setUint32(0, Math.floor(this.usedBytes / 2 ** 32))
    view.setUint32(4, this.usedBytes % 2 ** 32)
    return { type: 'put', key: vaultLayout.usage, value }
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
