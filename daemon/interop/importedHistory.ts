/**
 * Older versions another manager's file carries, as the versions Kith keeps (vault/ItemHistory.ts):
 * KeePass keeps whole older copies of an entry, Bitwarden and 1Password keep old passwords with a date.
 */
import type { FieldValue, HistoryField, ImportedVersion } from '../vault/Item.js'
import { TYPED_FIELDS } from '../vault/Item.js'
import { typedFieldValue } from '../vault/ItemHistory.js'
import type { ImportedItem } from './types.js'

/** An older copy of an item and when it was made (ISO 8601; undefined when the file does not say). */
export interface PastState {
  at: string | undefined
  item: ImportedItem
}

/** What an older KeePass copy can differ in (the group, bin and favourite are not kept per copy), besides its typed fields. */
const COMPARED = ['title', 'username', 'password', 'urls', 'notes', 'totp', 'fields', 'tags'] as const satisfies readonly HistoryField[]

const validTime = (at: string | undefined): number => (at === undefined ? Number.NaN : Date.parse(at))

/**
 * One version per step from each older copy to the next and finally to the current item, dated
 * when the newer copy was made. A step whose date is unknown, or that changes nothing, is left out.
 */
export function versionsFromStates(past: PastState[], current: ImportedItem): ImportedVersion[] {
  const states = [...past].sort((a, b) => (validTime(a.at) || 0) - (validTime(b.at) || 0))
  states.push({ at: current.updatedAt, item: current })
  const versions: ImportedVersion[] = []
  for (let i = 1; i < states.length; i++) {
    const before = states[i - 1] as PastState
    const after = states[i] as PastState
    if (!Number.isFinite(validTime(after.at))) continue
    const changes: ImportedVersion['changes'] = {}
    for (const field of COMPARED) {
      const from = before.item[field] as FieldValue
      const to = after.item[field] as FieldValue
      if (JSON.stringify(from) !== JSON.stringify(to)) changes[field] = [from, to]
    }
    for (const field of TYPED_FIELDS) {
      const from = typedFieldValue(before.item, field)
      const to = typedFieldValue(after.item, field)
      if (from !== to) changes[field] = [from, to]
    }
    if (Object.keys(changes).length > 0) versions.push({ at: new Date(validTime(after.at)).toISOString(), changes })
  }
  return versions
}

/** An old password and until when it was used (Bitwarden `lastUsedDate`, 1Password `time`). */
export interface OldPassword {
  value: string
  until: string | undefined
}

/** One version per old password: from it to the next (the last to the current password), dated when it stopped being used. */
export function versionsFromPasswords(old: OldPassword[], current: string): ImportedVersion[] {
  const dated = old.filter(p => Number.isFinite(validTime(p.until))).sort((a, b) => validTime(a.until) - validTime(b.until))
  return dated.flatMap((p, i) => {
    const next = dated[i + 1]?.value ?? current
    return p.value === next ? [] : [{ at: new Date(validTime(p.until)).toISOString(), changes: { password: [p.value, next] } }]
  })
}
