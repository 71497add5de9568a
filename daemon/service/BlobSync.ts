/**
 * Keeps every device's copy of its vaults' files whole, in the background: a device fetches the
 * chunks it lacks of every file its open vaults record (after an unlock, when a peer connects,
 * when a change from another device adds a file), pushes the files a connected backup peer lacks
 * to it, and deletes the chunks of files no item records any more (a removal or purge made on any
 * device), telling the backup peers to do the same. A read that finds chunks missing fetches them
 * at once (`ensure`). Every fetched chunk is opened under the file's key before it is kept: a peer
 * cannot slip in bytes of its own.
 */
import type { BlobStore } from '../replica/BlobStore.js'
import { chunkCount, openChunk } from '../replica/blobChunk.js'
import type { VaultReplica } from '../replica/VaultReplica.js'
import { attachmentKey, type AttachmentRecord } from '../vault/attachmentRecord.js'
import type { Log } from '../log.js'
import { toError } from '../toError.js'
import { AttachmentUnavailableError } from './errors.js'

/** How a device reaches other peers' copies of files (sync/BlobExchange.ts, wired in compose.ts). */
export interface BlobTransferPort {
  /** connected peers that may hold the vault: devices first, then backup peers */
  holders: (vaultId: string) => string[]
  /** connected backup peers that may hold the vault */
  backupPeers: (vaultId: string) => string[]
  fetch: (
    peer: string,
    want: { vaultId: string; blobId: string; count: number; indices: number[] },
    onChunk: (index: number, sealed: Uint8Array) => Promise<void>
  ) => Promise<number>
  lacks: (
    peer: string,
    vaultId: string,
    blobs: Array<{ blobId: string; count: number }>
  ) => Promise<Array<{ blobId: string; indices: number[] }>>
  push: (
    peer: string,
    blob: { vaultId: string; blobId: string; count: number; indices: number[] },
    read: (index: number) => Promise<Uint8Array | undefined>
  ) => Promise<number>
  drop: (peer: string, vaultId: string, blobIds: string[]) => Promise<void>
}

export interface BlobSyncOptions {
  /** the vaults open now (their documents say which files exist) */
  openReplicas: () => VaultReplica[]
  /** every vault this device holds, locked or not (backup peers get their files even while locked) */
  vaultIds: () => string[]
  store: BlobStore
  transfer: BlobTransferPort
  compact: () => Promise<void>
  log: Log
  /** how long background work waits for more triggers (tests shorten it) */
  debounceMs?: number
}

/** chunks stored per write: a window's worth (BlobExchange's WINDOW_CHUNKS), all written before the exchange reclaims the window's buffers */
const BATCH = 2
/** rounds over the connected holders while each brings something */
const MAX_ROUNDS = 5

export class BlobSync {
  /** files being added on this device: their chunks are on disk before their record is */
  readonly pending = new Set<string>()
  private readonly inFlight = new Map<string, Promise<boolean>>()
  private wanted = { fetch: false, push: false, collect: false }
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> = Promise.resolve()
  private stopped = false

  constructor(private readonly options: BlobSyncOptions) {}

  /** Fetches what this device lacks of a file; AttachmentUnavailableError when no connected peer had it all. */
  async ensure(vaultId: string, record: AttachmentRecord): Promise<void> {
    if (await this.options.store.complete(vaultId, record.id)) return
    // a background fetch of the same file may be under way: wait for it, then try once more
    if (await this.fetch(vaultId, record)) return
    await this.fetchNow(vaultId, record, true)
  }

  /** A file was added here: the backup peers should have it. */
  stored(_vaultId: string): void {
    this.schedule({ push: true })
  }

  /** Files were removed here: the backup peers drop them too. */
  removed(vaultId: string, blobIds: string[]): void {
    void this.dropEverywhere(vaultId, blobIds)
  }

  /** A peer connected: it may have files this device lacks, or (a backup peer) lack files this device has. */
  onPeerConnected(): void {
    this.schedule({ fetch: true, push: true })
  }

  /** Another device's change arrived: it may have added files (fetch them) or removed some (delete them). */
  onRemoteChange(): void {
    this.schedule({ fetch: true, collect: true })
  }

  onUnlocked(): void {
    this.schedule({ fetch: true, push: true, collect: true })
  }

  stop(): void {
    this.stopped = true
    clearTimeout(this.timer)
  }

  /** Background work finished (tests). */
  async idle(): Promise<void> {
    while (this.timer !== undefined) await new Promise(resolve => setTimeout(resolve, 10))
    await this.running
  }

  private schedule(what: Partial<typeof this.wanted>): void {
    if (this.stopped) return
    this.wanted = {
      fetch: this.wanted.fetch || what.fetch === true,
      push: this.wanted.push || what.push === true,
      collect: this.wanted.collect || what.collect === true
    }
    if (this.timer !== undefined) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      const work = this.wanted
      this.wanted = { fetch: false, push: false, collect: false }
      this.running = this.running
        .then(async () => await this.work(work))
        .catch((err: unknown) => {
          this.options.log('warn', `attachments: background sync failed: ${toError(err).message}`)
        })
    }, this.options.debounceMs ?? 200)
    this.timer.unref()
  }

  private async work(what: typeof this.wanted): Promise<void> {
    if (what.collect) await this.collectGarbage()
    if (what.fetch)
      for (const replica of this.options.openReplicas()) {
        if (!replica.unlocked) continue
        for (const { record } of replica.doc.attachments()) {
          if (this.stopped || !replica.unlocked) return
          if (this.pending.has(record.id) || (await this.options.store.complete(replica.vaultId, record.id))) continue
          // one file that cannot be fetched (a record no chunk count fits, a peer that fails) does not stop the others
          await this.fetch(replica.vaultId, record).catch((err: unknown) => {
            this.options.log(
              'warn',
              `attachments: a file of vault ${replica.vaultId.slice(0, 8)}… cannot be fetched: ${toError(err).message}`
            )
          })
        }
      }
    if (what.push) for (const vaultId of this.options.vaultIds()) await this.pushToBackupPeers(vaultId)
  }

  /** One fetch per file at a time; answers whether the file is now complete. */
  private async fetch(vaultId: string, record: AttachmentRecord): Promise<boolean> {
    const running = this.inFlight.get(record.id)
    if (running !== undefined) return await running
    const work = this.fetchNow(vaultId, record).finally(() => this.inFlight.delete(record.id))
    this.inFlight.set(record.id, work)
    return await work
  }

  /**
   * Asks the connected holders in turn for the chunks still missing, again while a round brings
   * something (a transfer cut by a dropped connection resumes where it stopped); answers whether
   * the file is complete, or throws AttachmentUnavailableError when it cannot be (`strict`).
   */
  private async fetchNow(vaultId: string, record: AttachmentRecord, strict = false): Promise<boolean> {
    const { store, transfer } = this.options
    const count = chunkCount(record.size, record.chunkSize)
    let missing = await store.missing(vaultId, record.id, count)
    const key = attachmentKey(record)
    let tried = false
    try {
      for (let round = 0; round < MAX_ROUNDS && missing.length > 0; round++) {
        const before = missing.length
        for (const peer of transfer.holders(vaultId)) {
          if (missing.length === 0) break
          tried = true
          missing = await this.fetchFrom(peer, vaultId, record, key, count, missing)
        }
        if (missing.length === before) break
      }
    } finally {
      key.fill(0)
    }
    if (missing.length > 0) {
      if (strict) throw new AttachmentUnavailableError(tried ? 'broken' : 'offline')
      return false
    }
    await store.setCount(vaultId, record.id, count)
    return true
  }

  /** One transfer from one peer; answers what is still missing after it. */
  private async fetchFrom(
    peer: string,
    vaultId: string,
    record: AttachmentRecord,
    key: Uint8Array,
    count: number,
    missing: number[]
  ): Promise<number[]> {
    const { store, transfer, log } = this.options
    let batch: Array<[number, Uint8Array]> = []
    const keep = async (): Promise<void> => {
      const chunks = batch
      batch = []
      if (chunks.length > 0) await store.putChunks(vaultId, record.id, chunks)
    }
    log('info', `attachments: fetching ${missing.length} of ${count} chunks of a file from ${peer.slice(0, 12)}…`)
    try {
      await transfer.fetch(peer, { vaultId, blobId: record.id, count, indices: missing }, async (index, sealed) => {
        // opened before it is kept: a chunk that is not this file's is refused, and the transfer from this peer ends
        openChunk(key, { blobId: record.id, index, last: index === count - 1 }, sealed).fill(0)
        batch.push([index, sealed])
        if (batch.length >= BATCH) await keep()
      })
    } catch (err) {
      log('info', `attachments: fetching a file from ${peer.slice(0, 12)}… stopped: ${toError(err).message}`)
    } finally {
      await keep().catch(() => {})
    }
    const left = await store.missing(vaultId, record.id, count)
    log('info', `attachments: fetched ${missing.length - left.length} of ${count} chunks of a file from ${peer.slice(0, 12)}…`)
    return left
  }

  /** Gives each connected backup peer of the vault the chunks it lacks of every complete file here. */
  private async pushToBackupPeers(vaultId: string): Promise<void> {
    const { store, transfer, log } = this.options
    const peers = transfer.backupPeers(vaultId)
    if (peers.length === 0) return
    const blobs: Array<{ blobId: string; count: number }> = []
    for (const blobId of await store.ids(vaultId)) {
      const count = await store.count(vaultId, blobId)
      if (count !== undefined && !this.pending.has(blobId) && (await store.complete(vaultId, blobId))) blobs.push({ blobId, count })
    }
    if (blobs.length === 0) return
    const counts = new Map(blobs.map(b => [b.blobId, b.count]))
    for (const peer of peers) {
      try {
        for (const { blobId, indices } of await transfer.lacks(peer, vaultId, blobs)) {
          const count = counts.get(blobId)
          if (count === undefined) continue
          const all = indices.length > 0 ? indices : Array.from({ length: count }, (_, i) => i)
          const stored = await transfer.push(
            peer,
            { vaultId, blobId, count, indices: all },
            async index => await store.chunk(vaultId, blobId, index)
          )
          log('debug', `attachments: ${stored} chunk(s) of a file sent to backup peer ${peer.slice(0, 12)}…`)
        }
      } catch (err) {
        log('warn', `attachments: backup peer ${peer.slice(0, 12)}… did not take the files: ${toError(err).message}`)
      }
    }
  }

  /**
   * Deletes the chunks of every file no item of an open vault records any more (removed or purged
   * on this device or another), tells the connected backup peers, and compacts storage so they are
   * gone from disk; answers how many files went. Vaults that are not open are left alone.
   */
  async collectGarbage(): Promise<number> {
    const { store } = this.options
    let removed = 0
    for (const replica of this.options.openReplicas()) {
      if (!replica.unlocked) continue
      const stored = await store.ids(replica.vaultId)
      if (stored.length === 0) continue
      const recorded = new Set(replica.doc.attachments().map(a => a.record.id))
      const gone = stored.filter(id => !recorded.has(id) && !this.pending.has(id) && !this.inFlight.has(id))
      for (const id of gone) await store.remove(replica.vaultId, id)
      if (gone.length > 0) void this.dropEverywhere(replica.vaultId, gone)
      removed += gone.length
    }
    if (removed > 0) await this.options.compact()
    return removed
  }

  private async dropEverywhere(vaultId: string, blobIds: string[]): Promise<void> {
    for (const peer of this.options.transfer.backupPeers(vaultId))
      await this.options.transfer.drop(peer, vaultId, blobIds).catch((err: unknown) => {
        this.options.log('debug', `attachments: telling ${peer.slice(0, 12)}… to drop files failed: ${toError(err).message}`)
      })
  }
}
