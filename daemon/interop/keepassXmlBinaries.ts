/**
 * The files of KeePass XML entries: the pool `Meta/Binaries/Binary[@ID][@Compressed]` (base64, gzip when
 * compressed), referenced by each entry's `<Binary><Key>name</Key><Value Ref="ID"/></Binary>`, or a value held
 * inline in the entry. Each pool file is decoded once, when an entry first references it, under the caps of
 * gunzipCapped.ts; a reference to a file the pool lacks (KeePassXC's XML export of a KDBX 4 database has none) is a
 * warning naming the entry and the file.
 */
import { ImportError } from './errors.js'
import { gunzipCapped, type Gunzipped } from './gunzipCapped.js'
import type { ImportedFiles } from './importedFiles.js'
import { arr, obj, str } from './jsonShape.js'
import type { ImportedAttachment } from './types.js'

const BASE64 = /^[A-Za-z0-9+/\s]*=?\s*=?\s*$/

/** Text content of a parsed element (a string, or an object with `#text` when it has attributes). */
function text(v: unknown): string {
  if (typeof v === 'string') return v
  return str(obj(v)['#text'])
}

const isTrue = (v: unknown): boolean => str(v).toLowerCase() === 'true'

/** The files of the entries of one KeePass XML document. */
export class KeePassXmlBinaries {
  private readonly pool = new Map<string, unknown>()
  private readonly decoded = new Map<string, Gunzipped>()

  constructor(
    private readonly format: string,
    meta: Record<string, unknown>,
    private readonly files: ImportedFiles
  ) {
    for (const b of arr(obj(meta.Binaries).Binary)) {
      const id = str(obj(b)['@_ID'])
      if (id !== '' && !this.pool.has(id)) this.pool.set(id, b)
    }
  }

  /** The files of one entry (`label` names it in warnings and errors), in document order. */
  entryFiles(entry: Record<string, unknown>, label: string): ImportedAttachment[] {
    const out: ImportedAttachment[] = []
    for (const b of arr(entry.Binary).map(obj)) {
      const name = text(b.Key)
      const ref = str(obj(b.Value)['@_Ref'])
      let got: Gunzipped | undefined
      if (ref === '') got = this.decode(b.Value, `the file '${name}' of ${label}`)
      else {
        got = this.byRef(ref)
        if (got === undefined) {
          this.files.missing(
            label,
            name,
            "the XML references binaries it does not hold; KeePassXC's XML export of a KDBX 4 database holds none: import the .kdbx file instead",
            `binary ${ref}`
          )
          continue
        }
      }
      if ('tooLarge' in got) this.files.fits(label, name, got.tooLarge)
      else this.files.add(out, label, name, got.data)
    }
    return out
  }

  private byRef(ref: string): Gunzipped | undefined {
    const cached = this.decoded.get(ref)
    if (cached !== undefined) return cached
    const node = this.pool.get(ref)
    if (node === undefined) return undefined
    const got = this.decode(node, `binary ${ref}`)
    this.decoded.set(ref, got)
    return got
  }

  /** A `<Binary ID>` of the pool or an inline `<Value>`: base64, gzip when `Compressed="True"`. */
  private decode(node: unknown, what: string): Gunzipped {
    const attrs = obj(node)
    if (isTrue(attrs['@_Protected']))
      throw new ImportError(
        this.format,
        `${what} is encrypted (Protected="True"): this XML came from inside a KDBX file, not from an export`
      )
    const content = text(node)
    if (!BASE64.test(content)) throw new ImportError(this.format, `${what} is not base64 data; is the file truncated or edited?`)
    const bytes = new Uint8Array(Buffer.from(content, 'base64'))
    if (isTrue(attrs['@_Compressed'])) {
      if (bytes.length === 0) return { data: bytes }
      return gunzipCapped(this.format, bytes, what, this.files.inflateLimits)
    }
    return bytes.length > this.files.limit ? { tooLarge: bytes.length } : { data: bytes }
  }
}
