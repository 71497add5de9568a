/** Exports a Bitwarden-compatible CSV that most managers import (lossy: no trash, no hidden flags, no times). */
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

/** Exports live (not trashed) items as CSV, one row each; custom fields are `name: value` lines, tags a `kith.tags` field. */
export const exportCsv: Exporter = async (items, options) => {
  options.onProgress?.(0, items.length)
  const rows = items
    .filter(i => !i.trashed)
    .map(i => {
      const tags = tagsToField(i.tags)
      const fields = [...i.fields, ...(tags !== null ? [tags] : [])].map(f => `${f.name}: ${f.value}`).join('\n')
      const isNote = i.username === '' && i.password === '' && i.urls.length === 0 && i.totp === null
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
