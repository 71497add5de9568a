/**
 * Files in KeePass 2 XML: each distinct file (by SHA-256) once in `<Meta><Binaries>` as
 * `<Binary ID="N" Compressed="True">` holding its gzip-compressed bytes in base64, and each entry
 * naming its files with `<Binary><Key>name</Key><Value Ref="N"/></Binary>` (names unique per entry).
 */
import { promisify } from 'node:util'
import { gzip } from 'node:zlib'
import type { AttachmentInfo, Item } from '../vault/Item.js'
import type { ByteChunks } from './ByteChunks.js'
import { attachmentBytes } from './exportedAttachment.js'
import type { ExportOptions } from './types.js'

const gzipAsync = promisify(gzip)

/** `name`, or `name (2).ext`, `name (3).ext`… when the entry already has a file so named. */
export function uniqueName(name: string, used: Set<string>): string {
  const base = name.trim() === '' ? 'Attachment' : name
  const dot = base.lastIndexOf('.')
  const [stem, ext] = dot > 0 ? [base.slice(0, dot), base.slice(dot)] : [base, '']
  let out = base
  for (let k = 2; used.has(out); k++) out = `${stem} (${k})${ext}`
  used.add(out)
  return out
}

export class KeepassBinaries {
  /** SHA-256 → the pool index every entry with that file refers to */
  private readonly refs = new Map<string, number>()
  /** per pool index, the first item holding the file (its bytes are read through it) */
  private readonly sources: Array<{ item: Item; info: AttachmentInfo }> = []

  constructor(items: readonly Item[]) {
    for (const item of items)
      for (const info of item.attachments) {
        if (this.refs.has(info.sha256)) continue
        this.refs.set(info.sha256, this.sources.length)
        this.sources.push({ item, info })
      }
  }

  /** Writes `<Binaries>…</Binaries>` (nothing when no item has a file), reading, compressing and encoding one file at a time. */
  async write(out: ByteChunks, format: string, options: ExportOptions): Promise<void> {
    if (this.sources.length === 0) return
    out.text('<Binaries>')
    for (const [n, { item, info }] of this.sources.entries()) {
      const packed = await gzipAsync(await attachmentBytes(format, item, info, options))
      out.text(`<Binary ID="${n}" Compressed="True">`).base64(packed).text('</Binary>')
    }
    out.text('</Binaries>')
  }

  /** The entry's references to its files, with `key` to escape the names. */
  entryRefs(item: Item, key: (name: string) => string): string {
    const used = new Set<string>()
    return item.attachments
      .map(info => `<Binary><Key>${key(uniqueName(info.name, used))}</Key><Value Ref="${this.refs.get(info.sha256) as number}"/></Binary>`)
      .join('')
  }
}
