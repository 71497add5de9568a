/**
 * Typed fields in an item's Y.Map: one map entry per field, keyed `section.name` (`card.number`), so
 * concurrent edits of two fields of one card merge like any other two fields. Devices from before
 * item types ignore these keys and keep them when they edit the item's other fields.
 */
import type * as Y from 'yjs'
import type { CustomField, ItemInput } from './Item.js'
import { SECTION_FIELDS, sectionFrom, type Section, type SectionFields } from './itemTypes.js'

type ItemMap = Y.Map<unknown>

export const typedKey = (section: Section, name: string): string => `${section}.${name}`

export function readSection<S extends Section>(map: ItemMap, section: S): SectionFields[S] {
  return sectionFrom(section, name => map.get(typedKey(section, name)))
}

/** What a typed field's change hands to the item's history: its key, old and new value ('' when none). */
export type TypedChange = (key: string, from: string, to: string) => void

/** Sets the given fields of a section (only those that differ), telling `changed` about each. */
export function writeSection(map: ItemMap, section: Section, values: Record<string, string | undefined>, changed: TypedChange): void {
  for (const f of SECTION_FIELDS[section]) {
    const value = values[f.name]
    if (value === undefined) continue
    const key = typedKey(section, f.name)
    const stored = map.get(key)
    const old = typeof stored === 'string' ? stored : ''
    if (old === value) continue
    if (value === '') map.delete(key)
    else map.set(key, value)
    changed(key, old, value)
  }
}

/**
 * Takes a section's values out of the typed keys (the item changes to another type): the non-empty
 * ones come back as custom fields, secret ones hidden, so a change of type loses nothing.
 */
export function sectionToFields(map: ItemMap, section: Section, changed: TypedChange): CustomField[] {
  const out: CustomField[] = []
  for (const f of SECTION_FIELDS[section]) {
    const key = typedKey(section, f.name)
    const value = map.get(key)
    if (typeof value === 'string' && value !== '') {
      out.push({ name: f.label, value, hidden: f.hidden })
      changed(key, value, '')
    }
    if (map.has(key)) map.delete(key)
  }
  return out
}

/** The section fields an input gives, by section. */
export function sectionsOf(input: ItemInput): Array<[Section, Record<string, string | undefined>]> {
  const out: Array<[Section, Record<string, string | undefined>]> = []
  if (input.card !== undefined) out.push(['card', input.card])
  if (input.identity !== undefined) out.push(['identity', input.identity])
  if (input.sshKey !== undefined) out.push(['sshKey', input.sshKey])
  return out
}
