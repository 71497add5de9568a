/**
 * BlobStore's bookkeeping (replica/BlobStore.ts): removing a file on a device reads none of its
 * chunks (a 20 MB file is not brought into memory to be deleted), and a quota's count of sealed
 * bytes stays exact across stores and removals.
 */
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { BlobStore } from '../../daemon/replica/BlobStore.js'
import { MAX_SEALED_CHUNK } from '../../daemon/replica/blobChunk.js'
import { QuotaExceededError } from '../../daemon/replica/errors.js'
import { MemoryStorageAdapter } from '../../daemon/storage/MemoryStorageAdapter.js'

const VAULT = 'ab'.repeat(16)
const chunk = (): Uint8Array => new Uint8Array(randomBytes(MAX_SEALED_CHUNK))

/** A memory store that counts the values it hands out (`entries`; `keys` hands out none). */
class CountingStorage extends MemoryStorageAdapter {
  valuesRead = 0
  override async *entries(prefix: string, options?: { limit?: number; gt?: string }): AsyncIterable<[string, Uint8Array]> {
    for await (const entry of super.entries(prefix, options)) {
      this.valuesRead++
      yield entry
    }
  }
  override async *keys(prefix: string): AsyncIterable<string> {
    for await (const [key] of super.entries(prefix)) yield key
  }
}

async function fileOf(store: BlobStore, blobId: string, chunks: number): Promise<void> {
  await store.setCount(VAULT, blobId, chunks)
  await store.putChunks(
    VAULT,
    blobId,
    Array.from({ length: chunks }, (_, i): [number, Uint8Array] => [i, chunk()])
  )
}

describe('BlobStore', () => {
  it('removes a file on a device (no quota) without reading any of its chunks', async () => {
    const storage = new CountingStorage()
    const store = new BlobStore(storage)
    await fileOf(store, 'f1', 8)
    await fileOf(store, 'f2', 2)
    storage.valuesRead = 0
    await store.remove(VAULT, 'f1')
    expect(storage.valuesRead).toBe(0)
    expect(await store.ids(VAULT)).toEqual(['f2'])
    expect(await store.count(VAULT, 'f1')).toBeUndefined()
    expect(await store.missing(VAULT, 'f1', 8)).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
    expect(await store.complete(VAULT, 'f2')).toBe(true)
  })

  it('keeps a quota exact across stores and removals: a removed file frees its room, a file over it is refused', async () => {
    const store = new BlobStore(new MemoryStorageAdapter(), { quotaBytes: 5 * MAX_SEALED_CHUNK })
    await fileOf(store, 'f1', 3)
    expect(await store.used(VAULT)).toBe(3 * MAX_SEALED_CHUNK)
    await expect(fileOf(store, 'f2', 3)).rejects.toBeInstanceOf(QuotaExceededError)
    await store.remove(VAULT, 'f1')
    expect(await store.used(VAULT)).toBe(0)
    await fileOf(store, 'f3', 5)
    expect(await store.used(VAULT)).toBe(5 * MAX_SEALED_CHUNK)
    await expect(store.putChunks(VAULT, 'f4', [[0, chunk()]])).rejects.toBeInstanceOf(QuotaExceededError)
  })

  it('reads a window of chunks in one call, in the order asked, undefined where none is stored', async () => {
    const store = new BlobStore(new MemoryStorageAdapter())
    const [c0, c2] = [chunk(), chunk()]
    await store.putChunks(VAULT, 'f1', [
      [0, c0],
      [2, c2]
    ])
    expect(await store.chunks(VAULT, 'f1', [2, 1, 0])).toEqual([c2, undefined, c0])
    await expect(store.chunks(VAULT, 'f1', [-1])).rejects.toThrow(/out of range/)
  })

  it('counts a device’s usage right when asked after stores and removals it did not count', async () => {
    const store = new BlobStore(new MemoryStorageAdapter())
    await fileOf(store, 'f1', 2)
    await store.remove(VAULT, 'f1')
    await fileOf(store, 'f2', 3)
    expect(await store.used(VAULT)).toBe(3 * MAX_SEALED_CHUNK)
    await store.remove(VAULT, 'f2')
    expect(await store.used(VAULT)).toBe(0)
  })
})
