/** Item search: the lower-cased text a case-insensitive substring query is matched against. */
import type { Item } from '../vault/Item.js'

/** The lower-cased text a query is matched against (ItemIndex keeps it per item, rebuilt when the item changes). */
export function searchText(item: Item): string {
  return [item.title, item.username, item.folder, item.notes, ...item.urls, ...item.tags].join('\u0000').toLowerCase()
}
