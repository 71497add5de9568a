/**
 * The item form's model: a draft of every editable field, what the API takes for it, and the patch
 * of the fields a person changed (so an edit made meanwhile on another device to another field is kept).
 */
import type { CustomField, Item } from '../../daemon/vault/Item.js'
import type { ItemCreateBody } from '../../daemon/api/schemas.js'

/** What the API takes for an item's fields (declared here, not in types.ts, so this module stays free of the client). */
export type ItemInput = Omit<ItemCreateBody, 'url'>

/** An item's type, and the section of typed fields a type has. */
export type ItemType = Item['type']
export type Section = 'card' | 'identity' | 'sshKey'
export const sectionOf = (type: ItemType): Section | undefined =>
  type === 'card' || type === 'identity' || type === 'sshKey' ? type : undefined

export interface Draft {
  vault: string
  type: ItemType
  /** YYYY-MM-DD, or '' when the item does not expire */
  expiresAt: string
  /** the typed fields of the type's section by name (a card's number…); the SSH fingerprint is not editable */
  details: Record<string, string>
  title: string
  username: string
  password: string
  urls: string[]
  totp: string
  folder: string
  tags: string
  favorite: boolean
  notes: string
  fields: CustomField[]
}

export type DraftKey = keyof Draft
export const KEYS: DraftKey[] = [
  'vault',
  'type',
  'expiresAt',
  'details',
  'title',
  'username',
  'password',
  'urls',
  'totp',
  'folder',
  'tags',
  'favorite',
  'notes',
  'fields'
]
export const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)

/** The editable typed fields of an item (its section without the derived fingerprint). */
function detailsOf(item: Item | undefined): Record<string, string> {
  const section = item === undefined ? undefined : sectionOf(item.type)
  const values = section === undefined ? undefined : (item?.[section] as Record<string, string> | undefined)
  const { fingerprint: _derived, ...editable } = values ?? {}
  return editable
}

export function draftOf(item: Item | undefined, vault: string, type: ItemType = 'login'): Draft {
  return {
    vault: item?.vault ?? vault,
    type: item?.type ?? type,
    expiresAt: item?.expiresAt?.slice(0, 10) ?? '',
    details: detailsOf(item),
    title: item?.title ?? '',
    username: item?.username ?? '',
    password: item?.password ?? '',
    urls: item === undefined || item.urls.length === 0 ? [''] : [...item.urls],
    totp: item?.totp ?? '',
    folder: item?.folder ?? '',
    tags: item?.tags.join(', ') ?? '',
    favorite: item?.favorite ?? false,
    notes: item?.notes ?? '',
    fields: item?.fields.map(f => ({ ...f })) ?? []
  }
}

/**
 * A website as typed: a bare host (`dropbox.com`, `intranet:8080/login`) becomes an https address,
 * as browsers do in the address bar; anything with a scheme stays as it is.
 */
export function withScheme(url: string): string {
  const trimmed = url.trim()
  if (trimmed === '' || /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) || /^(mailto|tel|otpauth|data|javascript):/i.test(trimmed)) return trimmed
  return `https://${trimmed.replace(/^\/+/, '')}`
}

/**
 * A draft with another type: typed fields start empty (a stored item's old ones become custom fields
 * when saved), and on a new item the password suggested for a login (`suggested`) goes when the
 * type has no use for one; a stored item's password always stays.
 */
export function withType(d: Draft, type: ItemType, suggested: string | undefined): Draft {
  const keepsPassword = type === 'login' || type === 'other' || suggested === undefined || d.password !== suggested
  return { ...d, type, details: {}, password: keepsPassword ? d.password : '' }
}

/** What the API takes for a draft's field (the typed section only for the draft's type). */
export function inputOf(d: Draft): Omit<ItemInput, 'trashed' | 'vault'> {
  const section = sectionOf(d.type)
  return {
    type: d.type,
    expiresAt: d.expiresAt === '' ? null : d.expiresAt,
    ...(section !== undefined ? { [section]: { ...d.details } } : {}),
    title: d.title.trim(),
    username: d.username,
    password: d.password,
    urls: d.urls.map(withScheme).filter(u => u !== ''),
    totp: d.totp.trim() === '' ? null : d.totp.trim(),
    folder: d.folder.trim().replace(/^\/+|\/+$/g, ''),
    tags: [
      ...new Set(
        d.tags
          .split(',')
          .map(t => t.trim())
          .filter(t => t !== '')
      )
    ],
    favorite: d.favorite,
    notes: d.notes,
    fields: d.fields
      .filter(f => f.name.trim() !== '' || f.value !== '')
      .map(f => ({ name: f.name.trim(), value: f.value, hidden: f.hidden }))
  }
}

/** The API fields this draft changed compared with the draft it started from; of a typed section, only the fields changed. */
export function patchOf(draft: Draft, base: Draft): ItemInput {
  const now = inputOf(draft) as Record<string, unknown>
  const before = inputOf(base) as Record<string, unknown>
  const patch: Record<string, unknown> = {}
  for (const key of Object.keys(now)) if (!same(now[key], before[key])) patch[key] = now[key]
  const section = sectionOf(draft.type)
  if (section !== undefined && patch[section] !== undefined && draft.type === base.type) {
    const changed: Record<string, string> = {}
    for (const [name, value] of Object.entries(draft.details)) if ((base.details[name] ?? '') !== value) changed[name] = value
    patch[section] = changed
  }
  return patch as ItemInput
}
