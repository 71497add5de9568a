/**
 * The item list's in-memory index: items sorted by title once, each with a lower-cased haystack,
 * so that a keystroke filters 10,000 items with a few thousand `includes` calls and no sorting.
 */
import type { Item } from '../../daemon/vault/Item.js'

export interface ListFilter {
  /** a vault's name, or '' for every vault */
  vault: string
  /** 'all' | 'favorites' | 'trash' | 'folder:NAME' | 'tag:NAME' */
  section: string
  query: string
}

interface Entry {
  item: Item
  haystack: string
  title: string
}

export class ItemIndex {
  private readonly entries: Entry[]

  constructor(items: Iterable<Item>) {
    this.entries = []
    for (const item of items) {
      const haystack = [item.title, item.username, item.folder, ...item.urls, ...item.tags].join('\n').toLowerCase()
      this.entries.push({ item, haystack, title: item.title.toLowerCase() })
    }
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
    const out: Item[] = []
    for (const { item, haystack } of this.entries) {
      if (item.trashed !== trash) continue
      if (vault !== '' && item.vault !== vault) continue
      if (section === 'favorites' && !item.favorite) continue
      if (folder !== undefined && item.folder !== folder && !item.folder.startsWith(`${folder}/`)) continue
      if (tag !== undefined && !item.tags.includes(tag)) continue
      let ok = true
      for (const w of words)
        if (!haystack.includes(w)) {
          ok = false
          break
        }
      if (ok) out.push(item)
    }
    return out
  }

  /** Folder names and tags in use by live items (of one vault, or of all when vault is ''). */
  facets(vault: string): { folders: string[]; tags: string[] } {
    const folders = new Set<string>()
    const tags = new Set<string>()
    for (const { item } of this.entries) {
      if (item.trashed || (vault !== '' && item.vault !== vault)) continue
      if (item.folder !== '') folders.add(item.folder)
      for (const t of item.tags) tags.add(t)
    }
    const sort = (s: Set<string>): string[] => [...s].sort((a, b) => a.localeCompare(b))
    return { folders: sort(folders), tags: sort(tags) }
  }
}
