/**
 * Lists a zip archive's entries and reads them with inflate caps: an entry whose declared size or declared compression
 * ratio is above the limit is refused before inflating, and inflation stops as soon as the output passes the declared
 * size (node:zlib `maxOutputLength`), so a lying header cannot make the daemon allocate more than the limit.
 */
import { inflateRawSync } from 'node:zlib'
import { MAX_IMPORT_BYTES } from './decodeText.js'
import { describeContent } from './detect.js'
import { ImportError } from './errors.js'

export interface InflateLimits {
  /** largest uncompressed size accepted, in bytes */
  maxBytes: number
  /** largest uncompressed/compressed ratio accepted once the entry is above `ratioGraceBytes` */
  maxRatio: number
  /** entries up to this uncompressed size are exempt from the ratio check (tiny files compress well) */
  ratioGraceBytes: number
}

/** Caps for a vault export inside a zip: the import size limit uncompressed, and at most 100:1 above 1 MiB. */
export const ZIP_LIMITS: InflateLimits = { maxBytes: MAX_IMPORT_BYTES, maxRatio: 100, ratioGraceBytes: 1024 * 1024 }

const EOCD = 0x06054b50
const EOCD64_LOCATOR = 0x07064b50
const EOCD64 = 0x06064b50
const CENTRAL = 0x02014b50
const LOCAL = 0x04034b50

/** One entry of a zip's central directory: where its bytes are and the sizes its header declares. */
export interface ZipEntry {
  name: string
  method: number
  compressed: number
  size: number
  localOffset: number
}

const MiB = (n: number): string => `${(n / 1048576).toFixed(n < 1048576 ? 2 : 0)} MiB`

function badZip(format: string, data: Uint8Array, what: string): ImportError {
  return new ImportError(format, `not a readable zip archive (${describeContent(data)}): ${what}; is it truncated?`)
}

function reader(
  format: string,
  data: Uint8Array
): { u16: (at: number) => number; u32: (at: number) => number; u64: (at: number) => number } {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  const u32 = (at: number): number => {
    if (at < 0 || at + 4 > data.length) throw badZip(format, data, 'a header points outside the file')
    return view.getUint32(at, true)
  }
  const u16 = (at: number): number => {
    if (at < 0 || at + 2 > data.length) throw badZip(format, data, 'a header points outside the file')
    return view.getUint16(at, true)
  }
  return { u16, u32, u64: (at: number): number => u32(at) + u32(at + 4) * 2 ** 32 }
}

/** Every entry of the archive's central directory, by name (nothing is inflated); throws ImportError(format) on a bad zip. */
export function zipEntries(format: string, data: Uint8Array): Map<string, ZipEntry> {
  const { u16, u32, u64 } = reader(format, data)
  let e = data.length - 22
  while (e >= 0 && !(u32(e) === EOCD)) {
    if (data.length - e > 65558 || e === 0) throw badZip(format, data, 'no end-of-central-directory record')
    e--
  }
  if (e < 0) throw badZip(format, data, 'no end-of-central-directory record')
  let count = u16(e + 10)
  let offset = u32(e + 16)
  if (e >= 20 && u32(e - 20) === EOCD64_LOCATOR) {
    const z = u64(e - 12)
    if (u32(z) === EOCD64) {
      count = u64(z + 32)
      offset = u64(z + 48)
    }
  }
  const entries = new Map<string, ZipEntry>()
  for (let i = 0, o = offset; i < count; i++) {
    if (u32(o) !== CENTRAL) throw badZip(format, data, 'a broken central directory')
    const nameLength = u16(o + 28)
    const extraLength = u16(o + 30)
    const commentLength = u16(o + 32)
    if (o + 46 + nameLength > data.length) throw badZip(format, data, 'a header points outside the file')
    const name = new TextDecoder().decode(data.subarray(o + 46, o + 46 + nameLength))
    const entry: ZipEntry = { name, method: u16(o + 10), compressed: u32(o + 20), size: u32(o + 24), localOffset: u32(o + 42) }
    readZip64Extra(entry, o + 46 + nameLength, extraLength, u16, u64)
    if (!entries.has(name)) entries.set(name, entry)
    o += 46 + nameLength + extraLength + commentLength
  }
  return entries
}

/** The bytes of one listed entry, inflated under `limits` (declared size and ratio checked first, output capped at the declared size). */
export function inflateZipEntry(format: string, data: Uint8Array, entry: ZipEntry, limits: InflateLimits = ZIP_LIMITS): Uint8Array {
  const { u16, u32 } = reader(format, data)
  const name = entry.name
  checkDeclared(format, name, entry, limits)
  const l = entry.localOffset
  if (u32(l) !== LOCAL) throw badZip(format, data, 'a broken local header')
  const start = l + 30 + u16(l + 26) + u16(l + 28)
  if (start + entry.compressed > data.length) throw badZip(format, data, `'${name}' runs past the end of the file`)
  const raw = data.subarray(start, start + entry.compressed)
  if (entry.method === 0) {
    if (raw.length !== entry.size)
      throw new ImportError(format, `'${name}' is stored with ${raw.length} bytes, not the ${entry.size} its header declares`)
    return raw.slice()
  }
  if (entry.method !== 8) throw new ImportError(format, `'${name}' uses zip compression method ${entry.method}; only deflate is read`)
  let out: Buffer
  try {
    out = inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.size) })
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
      throw new ImportError(
        format,
        `'${name}' inflates past its declared ${MiB(entry.size)} (a zip bomb?); refused at the ${MiB(Math.max(1, entry.size))} limit`,
        { cause: err }
      )
    throw new ImportError(format, `'${name}' is not valid deflate data (${describeContent(data)}); is the file truncated?`, { cause: err })
  }
  if (out.length !== entry.size)
    throw new ImportError(format, `'${name}' inflates to ${out.length} bytes, not the ${entry.size} its header declares`)
  return new Uint8Array(out.buffer, out.byteOffset, out.length)
}

/** Throws when `size` bytes from `compressed` is a ratio above the limit (for sizes above the grace): a bomb, refused before inflating. */
export function checkRatio(format: string, what: string, size: number, compressed: number, limits: InflateLimits): void {
  const ratio = size / Math.max(1, compressed)
  if (size > limits.ratioGraceBytes && ratio > limits.maxRatio)
    throw new ImportError(
      format,
      `${what} declares a compression ratio of ${Math.round(ratio)}:1, above the ${limits.maxRatio}:1 limit (a zip bomb?)`
    )
}

function checkDeclared(format: string, name: string, entry: ZipEntry, limits: InflateLimits): void {
  if (entry.size > limits.maxBytes)
    throw new ImportError(format, `'${name}' declares ${MiB(entry.size)} uncompressed, above the ${MiB(limits.maxBytes)} limit`)
  checkRatio(format, `'${name}'`, entry.size, entry.compressed, limits)
}

/** Replaces 0xFFFFFFFF sizes and offset with the ZIP64 extra field's 64-bit values. */
function readZip64Extra(entry: ZipEntry, at: number, length: number, u16: (at: number) => number, u64: (at: number) => number): void {
  const MAX = 0xffffffff
  for (let p = at; p + 4 <= at + length; p += 4 + u16(p + 2)) {
    if (u16(p) !== 0x0001) continue
    let q = p + 4
    if (entry.size === MAX) {
      entry.size = u64(q)
      q += 8
    }
    if (entry.compressed === MAX) {
      entry.compressed = u64(q)
      q += 8
    }
    if (entry.localOffset === MAX) entry.localOffset = u64(q)
    return
  }
}
