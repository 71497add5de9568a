/**
 * How a file's bytes are sealed: split into chunks of `chunkSize` bytes, each sealed on its own with
 * XChaCha20-Poly1305 under the file's own random key, the associated data binding the blob, the
 * chunk's index and whether it is the last (the STREAM construction): a chunk cannot be moved to
 * another place or file, and a file cut short or extended is refused. The vault is not bound: an
 * item moved to another vault takes its file's chunks with it as they are (the key moves with it).
 */
import { NONCE_BYTES, TAG_BYTES, openPacked, sealPacked } from '../crypto/aead.js'
import { DecryptionError } from '../crypto/errors.js'
import { CorruptRecordError } from './errors.js'

/** plaintext bytes per chunk: a 25 MB file is 100 chunks, each a frame well within sync's limits */
export const CHUNK_BYTES = 256 * 1024
/** the most a sealed chunk may be, whatever a peer claims */
export const MAX_SEALED_CHUNK = CHUNK_BYTES + NONCE_BYTES + TAG_BYTES
/** the fewest bytes a sealed chunk can be (an empty file's one chunk) */
export const MIN_SEALED_CHUNK = NONCE_BYTES + TAG_BYTES

const encoder = new TextEncoder()

function aad(blobId: string, index: number, last: boolean): Uint8Array {
  const label = encoder.encode(`kith-blob/1\0${blobId}\0`)
  const out = new Uint8Array(label.length + 5)
  out.set(label, 0)
  new DataView(out.buffer).setUint32(label.length, index)
  out[label.length + 4] = last ? 1 : 0
  return out
}

/** How many chunks a file of `size` bytes has (an empty file has one, empty). */
export function chunkCount(size: number, chunkSize: number): number {
  return Math.max(1, Math.ceil(size / chunkSize))
}

export interface ChunkPlace {
  blobId: string
  index: number
  last: boolean
}

export function sealChunk(key: Uint8Array, place: ChunkPlace, plaintext: Uint8Array): Uint8Array {
  return sealPacked(key, plaintext, aad(place.blobId, place.index, place.last))
}

/** The chunk's plaintext; CorruptRecordError when it was not sealed for exactly this place under this key. */
export function openChunk(key: Uint8Array, place: ChunkPlace, sealed: Uint8Array): Uint8Array {
  try {
    return openPacked(key, sealed, aad(place.blobId, place.index, place.last))
  } catch (err) {
    if (err instanceof DecryptionError)
      throw new CorruptRecordError(`blob ${place.blobId} chunk ${place.index}`, 'it does not open under the file key', { cause: err })
    throw err
  }
}
