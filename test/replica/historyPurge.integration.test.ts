/**
 * "Delete for good" takes an item's history with it, on real LevelDB: the old passwords an item's
 * versions hold are in the sealed records before the purge (decrypted here with the vault key), and
 * in no record, decrypted or not, and in no file of the LevelDB directory after purge and compaction.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { LevelStorageAdapter } from '../../daemon/storage/LevelStorageAdapter.js'
import type { FullDevice } from '../../daemon/compose.js'
import { filesUnder, levelDevice } from '../helpers/levelDevice.js'
import { storageViews } from '../../daemon/storage/storageLayout.js'
import { openStoredRecords } from '../../daemon/replica/storedRecords.js'
import { HeadVector } from '../../daemon/replica/HeadVector.js'

const OLD_PASSWORDS = ['Hist-Old-Pw-0-QZX', 'Hist-Old-Pw-1-QZX', 'Hist-Old-Pw-2-QZX']
const CURRENT = 'Hist-Current-Pw-QZX'

const disposals: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const dispose of disposals.splice(0)) await dispose()
})

/** Every stored record of every vault, decrypted with the vault keys. */
async function decryptedRecords(device: FullDevice, storage: LevelStorageAdapter): Promise<Buffer> {
  const views = storageViews(storage)
  const out: Uint8Array[] = []
  for (const vaultId of device.replicas.ids()) {
    const read = await openStoredRecords(
      { storage: views.vault(vaultId), vaultId, self: device.identity.deviceId, key: epoch => device.keyring.vaultKey(vaultId, epoch) },
      new HeadVector(),
      (key, err) => {
        throw new Error(`record ${key} does not open: ${String(err)}`)
      }
    )
    out.push(...read.updates)
  }
  return Buffer.concat(out)
}

describe('purge removes the history', () => {
  it('no old password of a purged item in any record or file after purge and compaction', async () => {
    const { device, storage, dir, dispose } = await levelDevice('history-purge')
    disposals.push(dispose)
    try {
      const kept = await device.items.createItem({ title: 'Kept', password: 'kept-pw' })
      const item = await device.items.createItem({ title: 'Doomed', password: OLD_PASSWORDS[0] })
      for (const pw of [...OLD_PASSWORDS.slice(1), CURRENT]) await device.items.updateItem(item.id, { password: pw })
      await device.items.updateItem(kept.id, { notes: 'an edit after' })
      expect(device.items.itemHistory(item.id)).toHaveLength(3)
      // the test can fail: before the purge, the sealed records hold every old value
      const before = await decryptedRecords(device, storage)
      for (const pw of OLD_PASSWORDS) expect(before.includes(pw), `${pw} sealed before the purge`).toBe(true)

      await device.items.purgeItem(item.id)
      const after = await decryptedRecords(device, storage)
      for (const pw of [...OLD_PASSWORDS, CURRENT]) expect(after.includes(pw), `${pw} in a record after the purge`).toBe(false)
      expect(after.includes('kept-pw')).toBe(true)
      await device.unlock.lock()
    } finally {
      await device.lifecycle.stop()
    }
    await storage.close()
    const files = await filesUnder(dir)
    for (const pw of [...OLD_PASSWORDS, CURRENT]) expect(files.includes(pw), `${pw} in a LevelDB file`).toBe(false)
  })
})
