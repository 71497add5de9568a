/** Turns file bytes into text for the text formats: size limit, BOM, UTF-16, strict UTF-8 with the offending byte named. */
import { ImportError } from './errors.js'
import { describeContent } from './detect.js'

/** Files above this size are refused before any parsing (a vault export is rarely above a few MB). */
export const MAX_IMPORT_BYTES = 256 * 1024 * 1024

/** Throws an ImportError when `data` is larger than {@link MAX_IMPORT_BYTES}. */
export function checkSize(format: string, data: Uint8Array): void {
  if (data.length > MAX_IMPORT_BYTES) {
    throw new ImportError(format, `the file is ${(data.length / 1048576).toFixed(0)} MB, above the ${MAX_IMPORT_BYTES / 1048576} MB limit`)
  }
  if (data.length === 0) throw new ImportError(format, 'the file is empty')
}

/**
 * Decodes a text export: strips a UTF-8 BOM, honours a UTF-16 BOM, and otherwise requires valid UTF-8.
 * Binary input (NUL bytes, invalid UTF-8) is refused with an ImportError saying what the file looks like.
 */
export function decodeText(format: string, data: Uint8Array): string {
  checkSize(format, data)
  if (data[0] === 0xff && data[1] === 0xfe) return new TextDecoder('utf-16le').decode(data.subarray(2))
  if (data[0] === 0xfe && data[1] === 0xff) return new TextDecoder('utf-16be').decode(data.subarray(2))
  const start = data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf ? 3 : 0
  const nul = data.subarray(0, 65536).indexOf(0)
  if (nul >= 0) {
    throw new ImportError(format, `this is not a text file (${describeContent(data)})`, { location: `byte ${nul}` })
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(data.subarray(start))
  } catch (err) {
    const at = firstInvalidUtf8(data, start)
    throw new ImportError(format, `the file is not valid UTF-8 text (${describeContent(data)}); save the export as UTF-8`, {
      location: `byte ${at}`,
      cause: err
    })
  }
}

/** Offset of the first byte that breaks UTF-8, or -1. */
function firstInvalidUtf8(b: Uint8Array, start: number): number {
  let i = start
  while (i < b.length) {
    const c = b[i] as number
    const n = c < 0x80 ? 0 : (c & 0xe0) === 0xc0 ? 1 : (c & 0xf0) === 0xe0 ? 2 : (c & 0xf8) === 0xf0 ? 3 : -1
    if (n < 0) return i
    for (let k = 1; k <= n; k++) if (((b[i + k] ?? 0) & 0xc0) !== 0x80) return i
    i += n + 1
  }
  return -1
}
