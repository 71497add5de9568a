/**
 * An item as it was before each of its versions, rebuilt from the versions' old values: what a
 * format that keeps whole older copies (KeePass entry history) writes. Fields whose values the
 * vault did not keep (`omitted`) keep the value of the next newer copy; a card's, identity's or SSH
 * key's typed fields go back into their sections.
 */
import type { FieldValue, HistoryField, Item } from '../vault/Item.js'
import { withValues, type HistoryVersion } from '../vault/ItemHistory.js'

/** An older copy of an item and when it was last changed (ISO 8601). */
export interface PastCopy {
  at: string
  item: Item
}

/**
 * One copy per version, oldest first: the item just before that version, dated by the version
 * before it (the oldest by the item's creation). `newestFirst` is the vault's order (history API).
 */
export function pastStates(current: Item, newestFirst: HistoryVersion[]): PastCopy[] {
  const out: PastCopy[] = []
  let state: Item = current
  for (const [k, v] of newestFirst.entries()) {
    const undone: Partial<Record<HistoryField, FieldValue>> = {}
    for (const c of v.changes) if (!c.omitted) undone[c.field] = c.from as FieldValue
    state = withValues(state, undone)
    out.push({ at: newestFirst[k + 1]?.at ?? current.createdAt, item: state })
  }
  return out.reverse()
}
