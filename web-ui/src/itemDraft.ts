/**
 * The item form's model: a draft of every editable field, what the API takes for it, and the patch
 * of the fields a person changed (so an edit made meanwhile on another device to another field is kept).
 */
import type { CustomField, Item } from '../../daemon/vault/Item.js'
import type { ItemCreateBody } from '../../daemon/api/schemas.js'

/** What the API takes for an item's fields (declared here, not in types.ts, so this module stays free of the client). */
export type ItemInput = Omit<ItemCreateBody, 'url'>

export interface Draft {
  vault: string
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
export const KEYS: DraftKey[] = ['vault', 'title', 'username', 'password', 'urls', 'totp', 'folder', 'tags', 'favorite', 'notes', 'fields']
export const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)

export function draftOf(item: Item | undefined, vault: string): Draft {
  return {
    vault: item?.vault ?? vault,
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

/** What the API takes for a draft's field. */
export function inputOf(d: Draft): Required<Omit<ItemInput, 'trashed' | 'vault'>> {
  return {
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

/** The API fields this draft changed compared with the draft it started from. */
export function patchOf(draft: Draft, base: Draft): ItemInput {
  const now = inputOf(draft) as Record<string, unknown>
  const before = inputOf(base) as Record<string, unknown>
  const patch: Record<string, unknown> = {}
  for (const key of Object.keys(now)) if (!same(now[key], before[key])) patch[key] = now[key]
  return patch as ItemInput
}
