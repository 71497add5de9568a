/**
 * The files an import brings, item by item: a name the attachment store accepts, unique on its item (`a.txt`,
 * `a (2).txt`), a file above the per-file limit skipped with a warning naming the item and the file, a file the
 * export references but does not hold noted the same way, and a ceiling on all the files of one import together
 * (many small bombs are one big one), refused with an ImportError.
 */
import { MAX_IMPORT_BYTES } from './decodeText.js'
import { ImportError } from './errors.js'
import { DEFAULT_ATTACHMENT_LIMIT_BYTES, type ImportedAttachment } from './types.js'
import type { Warnings } from './warnings.js'
import type { InflateLimits } from './zipEntry.js'

/** All the files of one import together may inflate to at most this (twice the largest file an import reads). */
export const MAX_IMPORTED_FILES_BYTES = 2 * MAX_IMPORT_BYTES

/** A file that is compressed in the export: at most the attachment limit, and at most 100:1 above 1 MiB (as zip entries). */
export const ATTACHMENT_INFLATE_LIMITS: InflateLimits = {
  maxBytes: DEFAULT_ATTACHMENT_LIMIT_BYTES,
  maxRatio: 100,
  ratioGraceBytes: 1024 * 1024
}

const MiB = 1024 * 1024
const MB = (n: number): string => `${Number.isInteger(n / MiB) ? n / MiB : (n / MiB).toFixed(1)} MB`
/** A size above `limit`, in bytes when MB would round it to the limit. */
const sizeAbove = (n: number, limit: number): string =>
  (n / MiB).toFixed(1) === (limit / MiB).toFixed(1) ? `${n.toLocaleString('en')} bytes` : `${(n / MiB).toFixed(1)} MB`

/** At most this many characters in a file name (the attachment store's rule: service/AttachmentService.ts). */
const MAX_NAME = 255

/** `stem` + `tail`, the stem cut so the whole has at most MAX_NAME characters (code points). */
function capped(stem: string, tail: string): string {
  const room = MAX_NAME - [...tail].length
  const chars = [...stem]
  return (chars.length > room ? chars.slice(0, Math.max(1, room)).join('') : stem) + tail
}

/**
 * A name the attachment store accepts, as close to the file's as can be: trimmed, `/`, `\` and control
 * characters replaced by `_`, at most 255 characters (the extension kept), `attachment` when nothing is left.
 */
export function storableName(raw: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: replacing control characters is the point
  const name = raw.trim().replace(/[\u0000-\u001f\u007f/\\]/g, '_')
  if (name === '' || name === '.' || name === '..') return 'attachment'
  const dot = name.lastIndexOf('.')
  const ext = dot > 0 && [...name.slice(dot)].length <= 16 ? name.slice(dot) : ''
  return capped(ext === '' ? name : name.slice(0, dot), ext)
}

/** `name` made storable, or `name (2)`, `name (3)`… (before the extension) when the item already has a file of that name. */
export function uniqueName(taken: readonly ImportedAttachment[], raw: string): string {
  const base = storableName(raw)
  const names = new Set(taken.map(a => a.name))
  if (!names.has(base)) return base
  const dot = base.lastIndexOf('.')
  const [stem, ext] = dot > 0 ? [base.slice(0, dot), base.slice(dot)] : [base, '']
  for (let n = 2; ; n++) {
    const candidate = capped(stem, ` (${n})${ext}`)
    if (!names.has(candidate)) return candidate
  }
}

/** One import's files: see the module comment. */
export class ImportedFiles {
  private total = 0

  constructor(
    private readonly format: string,
    private readonly warnings: Warnings,
    readonly limit: number = DEFAULT_ATTACHMENT_LIMIT_BYTES
  ) {}

  /** Limits for inflating one compressed file of this import. */
  get inflateLimits(): InflateLimits {
    return { ...ATTACHMENT_INFLATE_LIMITS, maxBytes: this.limit }
  }

  /** Whether a file of `size` bytes is imported; when not, a warning names `label`'s item and the file. */
  fits(label: string, name: string, size: number): boolean {
    if (size <= this.limit) return true
    this.warnings.note(`files above the ${MB(this.limit)} limit were not imported`, `${label} (${name}, ${sizeAbove(size, this.limit)})`)
    return false
  }

  /** Adds a file to an item's list (`files`), unless it is above the limit; throws past {@link MAX_IMPORTED_FILES_BYTES} in all. */
  add(files: ImportedAttachment[], label: string, name: string, data: Uint8Array): void {
    if (!this.fits(label, name, data.length)) return
    if (this.total + data.length > MAX_IMPORTED_FILES_BYTES)
      throw new ImportError(
        this.format,
        `the files in this export come to more than ${MB(MAX_IMPORTED_FILES_BYTES)} in all (a zip bomb?); refused`
      )
    this.total += data.length
    files.push({ name: uniqueName(files, name), data })
  }

  /** A file the export names but whose bytes it does not hold: `why` is said once per kind, `where` after each file. */
  missing(label: string, name: string, why: string, where: string): void {
    this.warnings.note(`files whose bytes are not in the export were not imported (${why})`, `${label} (${name}, ${where})`)
  }
}
