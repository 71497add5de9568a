/**
 * Files on items. A file's bytes are split into chunks sealed under a key of its own
 * (replica/blobChunk.ts) and kept as a blob outside the vault's document (replica/BlobStore.ts);
 * the item's document holds only the file's record: name, size, SHA-256 and key. Uploads and
 * downloads stream chunk by chunk, so no file is ever held whole in memory. A device that lacks a
 * file's chunks fetches them from a connected peer when the file is read (BlobSync does it ahead
 * of time); removing a file deletes its chunks, tells the backup peers, and compacts storage.
 */
import { createHash, randomBytes } from 'node:crypto'
import type { BlobStore } from '../replica/BlobStore.js'
import { CHUNK_BYTES, chunkCount, openChunk, sealChunk } from '../replica/blobChunk.js'
import type { VaultReplica } from '../replica/VaultReplica.js'
import type { AttachmentInfo } from '../vault/Item.js'
import { attachmentKey, isAttachmentName, MAX_ATTACHMENT_NAME, type AttachmentRecord } from '../vault/attachmentRecord.js'
import { newItemId } from '../vault/VaultDoc.js'
import type { BlobSync } from './BlobSync.js'
import {
  AttachmentCorruptError,
  AttachmentExistsError,
  AttachmentNotFoundError,
  AttachmentTooLargeError,
  InvalidRequestError
} from './errors.js'
import type { ItemService } from './ItemService.js'

export { DEFAULT_ATTACHMENT_LIMIT_BYTES } from '../interop/types.js'
/** sealed chunks written to storage at once while a file comes in */
const WRITE_BATCH = 4

export interface AttachmentServiceOptions {
  items: Pick<ItemService, 'replicaOf' | 'replicaByName'>
  store: BlobStore
  sync: Pick<BlobSync, 'ensure' | 'stored' | 'removed' | 'pending'>
  /** the largest file accepted, in bytes */
  limitBytes: () => number
  /** rewrites storage so deleted chunks are physically gone */
  compact: () => Promise<void>
  /** frees the dead buffers of the last chunks (a young-generation collection), so memory stays flat while a file passes */
  reclaim?: () => void
}

/** A file name as an item keeps it: what a person would type, no path, no control character. */
export function checkAttachmentName(name: unknown): string {
  if (typeof name !== 'string') throw new InvalidRequestError('a file needs a name')
  const trimmed = name.trim()
  if (trimmed === '' || trimmed === '.' || trimmed === '..') throw new InvalidRequestError('a file needs a name')
  if ([...trimmed].length > MAX_ATTACHMENT_NAME) throw new InvalidRequestError(`a file name has at most ${MAX_ATTACHMENT_NAME} characters`)
  if (!isAttachmentName(trimmed)) throw new InvalidRequestError('a file name cannot hold "/", "\\" or control characters')
  return trimmed
}

export class AttachmentService {
  constructor(private readonly options: AttachmentServiceOptions) {}

  /** The largest file taken, in bytes. */
  limitBytes(): number {
    return this.options.limitBytes()
  }

  /** The file's record on an item, by id or (when no id matches) by name. */
  find(itemId: string, idOrName: string): { replica: VaultReplica; record: AttachmentRecord } {
    const replica = this.options.items.replicaOf(itemId)
    const byId = replica.doc.attachment(itemId, idOrName)
    if (byId !== undefined) return { replica, record: byId }
    const info = replica.doc.get(itemId)?.attachments.find(a => a.name === idOrName)
    const record = info === undefined ? undefined : replica.doc.attachment(itemId, info.id)
    if (record === undefined) throw new AttachmentNotFoundError(idOrName)
    return { replica, record }
  }

  /**
   * Stores a file on an item from a stream of bytes: each chunk is sealed and written as it fills,
   * and the item's record is added only once every chunk is on disk. A file over the limit, a
   * broken stream, or an item gone meanwhile leaves nothing behind.
   */
  async add(itemId: string, rawName: string, source: AsyncIterable<Uint8Array>): Promise<AttachmentInfo> {
    const name = checkAttachmentName(rawName)
    const replica = this.options.items.replicaOf(itemId)
    if (replica.doc.get(itemId)?.attachments.some(a => a.name === name)) throw new AttachmentExistsError(name)
    const vaultId = replica.vaultId
    const id = newItemId()
    const key = new Uint8Array(randomBytes(32))
    const limit = this.options.limitBytes()
    const hash = createHash('sha256')
    const { store } = this.options
    // one plaintext buffer for every chunk (sealing copies it), zeroed however the upload ends
    const current = new Uint8Array(CHUNK_BYTES)
    this.options.sync.pending.add(id)
    try {
      let size = 0
      let index = 0
      let fill = 0
      let batch: Array<[number, Uint8Array]> = []
      const write = async (): Promise<void> => {
        const chunks = batch
        batch = []
        await store.putChunks(vaultId, id, chunks)
      }
      const seal = async (plain: Uint8Array, last: boolean): Promise<void> => {
        batch.push([index, sealChunk(key, { blobId: id, index, last }, plain)])
        index++
        if (batch.length >= WRITE_BATCH || last) {
          await write()
          this.options.reclaim?.()
        }
      }
      for await (const piece of source) {
        size += piece.length
        if (size > limit) throw new AttachmentTooLargeError(limit)
        hash.update(piece)
        let offset = 0
        while (offset < piece.length) {
          if (fill === CHUNK_BYTES) {
            // a full chunk is sealed once more bytes follow it: only then is it known not to be the last
            await seal(current, false)
            fill = 0
          }
          const n = Math.min(CHUNK_BYTES - fill, piece.length - offset)
          current.set(piece.subarray(offset, offset + n), fill)
          fill += n
          offset += n
        }
      }
      await seal(current.subarray(0, fill), true)
      await store.setCount(vaultId, id, index)
      const record: AttachmentRecord = {
        id,
        name,
        size,
        sha256: hash.digest('hex'),
        key: Buffer.from(key).toString('base64url'),
        chunkSize: CHUNK_BYTES,
        addedAt: new Date().toISOString()
      }
      replica.doc.addAttachment(itemId, record)
      await replica.flush()
      this.options.sync.stored(vaultId)
      return { id, name, size, sha256: record.sha256 }
    } catch (err) {
      await store.remove(vaultId, id).catch(() => {})
      throw err
    } finally {
      key.fill(0)
      current.fill(0)
      this.options.sync.pending.delete(id)
    }
  }

  /** A whole file in memory (exports, which write whole files anyway). */
  async readAll(itemId: string, attachmentId: string): Promise<Uint8Array> {
    const parts: Uint8Array[] = []
    for await (const part of this.read(itemId, attachmentId)) parts.push(part)
    return new Uint8Array(Buffer.concat(parts))
  }

  /**
   * The file's bytes chunk by chunk, fetched from a connected peer first when this device lacks
   * some; each chunk opened under the file's key, the whole checked against the recorded SHA-256
   * (a mismatch throws after the last chunk: a reader must not keep what it got).
   */
  async *read(itemId: string, attachmentId: string): AsyncGenerator<Uint8Array> {
    const { replica, record } = this.find(itemId, attachmentId)
    await this.options.sync.ensure(replica.vaultId, record)
    const key = attachmentKey(record)
    const count = chunkCount(record.size, record.chunkSize)
    const hash = createHash('sha256')
    let size = 0
    try {
      for (let index = 0; index < count; index++) {
        const sealed = await this.options.store.chunk(replica.vaultId, record.id, index)
        if (sealed === undefined) throw new AttachmentCorruptError(`chunk ${index} is missing`)
        const plain = openChunk(key, { blobId: record.id, index, last: index === count - 1 }, sealed)
        if (index < count - 1 && plain.length !== record.chunkSize) throw new AttachmentCorruptError(`chunk ${index} has the wrong size`)
        size += plain.length
        hash.update(plain)
        yield plain
        if (index % WRITE_BATCH === WRITE_BATCH - 1) this.options.reclaim?.()
      }
    } finally {
      key.fill(0)
    }
    if (size !== record.size || hash.digest('hex') !== record.sha256)
      throw new AttachmentCorruptError('its bytes do not match the SHA-256 its item records')
  }

  /** The record of a file, for answering a download's headers before its bytes. */
  info(itemId: string, attachmentId: string): AttachmentInfo {
    const { record } = this.find(itemId, attachmentId)
    return { id: record.id, name: record.name, size: record.size, sha256: record.sha256 }
  }

  /**
   * Copies the chunks of these items' files into another vault's storage, as they are (a chunk is
   * not bound to its vault), before a migration moves the items there; fetched first when this
   * device lacks some. The source copies go with the items' purge from the old vault.
   */
  async copyFiles(itemIds: string[], toVault: string): Promise<void> {
    const target = this.options.items.replicaByName(toVault).vaultId
    const { store } = this.options
    for (const itemId of itemIds) {
      const replica = this.options.items.replicaOf(itemId)
      for (const info of replica.doc.get(itemId)?.attachments ?? []) {
        const record = replica.doc.attachment(itemId, info.id)
        if (record === undefined) continue
        await this.options.sync.ensure(replica.vaultId, record)
        const count = chunkCount(record.size, record.chunkSize)
        this.options.sync.pending.add(record.id)
        try {
          for (let index = 0; index < count; index += WRITE_BATCH) {
            const batch: Array<[number, Uint8Array]> = []
            for (let i = index; i < Math.min(count, index + WRITE_BATCH); i++) {
              const sealed = await store.chunk(replica.vaultId, record.id, i)
              if (sealed === undefined) throw new AttachmentCorruptError(`chunk ${i} is missing`)
              batch.push([i, sealed])
            }
            await store.putChunks(target, record.id, batch)
          }
          await store.setCount(target, record.id, count)
        } finally {
          this.options.sync.pending.delete(record.id)
        }
      }
    }
  }

  /** Takes a file off an item and deletes its chunks for good (storage compacted, backup peers told). */
  async remove(itemId: string, attachmentId: string): Promise<void> {
    const { replica, record } = this.find(itemId, attachmentId)
    replica.doc.removeAttachment(itemId, record.id)
    await replica.flush()
    await this.options.store.remove(replica.vaultId, record.id)
    this.options.sync.removed(replica.vaultId, [record.id])
    await this.options.compact()
  }
}
