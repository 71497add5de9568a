/**
 * Gunzips one compressed file of an export (a KeePass binary with `Compressed="True"`) under the same caps as zip
 * entries: the size the gzip trailer declares is checked before inflating (a ratio above the limit is a bomb and
 * refused; a size above the file limit is reported, not read), and inflation stops as soon as the output passes the
 * declared size, so a lying trailer cannot make the daemon allocate more than that.
 */
import { gunzipSync } from 'node:zlib'
import { ImportError } from './errors.js'
import { checkRatio, type InflateLimits } from './zipEntry.js'

/** The file's bytes, or the size it declares when that is above `limits.maxBytes` (then nothing was inflated). */
export type Gunzipped = { data: Uint8Array } | { tooLarge: number }

/** Gunzips `gz` (a single gzip member); `what` names it in errors ("binary 3"). Throws ImportError(format) on a bomb or broken data. */
export function gunzipCapped(format: string, gz: Uint8Array, what: string, limits: InflateLimits): Gunzipped {
  if (gz.length < 18 || gz[0] !== 0x1f || gz[1] !== 0x8b)
    throw new ImportError(format, `${what} is marked compressed but is not gzip data; is the file truncated or edited?`)
  // ISIZE: the uncompressed size modulo 2^32, little-endian, in the last four bytes
  const declared = new DataView(gz.buffer, gz.byteOffset + gz.length - 4, 4).getUint32(0, true)
  checkRatio(format, what, declared, gz.length, limits)
  if (declared > limits.maxBytes) return { tooLarge: declared }
  let out: Buffer
  try {
    out = gunzipSync(gz, { maxOutputLength: Math.max(1, declared) })
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
      throw new ImportError(format, `${what} inflates past the ${declared} bytes its gzip trailer declares (a gzip bomb?); refused`, {
        cause: err
      })
    throw new ImportError(format, `${what} is not valid gzip data; is the file truncated or edited?`, { cause: err })
  }
  if (out.length !== declared)
    throw new ImportError(format, `${what} inflates to ${out.length} bytes, not the ${declared} its gzip trailer declares`)
  return { data: new Uint8Array(out.buffer, out.byteOffset, out.length) }
}
