/** Item search: case-insensitive substring match over the fields a person searches by. */
import type { Item } from '../vault/Item.js'

export function matchesQuery (item: Item, q: string): boolean {
  const needle = q.trim().toLowerCase()
  if (needle === '') return true
  if (item.title.toLowerCase().includes(needle)) return true
  if (item.username.toLowerCase().includes(needle)) return true
  if (item.folder.toLowerCase().includes(needle)) return true
  if (item.notes.toLowerCase().includes(needle)) return true
  for (const url of item.urls) if (url.toLowerCase().includes(needle)) return true
  for (const tag of item.tags) if (tag.toLowerCase().includes(needle)) return true
  return false
}
