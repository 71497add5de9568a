/**
 * The files of 1PUX items: the zip's `files/<documentId>__<fileName>` entries, named by a Document item's
 * `details.documentAttributes` and by section fields whose value is `{"file": {fileName, documentId, decryptedSize}}`.
 * Each is inflated under the attachment caps (a bomb is an ImportError, a file above the limit a warning).
 */
import type { ImportedFiles } from './importedFiles.js'
import { obj, str } from './jsonShape.js'
import type { ImportedAttachment } from './types.js'
import { checkRatio, inflateZipEntry, type ZipEntry } from './zipEntry.js'

/** Which file of the zip an item names, and the name it gives it. */
export interface OnePasswordFileRef {
  fileName: string
  documentId: string
}

/** `{fileName, documentId, …}` as a reference, or undefined when it names no document. */
export function fileRef(v: unknown): OnePasswordFileRef | undefined {
  const o = obj(v)
  const documentId = str(o.documentId)
  return documentId === '' ? undefined : { fileName: str(o.fileName), documentId }
}

/** The `files/` folder of one 1PUX archive. */
export class OnePasswordFiles {
  private readonly byId = new Map<string, ZipEntry>()

  constructor(
    private readonly format: string,
    private readonly data: Uint8Array,
    entries: ReadonlyMap<string, ZipEntry>,
    private readonly files: ImportedFiles
  ) {
    for (const [name, entry] of entries) {
      if (!name.startsWith('files/') || name.endsWith('/')) continue
      const rest = name.slice('files/'.length)
      const sep = rest.indexOf('__')
      const id = sep > 0 ? rest.slice(0, sep) : rest
      if (!this.byId.has(id)) this.byId.set(id, entry)
    }
  }

  /** The files an item names (each document once), in the order named; `label` names the item in warnings. */
  itemFiles(refs: readonly OnePasswordFileRef[], label: string): ImportedAttachment[] {
    const out: ImportedAttachment[] = []
    const seen = new Set<string>()
    for (const ref of refs) {
      if (seen.has(ref.documentId)) continue
      seen.add(ref.documentId)
      const entry = this.byId.get(ref.documentId)
      const name = ref.fileName !== '' ? ref.fileName : (entry?.name.split('__').slice(1).join('__') ?? '')
      if (entry === undefined) {
        this.files.missing(label, name, 'the 1PUX names documents its files/ folder does not hold', `document ${ref.documentId}`)
        continue
      }
      checkRatio(this.format, `'${entry.name}'`, entry.size, entry.compressed, this.files.inflateLimits)
      if (!this.files.fits(label, name, entry.size)) continue
      this.files.add(out, label, name, inflateZipEntry(this.format, this.data, entry, this.files.inflateLimits))
    }
    return out
  }
}
