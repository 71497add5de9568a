/** Reads what BinaryWriter wrote; throws TruncatedError instead of reading past the end. */
export class TruncatedError extends Error {
  constructor(message = 'data is truncated') {
    super(message)
    this.name = 'TruncatedError'
  }
}

export class BinaryReader {
  private offset = 0
  private readonly view: DataView

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  }

  private need(n: number): void {
    if (this.offset + n > this.buf.length) throw new TruncatedError(`data is truncated at byte ${this.offset} (needed ${n} more)`)
  }

  u8(): number {
    this.need(1)
    return this.view.getUint8(this.offset++)
  }
  u16(): number {
    this.need(2)
    const v = this.view.getUint16(this.offset)
    this.offset += 2
    return v
  }
  u32(): number {
    this.need(4)
    const v = this.view.getUint32(this.offset)
    this.offset += 4
    return v
  }
  raw(n: number): Uint8Array {
    this.need(n)
    const b = this.buf.subarray(this.offset, this.offset + n)
    this.offset += n
    return b
  }
  /**
   * `n` bytes copied out of the data: for a field kept after the record is done with. A view
   * (`raw`) keeps the whole buffer it points into alive, a 3 MB snapshot for a 32-byte hash.
   */
  copy(n: number): Uint8Array {
    return new Uint8Array(this.raw(n))
  }
  /** `n` fixed-length bytes as lower-case hex (ids and public keys). */
  hex(n: number): string {
    const b = this.raw(n)
    return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')
  }
  bytes(max = 64 * 1024 * 1024): Uint8Array {
    const n = this.u32()
    if (n > max) throw new TruncatedError(`length ${n} exceeds the limit ${max}`)
    return this.raw(n)
  }

  string(max?: number): string {
    return new TextDecoder('utf-8', { fatal: true }).decode(this.bytes(max))
  }

  get position(): number {
    return this.offset
  }
  get remaining(): number {
    return this.buf.length - this.offset
  }
  /** Throws unless every byte was consumed: trailing garbage is an error, not ignored. */
  end(): void {
    if (this.remaining !== 0) throw new TruncatedError(`${this.remaining} unexpected trailing bytes`)
  }
}
