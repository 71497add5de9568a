/** "Re-import is safe": a key per item (normalised title + username + first URL) and a split of incoming items into fresh and already-present. */
import type { ImportedItem } from './types.js'

/** What dedupeKey reads: any vault item or imported item. */
export type ItemLike = Pick<ImportedItem, 'title' | 'username' | 'urls'> &
  Partial<Pick<ImportedItem, 'type' | 'card' | 'identity' | 'sshKey'>>

function norm(s: string): string {
  return s.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase()
}

/** A URL compared loosely: lower-case scheme and host, no trailing slash, no default port; non-URLs are just normalised. */
export function normaliseUrl(url: string): string {
  const u = url.trim()
  if (u === '') return ''
  try {
    const p = new URL(u)
    if (p.host === '') return norm(u)
    return `${p.protocol}//${p.host}${p.pathname.replace(/\/+$/, '')}${p.search}`.toLowerCase()
  } catch {
    return norm(u).replace(/\/+$/, '')
  }
}

/**
 * The identity of an item for de-duplication: normalised title, username and first URL; for other
 * types than login also the type and what tells two of them apart (a card's number, an identity's
 * e-mail, an SSH key's public key), so two cards both titled "Visa" are two cards.
 */
export function dedupeKey(item: ItemLike): string {
  const key = [norm(item.title), norm(item.username), normaliseUrl(item.urls[0] ?? '')]
  if (item.type !== undefined && item.type !== 'login')
    key.push(item.type, item.card?.number ?? item.identity?.email ?? item.sshKey?.publicKey ?? '')
  return JSON.stringify(key)
}

/**
 * Splits `incoming` into items whose key is not among `existing` (fresh) and those that are (skipped), keeping order.
 * Duplicates inside `incoming` itself are all kept: the file had them, so a first import reproduces them.
 */
export function splitDuplicates<T extends ItemLike>(existing: readonly ItemLike[], incoming: readonly T[]): { fresh: T[]; skipped: T[] } {
  const keys = new Set(existing.map(dedupeKey))
  const fresh: T[] = []
  const skipped: T[] = []
  for (const item of incoming) (keys.has(dedupeKey(item)) ? skipped : fresh).push(item)
  return { fresh, skipped }
}
