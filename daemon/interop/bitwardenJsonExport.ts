/** Exports items as unencrypted Bitwarden JSON that Bitwarden imports: folders (with parents), logins, notes, cards, identities, SSH keys, fields, TOTP. */
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

/** Kith's types as Bitwarden's: "other" has no Bitwarden type and goes as a login, or a note when it holds no login fields. */
function bitwardenType(i: Item): number {
  const hasLogin = i.username !== '' || i.password !== '' || i.urls.length > 0 || i.totp !== null
  return { login: 1, note: 2, card: 3, identity: 4, sshKey: 5, other: hasLogin ? 1 : 2 }[i.type]
}

/** Kith's typed fields under Bitwarden's names (`null` for empty, as Bitwarden writes them). */
function typedObject(values: object, renames: Record<string, string>): Record<string, string | null> {
  const out: Record<string, string | null> = {}
  for (const [k, v] of Object.entries(values)) out[renames[k] ?? k] = typeof v === 'string' && v !== '' ? v : null
  return out
}

/** A cipher of the item's type: login (1), secure note (2), card (3), identity (4) or SSH key (5). */
function cipher(i: Item, folderId: string | null): Record<string, unknown> {
  const type = bitwardenType(i)
  const isNote = type === 2
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
    type,
    reprompt: 0,
    name: i.title,
    notes: i.notes === '' ? null : i.notes,
    favorite: i.favorite,
    fields
  }
  if (isNote) out.secureNote = { type: 0 }
  else if (i.card !== undefined) out.card = typedObject(i.card, { cardholder: 'cardholderName', cvv: 'code' })
  else if (i.identity !== undefined) out.identity = typedObject(i.identity, { honorific: 'title' })
  else if (i.sshKey !== undefined) out.sshKey = typedObject(i.sshKey, { fingerprint: 'keyFingerprint' })
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
