/** Byte encodings shared by the layers' binary formats: hex, base64url, big-endian integers. */
export const toHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')
export const fromHex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'))
export const toBase64Url = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64url')
export const fromBase64Url = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64url'))
export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0
  for (const p of parts) n += p.length
  const out = new Uint8Array(n)
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}
