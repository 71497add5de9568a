/**
 * The item list's in-memory index: items sorted by title once, each with a lower-cased haystack,
 * so that a keystroke filters 10,000 items with a few thousand `includes` calls and no sorting.
 */
import type { Item } from '../../daemon/vault/Item.js'
import { expiryOf } from './itemTypes.js'

/** Typed fields a search finds, none secret (as the daemon's search): a card's holder, brand and last four digits, an identity's name, company and e-mail. */
function typedWords(item: Item): string[] {
  const c = item.card
  const i = item.identity
  if (c !== undefined) return [c.cardholder, c.brand, c.number.slice(-4)]
  if (i !== undefined) return [i.firstName, i.middleName, i.lastName, i.company, i.email]
  return []
}

export interface ListFilter {
  /** a vault's name, or '' for every vault */
  vault: string
  /** 'all' | 'favorites' | 'trash' | 'expiring' | 'folder:NAME' | 'tag:NAME' | 'type:TYPE' */
  section: string
  query: string
}

interface Entry {
  item: Item
  /** lower-cased words a search looks in; made on the first search (a list with no query needs none) */
  haystack?: string
  title: string
}

const haystackOf = (item: Item): string =>
  [item.title, item.username, item.folder, ...item.urls, ...item.tags, ...typedWords(item)].join('\n').toLowerCase()

export class ItemIndex {
  private readonly entries: Entry[]

  constructor(items: Iterable<Item>) {
    this.entries = []
    for (const item of items) this.entries.push({ item, title: item.title.toLowerCase() })
    this.entries.sort((a, b) => (a.title < b.title ? -1 : a.title > b.title ? 1 : a.item.id < b.item.id ? -1 : 1))
  }

  get size(): number {
    return this.entries.length
  }

  /** Items passing the filter, in title order; every word of the query must match somewhere. */
  filter({ vault, section, query }: ListFilter): Item[] {
    const words = query
      .toLowerCase()
      .split(/\s+/)
      .filter(w => w !== '')
    const trash = section === 'trash'
    const folder = section.startsWith('folder:') ? section.slice(7) : undefined
    const tag = section.startsWith('tag:') ? section.slice(4) : undefined
    const type = section.startsWith('type:') ? section.slice(5) : undefined
    const now = Date.now()
    const out: Item[] = []
    for (const entry of this.entries) {
      const item = entry.item
      if (item.trashed !== trash) continue
      if (vault !== '' && item.vault !== vault) continue
      if (section === 'favorites' && !item.favorite) continue
      if (folder !== undefined && item.folder !== folder && !item.folder.startsWith(`${folder}/`)) continue
      if (tag !== undefined && !item.tags.includes(tag)) continue
      if (type !== undefined && item.type !== type) continue
      if (section === 'expiring' && expiryOf(item, now) === undefined) continue
      let ok = true
      if (words.length > 0) entry.haystack ??= haystackOf(item)
      for (const w of words)
        if (!(entry.haystack as string).includes(w)) {
          ok = false
          break
        }
      if (ok) out.push(item)
    }
    return out
  }

  /** Folder names, tags and item types in use by live items (of one vault, or of all when vault is ''), and how many have expired or expire soon. */
  facets(vault: string): { folders: string[]; tags: string[]; types: Array<Item['type']>; expiring: number } {
    const folders = new Set<string>()
    const tags = new Set<string>()
    const types = new Set<Item['type']>()
    let expiring = 0
    const now = Date.now()
    for (const { item } of this.entries) {
      if (item.trashed || (vault !== '' && item.vault !== vault)) continue
      if (item.folder !== '') folders.add(item.folder)
      for (const t of item.tags) tags.add(t)
      types.add(item.type)
      if (expiryOf(item, now) !== undefined) expiring++
    }
    const sort = (s: Set<string>): string[] => [...s].sort((a, b) => a.localeCompare(b))
    return { folders: sort(folders), tags: sort(tags), types: [...types], expiring }
  }
}
