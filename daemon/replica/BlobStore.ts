/**
 * Attachments' sealed chunks on disk (storage layout `blob/`), without any key: a device and a
 * backup peer keep them alike. A blob is complete once its chunk count is stored and every chunk
 * below it is present; chunks arrive in any order and stay when a transfer breaks, so the next one
 * asks only for what is missing. A chunk already stored is never overwritten.
 */
import type { StorageAdapter, StorageOp } from '../storage/StorageAdapter.js'
import { blobLayout } from '../storage/storageLayout.js'
import { MAX_SEALED_CHUNK, MIN_SEALED_CHUNK } from './blobChunk.js'
import { BlobError, QuotaExceededError } from './errors.js'

/** the most chunks one blob may claim (4 GiB of 256 KiB chunks): a hostile count cannot make a scan endless */
export const MAX_CHUNKS = 16_384

export interface BlobStoreOptions {
  /** the most sealed bytes of blobs per vault (a backup peer's quota); unlimited when undefined */
  quotaBytes?: number
}

export class BlobStore {
  /** sealed bytes per vault, counted at first use (a quota's check): only then kept up to date */
  private readonly usage = new Map<string, number>()

  constructor(
    private readonly storage: StorageAdapter,
    private readonly options: BlobStoreOptions = {}
  ) {}

  /** The blob's chunk count, once known. */
  async count(vaultId: string, blobId: string): Promise<number | undefined> {
    const bytes = await this.storage.get(blobLayout.count(vaultId, blobId))
    if (bytes === undefined || bytes.length !== 4) return undefined
    return new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0)
  }

  /** Records how many chunks the blob has; a blob's count never changes once set. */
  async setCount(vaultId: string, blobId: string, count: number): Promise<void> {
    checkCount(count)
    const known = await this.count(vaultId, blobId)
    if (known === count) return
    if (known !== undefined) throw new BlobError(`blob ${blobId} has ${known} chunks, not ${count}`)
    const bytes = new Uint8Array(4)
    new DataView(bytes.buffer).setUint32(0, count)
    await this.storage.put(blobLayout.count(vaultId, blobId), bytes)
  }

  async chunk(vaultId: string, blobId: string, index: number): Promise<Uint8Array | undefined> {
    return await this.storage.get(blobLayout.chunk(vaultId, blobId, index))
  }

  /** The chunks at these indices in one read (a window served to a peer), undefined where none is stored. */
  async chunks(vaultId: string, blobId: string, indices: number[]): Promise<Array<Uint8Array | undefined>> {
    for (const index of indices)
      if (!Number.isInteger(index) || index < 0 || index >= MAX_CHUNKS) throw new BlobError(`chunk index ${index} is out of range`)
    return await this.storage.getMany(indices.map(index => blobLayout.chunk(vaultId, blobId, index)))
  }

  /** Stores chunks not stored yet, in one batch; answers how many were new. */
  async putChunks(vaultId: string, blobId: string, chunks: Array<[index: number, sealed: Uint8Array]>): Promise<number> {
    const keys = chunks.map(([index, sealed]) => {
      if (!Number.isInteger(index) || index < 0 || index >= MAX_CHUNKS) throw new BlobError(`chunk index ${index} is out of range`)
      if (sealed.length < MIN_SEALED_CHUNK || sealed.length > MAX_SEALED_CHUNK)
        throw new BlobError(`a sealed chunk of ${sealed.length} bytes is not acceptable`)
      return blobLayout.chunk(vaultId, blobId, index)
    })
    const present = await this.storage.getMany(keys)
    const ops: StorageOp[] = []
    let bytes = 0
    chunks.forEach(([, sealed], i) => {
      if (present[i] !== undefined) return
      ops.push({ type: 'put', key: keys[i] as string, value: sealed })
      bytes += sealed.length
    })
    if (ops.length === 0) return 0
    const limit = this.options.quotaBytes
    if (limit !== undefined && (await this.used(vaultId)) + bytes > limit) throw new QuotaExceededError(limit)
    await this.storage.batch(ops)
    this.addUsage(vaultId, bytes)
    return ops.length
  }

  /** The indices below `count` with no chunk stored, in order. */
  async missing(vaultId: string, blobId: string, count: number): Promise<number[]> {
    checkCount(count)
    const held = new Set<number>()
    for await (const key of this.storage.keys(blobLayout.blob(vaultId, blobId))) {
      const index = blobLayout.parseChunk(key)
      if (Number.isInteger(index)) held.add(index)
    }
    const out: number[] = []
    for (let i = 0; i < count; i++) if (!held.has(i)) out.push(i)
    return out
  }

  /** Every chunk present and the count known. */
  async complete(vaultId: string, blobId: string): Promise<boolean> {
    const count = await this.count(vaultId, blobId)
    return count !== undefined && (await this.missing(vaultId, blobId, count)).length === 0
  }

  /** The ids of the vault's blobs with anything stored. */
  async ids(vaultId: string): Promise<string[]> {
    const ids = new Set<string>()
    const prefix = blobLayout.vault(vaultId)
    for await (const key of this.storage.keys(prefix)) ids.add(key.slice(prefix.length, key.indexOf('/', prefix.length)))
    ids.delete('')
    return [...ids]
  }

  /**
   * Deletes every chunk of a blob (the caller compacts storage when it must be gone from disk).
   * The chunks are read only where the vault's usage is counted (a quota): a device deleting a
   * 20 MB file does not bring its 20 MB into memory.
   */
  async remove(vaultId: string, blobId: string): Promise<void> {
    const ops: StorageOp[] = []
    let bytes = 0
    const prefix = blobLayout.blob(vaultId, blobId)
    if (this.usage.has(vaultId))
      for await (const [key, value] of this.storage.entries(prefix)) {
        ops.push({ type: 'del', key })
        if (!Number.isNaN(blobLayout.parseChunk(key))) bytes += value.length
      }
    else for await (const key of this.storage.keys(prefix)) ops.push({ type: 'del', key })
    if (ops.length === 0) return
    await this.storage.batch(ops)
    this.addUsage(vaultId, -bytes)
  }

  /** Keeps the counted usage of a vault (once counted) right. */
  private addUsage(vaultId: string, bytes: number): void {
    const used = this.usage.get(vaultId)
    if (used !== undefined) this.usage.set(vaultId, Math.max(0, used + bytes))
  }

  /** Sealed bytes the vault's blobs take (counted at first use, then kept up to date). */
  async used(vaultId: string): Promise<number> {
    const known = this.usage.get(vaultId)
    if (known !== undefined) return known
    let used = 0
    for await (const [key, value] of this.storage.entries(blobLayout.vault(vaultId)))
      if (!Number.isNaN(blobLayout.parseChunk(key))) used += value.length
    this.usage.set(vaultId, used)
    return used
  }
}

function checkCount(count: number): void {
  if (!Number.isInteger(count) || count < 1 || count > MAX_CHUNKS) throw new BlobError(`a blob of ${count} chunks is not acceptable`)
}
