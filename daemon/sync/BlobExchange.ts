/**
 * Attachments' sealed chunks between peers, outside the vault's log (`/kith/blob/1.0.0`,
 * blobMessage.ts): a device GETs the chunks it lacks of a file from any peer that holds them, and
 * PUTs the files a backup peer lacks (LACKS) to it; a device that removed a file tells backup peers
 * to DROP it. Each chunk is its own frame, and a stream carries at most WINDOW_CHUNKS of them: the
 * transport buffers whatever arrives, so the next window is asked for (or sent) only once the
 * last one was taken, and a transfer never holds more than a window in memory; the receiver stores
 * chunks as they come, so a broken transfer resumes from what is missing.
 *
 * The server side answers only peers the roster lets hold the vault (`mayServe`), takes uploads
 * only where `acceptsPuts` (a backup peer: devices fetch, they are never pushed to) and drops only
 * for a device of the vault (`mayDrop`). It knows no key: it neither opens nor checks a chunk; the
 * device that fetches opens each one under the file's key before keeping it.
 */
import type { FrameStream, NetworkAdapter } from '../network/NetworkAdapter.js'
import type { Log } from '../log.js'
import { toError } from '../toError.js'
import {
  BLOB_PROTOCOL,
  BlobMessageError,
  BlobOp,
  BlobStatus,
  MAX_BLOB_FRAME,
  decodeBlobRequest,
  decodeChunk,
  decodeLacks,
  decodePutAnswer,
  encodeBlobRequest,
  encodeChunk,
  encodeLacks,
  encodePutAnswer,
  type BlobRequest
} from './blobMessage.js'
import type { BlobStorePort } from './ports.js'

/**
 * chunks per stream: libp2p buffers what arrives whether or not it is read, so a transfer goes in
 * windows of this many chunks, one stream each, and a window always fits the receive buffer. Two
 * (512 KiB) keep a receiver's memory flat from its first file on (four raised it 11–14 MB then).
 */
export const WINDOW_CHUNKS = 2
/** what a node serves and accepts on one stream: the windows of 4 that earlier versions asked for and pushed */
const MAX_WINDOW_CHUNKS = 4
const STREAM_OPTIONS = { maxFrameBytes: MAX_BLOB_FRAME, maxBufferBytes: (MAX_WINDOW_CHUNKS + 2) * MAX_BLOB_FRAME }
/** a peer that sends nothing for this long has gone: the transfer ends and resumes later */
const IDLE_MS = 15_000
/** chunks stored per write while receiving an upload */
const PUT_BATCH = 4
const short = (id: string): string => `${id.slice(0, 12)}…`

export interface BlobExchangeOptions {
  network: Pick<NetworkAdapter, 'handle' | 'openStream'>
  store: BlobStorePort
  /** may this peer read (and, where uploads are taken, write) the blobs of this vault here */
  mayServe: (peer: string, vaultId: string) => boolean
  /** this node takes uploads (a backup peer) */
  acceptsPuts: boolean
  /** may this peer have the blobs of this vault deleted here (a device of the vault) */
  mayDrop: (peer: string, vaultId: string) => boolean
  /** frees the dead buffers of a window once it is served or stored */
  reclaim?: () => void
  log: Log
}

export class BlobTransferError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'BlobTransferError'
  }
}

async function readWithin(stream: FrameStream, ms: number): Promise<Uint8Array | undefined> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      stream.read(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new BlobTransferError(`no data from ${short(stream.remote)} for ${ms / 1000} s`)), ms)
      })
    ])
  } finally {
    clearTimeout(timer)
  }
}

export class BlobExchange {
  constructor(private readonly options: BlobExchangeOptions) {}

  async serve(): Promise<void> {
    await this.options.network.handle(
      BLOB_PROTOCOL,
      stream => {
        void this.answer(stream).catch((err: unknown) => {
          stream.abort(toError(err))
          this.options.log('debug', `blob: a request from ${short(stream.remote)} failed: ${toError(err).message}`)
        })
      },
      STREAM_OPTIONS
    )
  }

  private async answer(stream: FrameStream): Promise<void> {
    const first = await readWithin(stream, IDLE_MS)
    if (first === undefined) return
    const request = decodeBlobRequest(first)
    const peer = stream.remote
    const { store, mayServe } = this.options
    switch (request.op) {
      case BlobOp.Get: {
        if (!mayServe(peer, request.vaultId)) return await this.refuse(stream, [BlobStatus.Refused])
        await stream.write(Uint8Array.of(BlobStatus.Ok))
        const indices: number[] = []
        for (const index of request.indices.slice(0, MAX_WINDOW_CHUNKS)) {
          if (index >= request.count) break
          indices.push(index)
        }
        // the window in one read of storage
        const chunks = await store.chunks(request.vaultId, request.blobId, indices)
        for (const [i, sealed] of chunks.entries()) if (sealed !== undefined) await stream.write(encodeChunk(indices[i] as number, sealed))
        await stream.close()
        this.options.reclaim?.()
        return
      }
      case BlobOp.Put:
        return await this.takeUpload(stream, request)
      case BlobOp.Lacks: {
        const lacks: Array<{ blobId: string; indices: number[] }> = []
        if (mayServe(peer, request.vaultId) && this.options.acceptsPuts)
          for (const { blobId, count } of request.blobs) {
            const known = await store.count(request.vaultId, blobId).catch(() => undefined)
            if (known !== undefined && known !== count) continue
            const indices = await store.missing(request.vaultId, blobId, count).catch(() => [])
            if (indices.length > 0 || known === undefined) lacks.push({ blobId, indices })
          }
        await stream.write(encodeLacks(lacks))
        await stream.close()
        return
      }
      case BlobOp.Drop: {
        if (this.options.mayDrop(peer, request.vaultId)) {
          for (const blobId of request.blobIds) await store.remove(request.vaultId, blobId)
          if (request.blobIds.length > 0) this.options.log('info', `blob: ${short(peer)} dropped ${request.blobIds.length} file(s)`)
        }
        await stream.close()
        return
      }
    }
  }

  private async refuse(stream: FrameStream, answer: number[]): Promise<void> {
    await stream.write(Uint8Array.from(answer))
    await stream.close()
  }

  private async takeUpload(stream: FrameStream, request: Extract<BlobRequest, { op: BlobOp.Put }>): Promise<void> {
    const { store } = this.options
    if (!this.options.acceptsPuts || !this.options.mayServe(stream.remote, request.vaultId)) {
      await stream.write(encodePutAnswer(BlobStatus.Refused, 0))
      await stream.close()
      return
    }
    await store.setCount(request.vaultId, request.blobId, request.count)
    let stored = 0
    let received = 0
    let batch: Array<[number, Uint8Array]> = []
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return
      stored += await store.putChunks(request.vaultId, request.blobId, batch)
      batch = []
    }
    for (;;) {
      const frame = await readWithin(stream, IDLE_MS)
      if (frame === undefined || frame.length === 0) break
      const { index, sealed } = decodeChunk(frame)
      if (index >= request.count) throw new BlobMessageError(`chunk ${index} of a ${request.count}-chunk file`)
      if (++received > MAX_WINDOW_CHUNKS) throw new BlobMessageError(`more than ${MAX_WINDOW_CHUNKS} chunks on one stream`)
      batch.push([index, sealed])
      if (batch.length >= PUT_BATCH) await flush()
    }
    await flush()
    this.options.reclaim?.()
    await stream.write(encodePutAnswer(BlobStatus.Ok, stored))
    await stream.close()
  }

  private async open(peer: string, request: BlobRequest): Promise<FrameStream> {
    const stream = await this.options.network.openStream(peer, [], BLOB_PROTOCOL, { ...STREAM_OPTIONS, timeoutMs: 10_000 })
    await stream.write(encodeBlobRequest(request))
    return stream
  }

  /**
   * Asks `peer` for chunks of a blob; `onChunk` gets each as it arrives (and checks and keeps it).
   * Answers how many came; throws BlobTransferError when the peer refuses or the transfer breaks.
   *
   * Windows are taken one at a time, in order, the next one asked for as the last frame of this one
   * arrives, so that it is on its way while that one is checked and kept (asked for earlier, it
   * would sit whole in the transport's buffers meanwhile); the dead buffers of a window are
   * reclaimed once it is kept.
   * Never two windows read at once: a buffer still alive at two collections in a row is moved to
   * the old generation, where only a full collection frees it (two windows read side by side left
   * 1 MB there per window, the whole file in the end).
   */
  async fetch(
    peer: string,
    want: { vaultId: string; blobId: string; count: number; indices: number[] },
    onChunk: (index: number, sealed: Uint8Array) => Promise<void>
  ): Promise<number> {
    const windows: number[][] = []
    for (let i = 0; i < want.indices.length; i += WINDOW_CHUNKS) windows.push(want.indices.slice(i, i + WINDOW_CHUNKS))
    const ask = (indices: number[] | undefined): Promise<FrameStream> | undefined => {
      if (indices === undefined) return undefined
      const opening = this.open(peer, { op: BlobOp.Get, ...want, indices })
      // a window asked for ahead and never read (the transfer broke before it) is closed unread
      opening.catch(() => {})
      return opening
    }
    let received = 0
    let next = ask(windows[0])
    try {
      for (let i = 0; i < windows.length; i++) {
        const stream = await (next as Promise<FrameStream>).catch((err: unknown) => {
          throw new BlobTransferError(`fetching a file from ${short(peer)} failed`, { cause: err })
        })
        let asked = false
        const askNext = (): void => {
          if (asked) return
          asked = true
          next = ask(windows[i + 1])
        }
        received += await this.readWindow(stream, peer, windows[i] as number[], onChunk, askNext)
        askNext() // the peer held fewer chunks than asked for
        this.options.reclaim?.()
      }
    } finally {
      // a window asked for ahead of a transfer that broke
      void next?.then(stream => stream.abort(new BlobTransferError('the transfer stopped'))).catch(() => {})
    }
    return received
  }

  /** Hands the window's chunks to `onChunk`; `onLastFrame` runs once the last one asked for has arrived. */
  private async readWindow(
    stream: FrameStream,
    peer: string,
    indices: number[],
    onChunk: (index: number, sealed: Uint8Array) => Promise<void>,
    onLastFrame: () => void
  ): Promise<number> {
    try {
      const status = await readWithin(stream, IDLE_MS)
      if (status === undefined || status[0] !== BlobStatus.Ok)
        throw new BlobTransferError(`${short(peer)} does not serve this vault's files`)
      const wanted = new Set(indices)
      let received = 0
      for (;;) {
        const frame = await readWithin(stream, IDLE_MS)
        if (frame === undefined) {
          // our side too: a stream left half-open counts against the peer's limit of streams per protocol
          await stream.close()
          return received
        }
        const { index, sealed } = decodeChunk(frame)
        if (!wanted.delete(index)) throw new BlobTransferError(`${short(peer)} sent chunk ${index}, which was not asked for`)
        if (wanted.size === 0) onLastFrame()
        await onChunk(index, sealed)
        received++
      }
    } catch (err) {
      stream.abort(toError(err))
      throw err instanceof BlobTransferError ? err : new BlobTransferError(`fetching a file from ${short(peer)} failed`, { cause: err })
    }
  }

  /** Which of these blobs (and which of their chunks) `peer` lacks; an empty list from a peer that takes no uploads. */
  async lacks(
    peer: string,
    vaultId: string,
    blobs: Array<{ blobId: string; count: number }>
  ): Promise<Array<{ blobId: string; indices: number[] }>> {
    const stream = await this.open(peer, { op: BlobOp.Lacks, vaultId, blobs })
    try {
      const answer = await readWithin(stream, IDLE_MS)
      if (answer === undefined) return []
      return decodeLacks(answer)
    } finally {
      await stream.close().catch(() => {})
    }
  }

  /** Uploads chunks of a blob to `peer` (a backup peer); answers how many it stored anew. */
  async push(
    peer: string,
    blob: { vaultId: string; blobId: string; count: number; indices: number[] },
    read: (index: number) => Promise<Uint8Array | undefined>
  ): Promise<number> {
    let stored = 0
    for (let i = 0; i < blob.indices.length; i += WINDOW_CHUNKS)
      stored += await this.pushWindow(peer, { ...blob, indices: blob.indices.slice(i, i + WINDOW_CHUNKS) }, read)
    return stored
  }

  private async pushWindow(
    peer: string,
    blob: { vaultId: string; blobId: string; count: number; indices: number[] },
    read: (index: number) => Promise<Uint8Array | undefined>
  ): Promise<number> {
    const stream = await this.open(peer, { op: BlobOp.Put, vaultId: blob.vaultId, blobId: blob.blobId, count: blob.count })
    try {
      for (const index of blob.indices) {
        const sealed = await read(index)
        if (sealed !== undefined) await stream.write(encodeChunk(index, sealed))
      }
      await stream.write(new Uint8Array(0))
      const answer = await readWithin(stream, IDLE_MS)
      if (answer === undefined) throw new BlobTransferError(`${short(peer)} closed without an answer`)
      const { status, stored } = decodePutAnswer(answer)
      if (status !== BlobStatus.Ok) throw new BlobTransferError(`${short(peer)} takes no files of this vault`)
      await stream.close()
      return stored
    } catch (err) {
      stream.abort(toError(err))
      throw err instanceof BlobTransferError ? err : new BlobTransferError(`sending a file to ${short(peer)} failed`, { cause: err })
    }
  }

  /** Tells `peer` that these blobs are gone (removed or purged on a device of the vault). */
  async drop(peer: string, vaultId: string, blobIds: string[]): Promise<void> {
    const stream = await this.open(peer, { op: BlobOp.Drop, vaultId, blobIds })
    await stream.close()
  }
}
