/**
 * Just enough of the D-Bus wire format (little-endian) for a test to play a system service on a
 * private bus: marshalling and unmarshalling of messages whose values are of the types y b u i s o
 * g v, arrays, dicts and structs. Values: numbers, booleans, strings, `[signature, value]` for a
 * variant, arrays (a dict is an array of `[key, value]` pairs) and arrays for structs.
 */
export type DbusValue = number | boolean | string | DbusValue[] | readonly [string, DbusValue]

export const MessageType = { methodCall: 1, methodReturn: 2, error: 3, signal: 4 } as const

export interface DbusMessage {
  type: number
  serial: number
  path?: string
  interface?: string
  member?: string
  errorName?: string
  replySerial?: number
  destination?: string
  sender?: string
  signature?: string
  body: DbusValue[]
}

const FIELD = { path: 1, interface: 2, member: 3, errorName: 4, replySerial: 5, destination: 6, sender: 7, signature: 8 } as const
const FIELD_TYPE: Record<number, string> = { 1: 'o', 2: 's', 3: 's', 4: 's', 5: 'u', 6: 's', 7: 's', 8: 'g' }

/** Splits a signature into its complete types ("sa{sv}as" → ["s", "a{sv}", "as"]). */
export function splitSignature(signature: string): string[] {
  const out: string[] = []
  let i = 0
  while (i < signature.length) {
    const end = completeTypeEnd(signature, i)
    out.push(signature.slice(i, end))
    i = end
  }
  return out
}

function completeTypeEnd(sig: string, start: number): number {
  const c = sig[start]
  if (c === 'a') return completeTypeEnd(sig, start + 1)
  if (c === '(' || c === '{') {
    const close = c === '(' ? ')' : '}'
    let i = start + 1
    while (sig[i] !== close) {
      if (i >= sig.length) throw new Error(`unterminated ${c} in signature ${sig}`)
      i = completeTypeEnd(sig, i)
    }
    return i + 1
  }
  if (c === undefined || !'ybnqiuxtdsogvh'.includes(c)) throw new Error(`unsupported type ${String(c)} in signature ${sig}`)
  return start + 1
}

function alignmentOf(type: string): number {
  const c = type[0]
  if (c === 'y' || c === 'g' || c === 'v') return 1
  if (c === 'n' || c === 'q') return 2
  if (c === 'x' || c === 't' || c === 'd' || c === '(' || c === '{') return 8
  return 4
}

class Writer {
  private bytes: number[] = []

  get length(): number {
    return this.bytes.length
  }

  align(n: number): void {
    while (this.bytes.length % n !== 0) this.bytes.push(0)
  }

  private u32(n: number): void {
    this.align(4)
    this.bytes.push(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff)
  }

  private setU32(at: number, n: number): void {
    this.bytes[at] = n & 0xff
    this.bytes[at + 1] = (n >>> 8) & 0xff
    this.bytes[at + 2] = (n >>> 16) & 0xff
    this.bytes[at + 3] = (n >>> 24) & 0xff
  }

  write(type: string, value: DbusValue): void {
    const c = type[0]
    switch (c) {
      case 'y':
        this.bytes.push(Number(value) & 0xff)
        return
      case 'b':
        this.u32(value === true ? 1 : 0)
        return
      case 'u':
      case 'i':
        this.u32(Number(value) >>> 0)
        return
      case 's':
      case 'o': {
        const b = Buffer.from(String(value), 'utf8')
        this.u32(b.length)
        this.bytes.push(...b, 0)
        return
      }
      case 'g': {
        const b = Buffer.from(String(value), 'utf8')
        this.bytes.push(b.length, ...b, 0)
        return
      }
      case 'v': {
        const [sig, inner] = value as readonly [string, DbusValue]
        this.write('g', sig)
        this.write(sig, inner)
        return
      }
      case 'a': {
        const element = type.slice(1)
        this.u32(0)
        const lengthAt = this.bytes.length - 4
        this.align(alignmentOf(element))
        const start = this.bytes.length
        for (const item of value as DbusValue[]) this.write(element, item)
        this.setU32(lengthAt, this.bytes.length - start)
        return
      }
      case '(':
      case '{': {
        this.align(8)
        const members = splitSignature(type.slice(1, -1))
        const values = value as DbusValue[]
        members.forEach((m, i) => {
          this.write(m, values[i] as DbusValue)
        })
        return
      }
      default:
        throw new Error(`cannot write type ${type}`)
    }
  }

  finish(): Buffer {
    return Buffer.from(this.bytes)
  }
}

class Reader {
  constructor(
    private readonly buf: Buffer,
    private pos: number
  ) {}

  get offset(): number {
    return this.pos
  }

  align(n: number): void {
    this.pos = Math.ceil(this.pos / n) * n
  }

  private u32(): number {
    this.align(4)
    const n = this.buf.readUInt32LE(this.pos)
    this.pos += 4
    return n
  }

  read(type: string): DbusValue {
    const c = type[0]
    switch (c) {
      case 'y':
        return this.buf[this.pos++] as number
      case 'b':
        return this.u32() === 1
      case 'u':
        return this.u32()
      case 'i': {
        this.align(4)
        const n = this.buf.readInt32LE(this.pos)
        this.pos += 4
        return n
      }
      case 's':
      case 'o': {
        const len = this.u32()
        const s = this.buf.toString('utf8', this.pos, this.pos + len)
        this.pos += len + 1
        return s
      }
      case 'g': {
        const len = this.buf[this.pos++] as number
        const s = this.buf.toString('utf8', this.pos, this.pos + len)
        this.pos += len + 1
        return s
      }
      case 'v': {
        const sig = this.read('g') as string
        return [sig, this.read(sig)]
      }
      case 'a': {
        const element = type.slice(1)
        const len = this.u32()
        this.align(alignmentOf(element))
        const end = this.pos + len
        const out: DbusValue[] = []
        while (this.pos < end) out.push(this.read(element))
        return out
      }
      case '(':
      case '{': {
        this.align(8)
        return splitSignature(type.slice(1, -1)).map(m => this.read(m))
      }
      default:
        throw new Error(`cannot read type ${type}`)
    }
  }
}

/** The bytes of one message (serial given by the connection). */
export function encodeMessage(m: Omit<DbusMessage, 'body'> & { body?: DbusValue[] }): Buffer {
  const fields: DbusValue[] = []
  const add = (code: number, value: string | number | undefined): void => {
    if (value !== undefined) fields.push([code, [FIELD_TYPE[code] as string, value]])
  }
  const body = m.body ?? []
  const signature = m.signature ?? ''
  add(FIELD.path, m.path)
  add(FIELD.interface, m.interface)
  add(FIELD.member, m.member)
  add(FIELD.errorName, m.errorName)
  add(FIELD.replySerial, m.replySerial)
  add(FIELD.destination, m.destination)
  if (signature !== '') add(FIELD.signature, signature)
  const bodyWriter = new Writer()
  splitSignature(signature).forEach((type, i) => {
    bodyWriter.write(type, body[i] as DbusValue)
  })
  const bodyBytes = bodyWriter.finish()
  const header = new Writer()
  header.write('y', 'l'.charCodeAt(0))
  header.write('y', m.type)
  header.write('y', 0)
  header.write('y', 1)
  header.write('u', bodyBytes.length)
  header.write('u', m.serial)
  header.write('a(yv)', fields)
  header.align(8)
  return Buffer.concat([header.finish(), bodyBytes])
}

/** The length of the first message in `buf`, or undefined while it is incomplete. */
export function messageLength(buf: Buffer): number | undefined {
  if (buf.length < 16) return undefined
  const bodyLength = buf.readUInt32LE(4)
  const fieldsLength = buf.readUInt32LE(12)
  const total = Math.ceil((16 + fieldsLength) / 8) * 8 + bodyLength
  return buf.length >= total ? total : undefined
}

/** Parses one complete message (see messageLength). */
export function decodeMessage(buf: Buffer): DbusMessage {
  if (buf[0] !== 'l'.charCodeAt(0)) throw new Error('only little-endian messages are supported')
  const r = new Reader(buf, 12)
  const fields = r.read('a(yv)') as [number, [string, DbusValue]][]
  r.align(8)
  const m: DbusMessage = { type: buf[1] as number, serial: buf.readUInt32LE(8), body: [] }
  const names = Object.entries(FIELD)
  for (const [code, [, value]] of fields) {
    const name = names.find(([, c]) => c === code)?.[0] as keyof typeof FIELD | undefined
    if (name !== undefined) (m as unknown as Record<string, DbusValue>)[name] = value
  }
  const body = new Reader(buf, r.offset)
  // alignment inside the body is relative to the message start, which the 8-aligned body keeps
  m.body = splitSignature(m.signature ?? '').map(t => body.read(t))
  return m
}
