/** Exports a Bitwarden-compatible CSV that most managers import (lossy: no trash, no hidden flags, no times). */
import type { CustomField, Item } from '../vault/Item.js'
import { SECTION_FIELDS, sectionOf } from '../vault/itemTypes.js'
import { formatCsv } from './csvWriter.js'
import { tagsToField } from './tagsField.js'
import type { Exporter } from './types.js'

/** The column set, in order. */
export const CSV_COLUMNS = [
  'folder',
  'favorite',
  'type',
  'name',
  'notes',
  'fields',
  'login_uri',
  'login_username',
  'login_password',
  'login_totp'
] as const

/** A card's, identity's or SSH key's non-empty typed fields as `Label: value` lines (CSV has no columns for them). */
function typedFields(i: Item): CustomField[] {
  const section = sectionOf(i.type)
  const values = section === undefined ? undefined : (i[section] as unknown as Record<string, string> | undefined)
  if (section === undefined || values === undefined) return []
  return SECTION_FIELDS[section]
    .filter(f => (values[f.name] ?? '') !== '')
    .map(f => ({ name: f.label, value: values[f.name] as string, hidden: f.hidden }))
}

/**
 * Exports live (not trashed) items as CSV, one row each; custom fields (and typed fields, first) are `name: value`
 * lines, tags a `kith.tags` field. Notes, and items with no login fields, are `note` rows.
 */
export const exportCsv: Exporter = async (items, options) => {
  options.onProgress?.(0, items.length)
  const rows = items
    .filter(i => !i.trashed)
    .map(i => {
      const tags = tagsToField(i.tags)
      const fields = [...typedFields(i), ...i.fields, ...(tags !== null ? [tags] : [])].map(f => `${f.name}: ${f.value}`).join('\n')
      const isNote = i.type === 'note' || (i.username === '' && i.password === '' && i.urls.length === 0 && i.totp === null)
      return [
        i.folder,
        i.favorite ? '1' : '',
        isNote ? 'note' : 'login',
        i.title,
        i.notes,
        fields,
        i.urls.join(','),
        i.username,
        i.password,
        i.totp ?? ''
      ]
    })
  const out = new TextEncoder().encode(formatCsv(CSV_COLUMNS, rows))
  options.onProgress?.(items.length, items.length)
  return out
}
