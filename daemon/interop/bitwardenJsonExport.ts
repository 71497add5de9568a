/** Exports items as unencrypted Bitwarden JSON that Bitwarden imports: folders (with parents), logins, notes, fields, TOTP. */
import { randomUUID } from 'node:crypto'
import type { Item } from '../vault/Item.js'
import { tagsToField } from './tagsField.js'
import type { Exporter } from './types.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Every folder path and its ancestors ('A/B' → 'A', 'A/B'), each with an id, in sorted order. */
export function folderIds(items: readonly Item[]): Map<string, string> {
  const paths = new Set<string>()
  for (const i of items) {
    const parts = i.folder.split('/').filter(p => p !== '')
    for (let k = 1; k <= parts.length; k++) paths.add(parts.slice(0, k).join('/'))
  }
  return new Map([...paths].sort().map(p => [p, randomUUID()]))
}

/** A login (type 1), or a secure note (type 2) when the item has no username, password, URL or TOTP. */
function cipher(i: Item, folderId: string | null): Record<string, unknown> {
  const isNote = i.username === '' && i.password === '' && i.urls.length === 0 && i.totp === null
  const fields = i.fields.map(f => ({ name: f.name, value: f.value, type: f.hidden ? 1 : 0, linkedId: null }))
  const tags = tagsToField(i.tags)
  if (tags !== null) fields.push({ name: tags.name, value: tags.value, type: 0, linkedId: null })
  const out: Record<string, unknown> = {
    passwordHistory: null,
    revisionDate: i.updatedAt,
    creationDate: i.createdAt,
    deletedDate: i.trashed ? i.updatedAt : null,
    id: UUID.test(i.id) ? i.id : randomUUID(),
    organizationId: null,
    folderId,
    type: isNote ? 2 : 1,
    reprompt: 0,
    name: i.title,
    notes: i.notes === '' ? null : i.notes,
    favorite: i.favorite,
    fields
  }
  if (isNote) out.secureNote = { type: 0 }
  else {
    out.login = {
      fido2Credentials: [],
      uris: i.urls.map(uri => ({ match: null, uri })),
      username: i.username === '' ? null : i.username,
      password: i.password === '' ? null : i.password,
      totp: i.totp
    }
  }
  out.collectionIds = null
  return out
}

/**
 * Exports Bitwarden JSON (`encrypted: false`). Tags, which Bitwarden lacks, travel as a `kith.tags` text field;
 * trashed items carry `deletedDate` (Bitwarden itself imports them as live items).
 */
export const exportBitwardenJson: Exporter = async (items, options) => {
  options.onProgress?.(0, items.length)
  const folders = folderIds(items)
  const file = {
    encrypted: false,
    folders: [...folders].map(([name, id]) => ({ id, name })),
    items: items.map(i =>
      cipher(
        i,
        folders.get(
          i.folder
            .split('/')
            .filter(p => p !== '')
            .join('/')
        ) ?? null
      )
    )
  }
  options.onProgress?.(items.length, items.length)
  return new TextEncoder().encode(JSON.stringify(file, null, 2) + '\n')
}
