/**
 * `kith destroy`: crypto-erases this device's vault. Key material goes first (without grants and
 * slots the rest is unreadable), then every record, then compaction so no old ciphertext stays in
 * the files. The only part that is given the whole store, since erasing all of it is its job.
 */
import type { StorageAdapter } from '../storage/StorageAdapter.js'
import type { Keyring } from '../keyring/Keyring.js'
import type { ReplicaSet } from './ReplicaSet.js'
import type { RosterExit, UnlockService } from './UnlockService.js'

export interface Erased {
  keyRecords: number
  records: number
}

export class DeviceEraser {
  constructor(
    private readonly parts: { storage: StorageAdapter; keyring: Pick<Keyring, 'erase'>; replicas: ReplicaSet; unlock: UnlockService }
  ) {}

  /** @param roster whether this device left the roster first (told to the dashboard with the lock) */
  async erase(roster?: RosterExit): Promise<Erased> {
    const { storage, keyring, replicas, unlock } = this.parts
    replicas.forget()
    const keyRecords = await keyring.erase()
    let records = 0
    for await (const _ of storage.keys('')) records++
    await storage.clear()
    await storage.compact()
    unlock.erased(roster)
    return { keyRecords, records }
  }
}
