/**
 * "Delete for good" takes an item's history with it, on real LevelDB: the old passwords an item's
 * versions hold are in the sealed records before the purge (decrypted here with the vault key), and
 * in no record, decrypted or not, and in no file of the LevelDB directory after purge and compaction.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LevelStorageAdapter } from '../../daemon/storage/LevelStorageAdapter.js'
import { DeviceIdentity } from '../../daemon/keyring/DeviceIdentity.js'
import { MemoryNetwork } from '../../daemon/network/memory/MemoryNetwork.js'
import { composeDevice, type FullDevice } from '../../daemon/compose.js'
import { storageViews } from '../../daemon/storage/storageLayout.js'
import { openStoredRecords } from '../../daemon/replica/storedRecords.js'
import { HeadVector } from '../../daemon/replica/HeadVector.js'
import { testKdf } from '../helpers/testKdf.js'
import { PASSWORD } from '../helpers/memoryDevice.js'

const OLD_PASSWORDS = ['Hist-Old-Pw-0-QZX', 'Hist-Old-Pw-1-QZX', 'Hist-Old-Pw-2-QZX']
const CURRENT = 'Hist-Current-Pw-QZX'

const dirs: string[] = []
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
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

async function filesOf(dir: string): Promise<Buffer> {
  const names = await readdir(dir, { recursive: true, withFileTypes: true })
  const parts = await Promise.all(names.filter(e => e.isFile()).map(async e => await readFile(join(e.parentPath, e.name))))
  return Buffer.concat(parts)
}

describe('purge removes the history', () => {
  it('no old password of a purged item in any record or file after purge and compaction', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kith-history-purge-'))
    dirs.push(dir)
    const storage = new LevelStorageAdapter(join(dir, 'db'))
    await storage.open()
    const identity = DeviceIdentity.generate()
    const network = new MemoryNetwork()
    const device = await composeDevice({
      storage,
      identity,
      network: () => network.adapter(identity.deviceId),
      log: () => {},
      kdfTargetMs: 0,
      kdf: testKdf,
      autoLockMinutes: 0
    })
    await device.lifecycle.start()
    try {
      await device.unlock.init(PASSWORD)
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
    const files = await filesOf(dir)
    for (const pw of [...OLD_PASSWORDS, CURRENT]) expect(files.includes(pw), `${pw} in a LevelDB file`).toBe(false)
  })
})
