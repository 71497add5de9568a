/** Appends big-endian integers and length-prefixed byte strings; the writer half of every binary format. */
export class BinaryWriter {
  private chunks: Uint8Array[] = []
  private size = 0

  private push(b: Uint8Array): this {
    this.chunks.push(b)
    this.size += b.length
    return this
  }

  u8(n: number): this {
    return this.push(Uint8Array.of(n & 0xff))
  }
  u16(n: number): this {
    const b = new Uint8Array(2)
    new DataView(b.buffer).setUint16(0, n)
    return this.push(b)
  }
  u32(n: number): this {
    const b = new Uint8Array(4)
    new DataView(b.buffer).setUint32(0, n)
    return this.push(b)
  }
  /** Fixed-length bytes: the reader must know the length. */
  raw(b: Uint8Array): this {
    return this.push(b)
  }
  /** Fixed-length bytes given as hex (ids and public keys); throws unless it is exactly `n` bytes. */
  hex(s: string, n: number): this {
    if (s.length !== 2 * n || !/^[0-9a-fA-F]*$/.test(s))
      throw new RangeError(`expected ${n} bytes of hex, got ${JSON.stringify(s.slice(0, 80))}`)
    return this.push(new Uint8Array(Buffer.from(s, 'hex')))
  }
  /** u32 length prefix, then the bytes. */
  bytes(b: Uint8Array): this {
    return this.u32(b.length).push(b)
  }
  string(s: string): this {
    return this.bytes(new TextEncoder().encode(s))
  }

  get length(): number {
    return this.size
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size)
    let o = 0
    for (const c of this.chunks) {
      out.set(c, o)
      o += c.length
    }
    return out
  }
}
