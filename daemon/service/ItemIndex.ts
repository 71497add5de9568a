/**
 * What lists and searches read for one vault: every item's JSON and lower-cased search text, kept
 * in flat strings of a few hundred items each rather than a string (or object) per item. For
 * 10,000 items that is ~4 MB where per-item strings and a cached whole list took ~10 MB; a list
 * is a join of ~40 strings, a search one `indexOf` pass per chunk, and a change rebuilds only the
 * chunk holding the changed item. Built on first read after unlock; changes mark items stale.
 */
import type { VaultDoc } from '../vault/VaultDoc.js'
import { searchText } from './search.js'

/** Items per chunk: small enough that rebuilding one after an edit is cheap (~1 ms). */
const CHUNK_ITEMS = 256

interface Chunk {
  ids: string[]
  /** the items' JSON, joined by ',' */
  json: string
  /** where each item's JSON ends in `json`; the next one starts one character later */
  jsonEnds: Uint32Array
  /** the items' search texts, joined by '\u0000' */
  hay: string
  hayEnds: Uint32Array
  /** 1 for an item in the trash */
  trashed: Uint8Array
  trashedCount: number
}

// typed-array reads past the end give undefined; every index here is in range
const at = (ends: Uint32Array, i: number): number => ends[i] as number
const start = (ends: Uint32Array, i: number): number => (i === 0 ? 0 : at(ends, i - 1) + 1)
const jsonAt = (c: Chunk, i: number): string => c.json.slice(start(c.jsonEnds, i), at(c.jsonEnds, i))
const hayAt = (c: Chunk, i: number): string => c.hay.slice(start(c.hayEnds, i), at(c.hayEnds, i))

/** Where an index reads items: a document, or a replica that builds its document on first use. */
export interface IndexSource {
  readonly doc: VaultDoc
  /** false while the document is not built yet: an index from a picture then answers without it */
  readonly materialized: boolean
}

export class ItemIndex {
  private chunks: Chunk[] = []
  private readonly chunkOf = new Map<string, Chunk>()
  private readonly stale = new Set<string>()
  private built = false
  private vaultName = ''
  private readonly source: IndexSource

  constructor(
    source: VaultDoc | IndexSource,
    private readonly chunkItems = CHUNK_ITEMS
  ) {
    this.source = 'materialized' in source ? source : { doc: source, materialized: true }
  }

  private get doc(): VaultDoc {
    return this.source.doc
  }

  /** The vault's name and item count, without building the document when a picture answers. */
  get name(): string {
    return this.answersFromPicture() ? this.vaultName : this.doc.name
  }
  get size(): number {
    return this.answersFromPicture() ? this.chunks.reduce((n, c) => n + c.ids.length, 0) : this.doc.size
  }

  /** Built from a picture, with the document not built yet (so nothing can have changed). */
  private answersFromPicture(): boolean {
    return this.built && !this.source.materialized
  }

  /**
   * A picture of this index for ListImage (plaintext: the caller seals it): u32 header length •
   * header JSON (name, and per chunk its ids, ends, trash marks and the UTF-8 byte lengths of its
   * JSON and search text) • each chunk's JSON then search text in UTF-8. Each string is decoded on
   * its own when read, so none is a slice keeping the whole picture alive.
   */
  picture(): Uint8Array {
    this.refresh()
    const encoder = new TextEncoder()
    const parts = this.chunks.flatMap(c => [encoder.encode(c.json), encoder.encode(c.hay)])
    const header = JSON.stringify({
      v: 2,
      name: this.vaultName,
      chunks: this.chunks.map((c, i) => ({
        ids: c.ids,
        j: [...c.jsonEnds],
        h: [...c.hayEnds],
        t: [...c.trashed],
        jb: (parts[2 * i] as Uint8Array).length,
        hb: (parts[2 * i + 1] as Uint8Array).length
      }))
    })
    const head = encoder.encode(header)
    const out = new Uint8Array(4 + head.length + parts.reduce((n, p) => n + p.length, 0))
    new DataView(out.buffer).setUint32(0, head.length)
    out.set(head, 4)
    let at = 4 + head.length
    for (const part of parts) {
      out.set(part, at)
      at += part.length
    }
    return out
  }

  /** An index answering from a picture until the source's document is built; undefined for a malformed picture. */
  static fromPicture(source: IndexSource, picture: Uint8Array, chunkItems = CHUNK_ITEMS): ItemIndex | undefined {
    try {
      const length = new DataView(picture.buffer, picture.byteOffset, picture.byteLength).getUint32(0)
      const decoder = new TextDecoder('utf-8', { fatal: true })
      const header = JSON.parse(decoder.decode(picture.subarray(4, 4 + length))) as PictureHeader
      if (header.v !== 2 || typeof header.name !== 'string' || !Array.isArray(header.chunks)) return undefined
      const index = new ItemIndex(source, chunkItems)
      let offset = 4 + length
      const text = (bytes: number): string => {
        if (!Number.isInteger(bytes) || bytes < 0 || offset + bytes > picture.length) throw new RangeError('past the end')
        offset += bytes
        return decoder.decode(picture.subarray(offset - bytes, offset))
      }
      for (const c of header.chunks) {
        const n = c.ids.length
        if (c.j.length !== n || c.h.length !== n || c.t.length !== n || n === 0) return undefined
        const json = text(c.jb)
        const hay = text(c.hb)
        if (json.length !== c.j[n - 1] || hay.length !== c.h[n - 1]) return undefined
        const chunk: Chunk = {
          ids: c.ids,
          json,
          jsonEnds: Uint32Array.from(c.j),
          hay,
          hayEnds: Uint32Array.from(c.h),
          trashed: Uint8Array.from(c.t),
          trashedCount: c.t.reduce((a, b) => a + b, 0)
        }
        index.chunks.push(chunk)
        for (const id of c.ids) index.chunkOf.set(id, chunk)
      }
      if (offset !== picture.length) return undefined
      index.vaultName = header.name
      index.built = true
      return index
    } catch {
      return undefined
    }
  }

  /** Items that changed, appeared or were purged: they are read again from the document on the next query. */
  invalidate(ids: Iterable<string>): void {
    if (this.built) for (const id of ids) this.stale.add(id)
  }

  /** Appends to `out` the JSON of every live item (or every trashed one). */
  list(trashed: boolean, out: string[]): void {
    this.refresh()
    for (const c of this.chunks) {
      const n = c.ids.length
      const matching = trashed ? c.trashedCount : n - c.trashedCount
      if (matching === n) out.push(c.json)
      else if (matching > 0) for (let i = 0; i < n; i++) if ((c.trashed[i] === 1) === trashed) out.push(jsonAt(c, i))
    }
  }

  /** Appends to `out` the JSON of live (or trashed) items whose search text contains `needle`, which is lower-case. */
  search(needle: string, trashed: boolean, out: string[]): void {
    this.refresh()
    for (const c of this.chunks) {
      let i = 0
      let from = 0
      for (;;) {
        const found = c.hay.indexOf(needle, from)
        if (found < 0) break
        while (at(c.hayEnds, i) < found) i++
        const end = at(c.hayEnds, i)
        if (found >= start(c.hayEnds, i) && found + needle.length <= end) {
          if ((c.trashed[i] === 1) === trashed) out.push(jsonAt(c, i))
          from = end + 1
          i++
          if (i === c.ids.length) break
        } else {
          from = found + 1 // the match spans two items
        }
      }
    }
  }

  private refresh(): void {
    // a document not built yet has not changed since the picture was taken
    if (this.answersFromPicture()) return
    const name = this.doc.name
    if (!this.built || name !== this.vaultName) {
      this.buildAll(name)
      return
    }
    if (this.stale.size === 0) return
    const touched = new Set<Chunk>()
    const added: string[] = []
    for (const id of this.stale) {
      const c = this.chunkOf.get(id)
      if (c !== undefined) touched.add(c)
      else if (this.doc.has(id)) added.push(id)
    }
    this.chunks = this.chunks.map(c =>
      touched.has(c) ? this.rebuild(c.ids.map((id, i) => (this.stale.has(id) ? id : ([c, i] as const)))) : c
    )
    const last = this.chunks.at(-1)
    if (added.length > 0 && last !== undefined && last.ids.length < this.chunkItems) {
      const room = this.chunkItems - last.ids.length
      this.chunks[this.chunks.length - 1] = this.rebuild([...last.ids.map((_, i) => [last, i] as const), ...added.splice(0, room)])
    }
    for (let k = 0; k < added.length; k += this.chunkItems) this.chunks.push(this.rebuild(added.slice(k, k + this.chunkItems)))
    this.chunks = this.chunks.filter(c => c.ids.length > 0)
    this.stale.clear()
  }

  private buildAll(name: string): void {
    this.vaultName = name
    this.chunkOf.clear()
    this.stale.clear()
    this.chunks = []
    let batch: string[] = []
    for (const id of this.doc.ids()) {
      batch.push(id)
      if (batch.length === this.chunkItems) {
        this.chunks.push(this.rebuild(batch))
        batch = []
      }
    }
    if (batch.length > 0) this.chunks.push(this.rebuild(batch))
    this.built = true
  }

  /** A chunk from kept entries (chunk, position) and ids to read from the document (dropped when purged). */
  private rebuild(entries: Array<string | readonly [Chunk, number]>): Chunk {
    const ids: string[] = []
    const json: string[] = []
    const hay: string[] = []
    const trashed: number[] = []
    for (const entry of entries) {
      if (typeof entry !== 'string') {
        const [c, i] = entry
        ids.push(c.ids[i] as string)
        json.push(jsonAt(c, i))
        hay.push(hayAt(c, i))
        trashed.push(c.trashed[i] as number)
        continue
      }
      this.chunkOf.delete(entry)
      const item = this.doc.get(entry, this.vaultName)
      if (item === undefined) continue
      ids.push(entry)
      json.push(JSON.stringify(item))
      hay.push(searchText(item))
      trashed.push(item.trashed ? 1 : 0)
    }
    const chunk: Chunk = {
      ids,
      json: json.join(','),
      jsonEnds: ends(json),
      hay: hay.join('\u0000'),
      hayEnds: ends(hay),
      trashed: Uint8Array.from(trashed),
      trashedCount: trashed.reduce((a, b) => a + b, 0)
    }
    for (const id of ids) this.chunkOf.set(id, chunk)
    return chunk
  }
}

interface PictureHeader {
  v: number
  name: string
  chunks: Array<{ ids: string[]; j: number[]; h: number[]; t: number[]; jb: number; hb: number }>
}

function ends(parts: string[]): Uint32Array {
  const out = new Uint32Array(parts.length)
  let end = -1
  for (let i = 0; i < parts.length; i++) {
    end += 1 + (parts[i] as string).length
    out[i] = end
  }
  return out
}
