/** Item search: case-insensitive substring match over the fields a person searches by. */
import type { Item } from '../vault/Item.js'

/** The lower-cased text a query is matched against (kept per item, rebuilt when it changes). */
export function searchText (item: Item): string {
  return [item.title, item.username, item.folder, item.notes, ...item.urls, ...item.tags].join('\u0000').toLowerCase()
}

export function matchesQuery (item: Item, q: string): boolean {
  const needle = q.trim().toLowerCase()
  return needle === '' || searchText(item).includes(needle)
}
