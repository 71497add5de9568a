/**
 * "Delete for good means gone" for files (issue 14): on real LevelDB, removing a file or purging
 * its item leaves none of its sealed chunks anywhere in the database directory (byte search of
 * every file, after compaction), and the item's old password is not on disk either.
 */
import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { CHUNK_BYTES } from '../../daemon/replica/blobChunk.js'
import { blobLayout } from '../../daemon/storage/storageLayout.js'
import { filesUnder, levelDevice } from '../helpers/levelDevice.js'

const disposals: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const dispose of disposals.splice(0)) await dispose()
})

async function* once(data: Uint8Array): AsyncGenerator<Uint8Array> {
  yield data
}

describe('files deleted for good are gone from disk', () => {
  it('after a removal, and after the purge of an item, no sealed chunk and no old password is left in any file', async () => {
    const { device, storage, dir, dispose } = await levelDevice('purge')
    disposals.push(dispose)
    const kept = await device.items.createItem({ title: 'Kept', password: 'kept-password-1' })
    const doomed = await device.items.createItem({ title: 'Doomed', password: 'OLD-PASSWORD-never-on-disk-42' })
    await device.items.updateItem(doomed.id, { password: 'NEW-PASSWORD-never-on-disk-43' })
    const vaultId = device.items.replicaOf(doomed.id).vaultId
    const fileA = await device.attachments.add(kept.id, 'a.bin', once(new Uint8Array(randomBytes(2 * CHUNK_BYTES))))
    const fileB = await device.attachments.add(doomed.id, 'b.bin', once(new Uint8Array(randomBytes(3 * CHUNK_BYTES))))
    // windows of sealed bytes from each file's chunks, as they sit in LevelDB
    const windows = async (blobId: string, count: number): Promise<Buffer[]> => {
      const out: Buffer[] = []
      for (let i = 0; i < count; i++) {
        const sealed = (await storage.get(blobLayout.prefix + blobLayout.chunk(vaultId, blobId, i))) as Uint8Array
        out.push(Buffer.from(sealed.subarray(100, 164)), Buffer.from(sealed.subarray(sealed.length - 64)))
      }
      return out
    }
    const aWindows = await windows(fileA.id, 2)
    const bWindows = await windows(fileB.id, 3)
    const before = await filesUnder(dir)
    for (const w of [...aWindows, ...bWindows]) expect(before.includes(w)).toBe(true) // the search can find them

    await device.attachments.remove(kept.id, fileA.id)
    await device.items.trashItem(doomed.id)
    await device.items.purgeItem(doomed.id)
    await device.lifecycle.stop()
    await storage.close()
    const after = await filesUnder(dir)
    for (const w of [...aWindows, ...bWindows]) expect(after.includes(w)).toBe(false)
    for (const secret of ['OLD-PASSWORD-never-on-disk-42', 'NEW-PASSWORD-never-on-disk-43', 'b.bin', 'a.bin'])
      expect(after.includes(Buffer.from(secret))).toBe(false)
    // what was not deleted is still there
    expect(after.length).toBeGreaterThan(0)
  })
})
