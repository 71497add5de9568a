/**
 * What importers hand to makeItem for a typed item: the type and its section, with every value that
 * fails the vault's checks (a card month of "13") kept as a custom field instead, so an odd value
 * in one item neither fails the import nor is lost.
 */
import type { CustomField } from '../vault/Item.js'
import { partitionSection, sectionFrom, sectionOf, type ItemType } from '../vault/itemTypes.js'
import type { ImportedItem } from './types.js'

/** The typed part of an ImportedItem. */
export type TypedPart = Pick<ImportedItem, 'type'> & Partial<Pick<ImportedItem, 'card' | 'identity' | 'sshKey'>>

/**
 * `type` with the section built from `raw` (field name → value); values that do not pass are pushed
 * onto `fields` under their label, and `warn` is told once per item.
 */
export function typedPart(type: ItemType, raw: Record<string, string>, fields: CustomField[], warn: (kind: string) => void): TypedPart {
  const section = sectionOf(type)
  if (section === undefined) return { type }
  const { valid, rejected } = partitionSection(section, raw)
  for (const { spec, value } of rejected) fields.push({ name: spec.label, value, hidden: spec.hidden })
  if (rejected.length > 0) warn(`typed values Kith could not read (e.g. a card month outside 1–12) were kept as custom fields`)
  // every field of the section, missing ones empty, as the vault's JSON shows it
  return { type, [section]: sectionFrom(section, name => valid[name]) }
}
