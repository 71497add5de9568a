/**
 * An export file built from pieces and joined once at the end: text (UTF-8) and bytes, and files as
 * base64 written in slices, so a 25 MB attachment is base64-encoded once and never held as one
 * 33 MB string beside its bytes.
 */
import { BinaryWriter } from '../codec/BinaryWriter.js'

/** Bytes of input per base64 slice (a multiple of 3, so the slices join into one base64 text). */
const BASE64_SLICE = 3 * 256 * 1024

export class ByteChunks {
  private readonly writer = new BinaryWriter()
  private readonly encoder = new TextEncoder()

  /** Appends `s` as UTF-8. */
  text(s: string): this {
    return this.bytes(this.encoder.encode(s))
  }

  /** Appends `b` (kept by reference until {@link finish}). */
  bytes(b: Uint8Array): this {
    this.writer.raw(b)
    return this
  }

  /** Appends the base64 text (RFC 4648, with padding) of `data`, slice by slice. */
  base64(data: Uint8Array): this {
    for (let at = 0; at < data.length; at += BASE64_SLICE) {
      const slice = Buffer.from(data.buffer, data.byteOffset + at, Math.min(BASE64_SLICE, data.length - at))
      this.bytes(Buffer.from(slice.toString('base64'), 'latin1'))
    }
    return this
  }

  /** The whole file, joined once. */
  finish(): Uint8Array {
    return this.writer.finish()
  }
}
