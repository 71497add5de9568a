/**
 * How much one vault may hold on a backup peer: the sealed bytes of its envelopes and snapshots,
 * counted without a key. An envelope that would go past the limit is refused (the device's session
 * ends with the reason, nothing of it stored); a snapshot is always taken, since it lets the peer
 * drop what it covers (VaultReplica.compactReceived), and the count is taken again after that.
 */
import type { StorageAdapter } from '../storage/StorageAdapter.js'
import { vaultLayout } from '../storage/storageLayout.js'
import { QuotaExceededError } from './errors.js'

export class VaultQuota {
  private usedBytes = 0

  constructor(
    private readonly storage: StorageAdapter,
    readonly limitBytes: number
  ) {}

  get used(): number {
    return this.usedBytes
  }

  /** Counts what is stored (at open, and after a compaction). */
  async measure(): Promise<void> {
    let used = 0
    for (const prefix of [vaultLayout.envelopes(), vaultLayout.snapshots])
      for await (const [, bytes] of this.storage.entries(prefix)) used += bytes.length
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
