/**
 * The frames of `/kith/blob/1.0.0` (BlobExchange.ts; docs/protocol.md "Attachments"). Ids only:
 * a blob's chunks are sealed under a key the keyless side never has.
 *
 *   request   u8 op • string vaultId • body
 *     GET   1  string blobId • u32 count • u32 n • n × u32 index     answer: u8 status, then chunk frames (the first 4 asked for)
 *     PUT   2  string blobId • u32 count                              then at most 4 chunk frames and an empty frame; answer: u8 status • u32 stored
 *     LACKS 3  u32 n • n × (string blobId • u32 count)                answer: u32 m • m × (string blobId • u32 k • k × u32 index)
 *     DROP  4  u32 n • n × string blobId                              no answer
 *   chunk     u32 index • sealed chunk bytes (to the end of the frame)
 */
import { BinaryReader } from '../codec/BinaryReader.js'
import { BinaryWriter } from '../codec/BinaryWriter.js'

export const BLOB_PROTOCOL = '/kith/blob/1.0.0'

export enum BlobOp {
  Get = 1,
  Put = 2,
  Lacks = 3,
  Drop = 4
}

export enum BlobStatus {
  Ok = 0,
  /** not a peer that may read or write this vault's blobs here, or a node that takes no uploads */
  Refused = 1
}

/** ids are short (base64url of 12 random bytes; vault ids are hex) */
const MAX_ID = 128
/** the most blobs one LACKS or DROP names, and the most indices one GET asks for */
export const MAX_LIST = 16_384
/** a chunk frame: u32 index and a sealed chunk of at most 256 KiB of plaintext (replica/blobChunk.ts), with room to spare */
export const MAX_BLOB_FRAME = 256 * 1024 + 1024

export type BlobRequest =
  | { op: BlobOp.Get; vaultId: string; blobId: string; count: number; indices: number[] }
  | { op: BlobOp.Put; vaultId: string; blobId: string; count: number }
  | { op: BlobOp.Lacks; vaultId: string; blobs: Array<{ blobId: string; count: number }> }
  | { op: BlobOp.Drop; vaultId: string; blobIds: string[] }

export class BlobMessageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'BlobMessageError'
  }
}

export function encodeBlobRequest(r: BlobRequest): Uint8Array {
  const w = new BinaryWriter().u8(r.op).string(r.vaultId)
  switch (r.op) {
    case BlobOp.Get:
      w.string(r.blobId).u32(r.count).u32(r.indices.length)
      for (const i of r.indices) w.u32(i)
      break
    case BlobOp.Put:
      w.string(r.blobId).u32(r.count)
      break
    case BlobOp.Lacks:
      w.u32(r.blobs.length)
      for (const b of r.blobs) w.string(b.blobId).u32(b.count)
      break
    case BlobOp.Drop:
      w.u32(r.blobIds.length)
      for (const id of r.blobIds) w.string(id)
      break
  }
  return w.finish()
}

function list<T>(r: BinaryReader, item: () => T): T[] {
  const n = r.u32()
  if (n > MAX_LIST) throw new BlobMessageError(`a list of ${n} entries is too long`)
  const out: T[] = []
  for (let i = 0; i < n; i++) out.push(item())
  return out
}

export function decodeBlobRequest(bytes: Uint8Array): BlobRequest {
  try {
    const r = new BinaryReader(bytes)
    const op = r.u8()
    const vaultId = r.string(MAX_ID)
    let out: BlobRequest
    if (op === BlobOp.Get) {
      const blobId = r.string(MAX_ID)
      const count = r.u32()
      out = { op, vaultId, blobId, count, indices: list(r, () => r.u32()) }
    } else if (op === BlobOp.Put) out = { op, vaultId, blobId: r.string(MAX_ID), count: r.u32() }
    else if (op === BlobOp.Lacks) out = { op, vaultId, blobs: list(r, () => ({ blobId: r.string(MAX_ID), count: r.u32() })) }
    else if (op === BlobOp.Drop) out = { op, vaultId, blobIds: list(r, () => r.string(MAX_ID)) }
    else throw new BlobMessageError(`unknown blob request ${op}`)
    r.end()
    return out
  } catch (err) {
    if (err instanceof BlobMessageError) throw err
    throw new BlobMessageError('a blob request is malformed', { cause: err })
  }
}

export function encodeChunk(index: number, sealed: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + sealed.length)
  new DataView(out.buffer).setUint32(0, index)
  out.set(sealed, 4)
  return out
}

export function decodeChunk(frame: Uint8Array): { index: number; sealed: Uint8Array } {
  if (frame.length < 4) throw new BlobMessageError('a chunk frame is truncated')
  return { index: new DataView(frame.buffer, frame.byteOffset, 4).getUint32(0), sealed: frame.subarray(4) }
}

export function encodeLacks(lacks: Array<{ blobId: string; indices: number[] }>): Uint8Array {
  const w = new BinaryWriter().u32(lacks.length)
  for (const l of lacks) {
    w.string(l.blobId).u32(l.indices.length)
    for (const i of l.indices) w.u32(i)
  }
  return w.finish()
}

export function decodeLacks(bytes: Uint8Array): Array<{ blobId: string; indices: number[] }> {
  try {
    const r = new BinaryReader(bytes)
    const out = list(r, () => ({ blobId: r.string(MAX_ID), indices: list(r, () => r.u32()) }))
    r.end()
    return out
  } catch (err) {
    throw new BlobMessageError('a LACKS answer is malformed', { cause: err })
  }
}

export function encodePutAnswer(status: BlobStatus, stored: number): Uint8Array {
  return new BinaryWriter().u8(status).u32(stored).finish()
}

export function decodePutAnswer(bytes: Uint8Array): { status: BlobStatus; stored: number } {
  try {
    const r = new BinaryReader(bytes)
    const out = { status: r.u8() as BlobStatus, stored: r.u32() }
    r.end()
    return out
  } catch (err) {
    throw new BlobMessageError('a PUT answer is malformed', { cause: err })
  }
}
