/**
 * Kith's convention for item types in KeePass, which has none: a string `kith-type` holds the type
 * (`card`, `identity`, `sshKey`, `note`, `other`; absent means a login) and each typed field is a
 * string named `SECTION.FIELD` (`card.number`, `identity.firstName`, `sshKey.privateKey`), protected
 * when it is secret. KeePassXC shows them as additional attributes and keeps them; Kith reads them
 * back. Without `kith-type` such strings are ordinary custom fields.
 */
import type { CustomField, Item } from '../vault/Item.js'
import { isItemType, SECTION_FIELDS, sectionOf } from '../vault/itemTypes.js'
import { typedPart, type TypedPart } from './typedItem.js'

export const TYPE_KEY = 'kith-type'

/** Keys the exporter writes for types: a custom field of the same name is renamed. */
export const TYPED_KEYS = /^(kith-type|(card|identity|sshKey)\.[A-Za-z0-9]+)$/

/** The type and typed fields of an entry, by the convention; the strings used are added to `consumed`. */
export function keepassTyped(
  byKey: ReadonlyMap<string, { key: string; value: string }>,
  consumed: Set<string>,
  fields: CustomField[],
  warn: (kind: string) => void
): TypedPart {
  const named = byKey.get(TYPE_KEY)?.value.trim() ?? ''
  if (!isItemType(named)) return { type: 'login' }
  consumed.add(TYPE_KEY)
  const section = sectionOf(named)
  const raw: Record<string, string> = {}
  if (section !== undefined)
    for (const f of SECTION_FIELDS[section]) {
      const s = byKey.get(`${section}.${f.name}`)
      if (s === undefined) continue
      raw[f.name] = s.value
      consumed.add(s.key)
    }
  return typedPart(named, raw, fields, warn)
}

/** The strings an item's type adds to its entry: key, value, protected. */
export function keepassTypedStrings(i: Item): Array<[string, string, boolean]> {
  if (i.type === 'login') return []
  const out: Array<[string, string, boolean]> = [[TYPE_KEY, i.type, false]]
  const section = sectionOf(i.type)
  const values = section === undefined ? undefined : (i[section] as unknown as Record<string, string> | undefined)
  if (section !== undefined && values !== undefined)
    for (const f of SECTION_FIELDS[section])
      if ((values[f.name] ?? '') !== '') out.push([`${section}.${f.name}`, values[f.name] as string, f.hidden])
  return out
}
