/** Builds ImportedItems with every field present and text normalised the same way for every format. */
import type { CustomField } from '../vault/Item.js'
import type { ImportedItem } from './types.js'

/** CRLF (and a lone CR at a line end) become LF, as Kith stores multi-line text. */
export function normaliseNewlines(s: string): string {
  return s.includes('\r') ? s.replace(/\r\n?/g, '\n') : s
}

/** A complete ImportedItem from the fields a format knows; multi-line text gets LF line ends, empty URLs are dropped. */
export function makeItem(from: Partial<ImportedItem>): ImportedItem {
  const item: ImportedItem = {
    title: from.title ?? '',
    username: from.username ?? '',
    password: from.password ?? '',
    urls: from.urls === undefined ? [] : from.urls.map(u => u.trim()).filter(u => u !== ''),
    notes: normaliseNewlines(from.notes ?? ''),
    totp: from.totp ?? null,
    fields: from.fields === undefined ? [] : from.fields.map(f => ({ name: f.name, value: normaliseNewlines(f.value), hidden: f.hidden })),
    tags: from.tags === undefined || from.tags.length === 0 ? [] : [...new Set(from.tags.map(t => t.trim()).filter(t => t !== ''))],
    folder: normaliseFolder(from.folder ?? ''),
    favorite: from.favorite ?? false,
    trashed: from.trashed ?? false,
    type: from.type ?? 'login',
    expiresAt: from.expiresAt ?? null
  }
  if (from.card !== undefined) item.card = from.card
  if (from.identity !== undefined) item.identity = from.identity
  if (from.sshKey !== undefined) item.sshKey = from.sshKey
  if (from.createdAt !== undefined) item.createdAt = from.createdAt
  if (from.updatedAt !== undefined) item.updatedAt = from.updatedAt
  return item
}

/** 'a//b/' → 'a/b': no empty segments, no leading or trailing slash. */
export function normaliseFolder(path: string): string {
  if (path === '') return ''
  return path
    .split('/')
    .map(s => s.trim())
    .filter(s => s !== '')
    .join('/')
}

/** A custom field; `value` is stringified. */
export function field(name: string, value: unknown, hidden = false): CustomField {
  return { name, value: value === null || value === undefined ? '' : String(value), hidden }
}

/** The host of a URL to use as a title when a format has none ('https://www.example.com/x' → 'www.example.com'). */
export function titleFromUrl(url: string): string {
  const u = url.trim()
  try {
    const host = new URL(u).hostname
    if (host !== '') return host
  } catch {}
  return u
}
