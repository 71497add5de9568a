/**
 * A seq vector: per author (hex device id), the highest sequence number held or covered. One byte
 * layout for snapshots and sync messages: `u32 n • n × (author(32) • u32 seq)`, authors ascending.
 */
import type { BinaryReader } from './BinaryReader.js'
import type { BinaryWriter } from './BinaryWriter.js'

export type SeqVector = Map<string, number>

/** A vector lists more authors than its reader allows (a hostile peer, or corrupt bytes). */
export class SeqVectorTooLongError extends Error {
  constructor(
    readonly authors: number,
    readonly max: number
  ) {
    super(`seq vector lists ${authors} authors, more than ${max}`)
    this.name = 'SeqVectorTooLongError'
  }
}

export function writeSeqVector(w: BinaryWriter, v: SeqVector): BinaryWriter {
  w.u32(v.size)
  for (const [author, seq] of [...v].sort(([a], [b]) => (a < b ? -1 : 1))) w.hex(author, 32).u32(seq)
  return w
}

/** Reads a vector of at most `max` authors; throws SeqVectorTooLongError before allocating for more. */
export function readSeqVector(r: BinaryReader, max: number): SeqVector {
  const n = r.u32()
  if (n > max) throw new SeqVectorTooLongError(n, max)
  const v: SeqVector = new Map()
  for (let i = 0; i < n; i++) v.set(r.hex(32), r.u32())
  return v
}
