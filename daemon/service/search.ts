/** Item search: the lower-cased text a case-insensitive substring query is matched against. */
import type { Item } from '../vault/Item.js'

/**
 * The typed fields a search may find, none of them secret: a card's holder, brand and last four
 * digits (what a statement or a masked card shows), an identity's name, company and e-mail.
 */
export function typedSearchWords(item: Pick<Item, 'card' | 'identity'>): string[] {
  const words: string[] = []
  if (item.card !== undefined) {
    words.push(item.card.cardholder, item.card.brand)
    if (item.card.number.length >= 4) words.push(item.card.number.slice(-4))
  }
  if (item.identity !== undefined) {
    const { firstName, middleName, lastName, company, email } = item.identity
    words.push([firstName, middleName, lastName].filter(w => w !== '').join(' '), company, email)
  }
  return words.filter(w => w !== '')
}

/** The lower-cased text a query is matched against (ItemIndex keeps it per item, rebuilt when the item changes). */
export function searchText(item: Item): string {
  return [item.title, item.username, item.folder, item.notes, ...item.urls, ...item.tags, ...typedSearchWords(item)]
    .join('\u0000')
    .toLowerCase()
}
