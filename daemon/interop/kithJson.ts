/** kith-json: Kith's lossless, versioned plain export `{"format":"kith-json","version":1,"vault":…,"items":[…]}`. */
import type { CustomField, Item } from '../vault/Item.js'
import { InvalidItemError } from '../vault/errors.js'
import { normalizeExpiry } from '../vault/expiry.js'
import {
  checkSection,
  checkType,
  sectionFrom,
  sectionOf,
  type CardFields,
  type IdentityFields,
  type ItemType,
  type SshKeyFields
} from '../vault/itemTypes.js'
import type { HistoryVersion } from '../vault/ItemHistory.js'
import { ByteChunks } from './ByteChunks.js'
import { ExportError, ImportError } from './errors.js'
import { makeItem } from './importedItem.js'
import { readKithAttachments, writeKithAttachments } from './kithJsonAttachments.js'
import { historyWarnings, readKithHistory, writtenVersion, type HistoryNotes } from './kithJsonHistory.js'
import { parseJsonObject } from './parseJson.js'
import { Progress } from './progress.js'
import type { ExportOptions, ImportedItem, Importer, ImportOptions, ImportResult, Exporter } from './types.js'
import { itemLabel } from './warnings.js'

/** The layout version this build writes and the newest it reads. */
export const KITH_JSON_VERSION = 1

/** One item as kith-json stores it; `vault` names the vault it came from (files before it use the file's). */
export interface KithJsonItem {
  id: string
  vault: string
  title: string
  username: string
  password: string
  urls: string[]
  notes: string
  totp: string | null
  fields: CustomField[]
  tags: string[]
  folder: string
  favorite: boolean
  trashed: boolean
  createdAt: string
  updatedAt: string
  /** absent in files from before item types: a login */
  type: ItemType
  expiresAt: string | null
  card?: CardFields
  identity?: IdentityFields
  sshKey?: SshKeyFields
  /** the item's versions, newest first, as the history API shows them (absent in files from before history) */
  history?: HistoryVersion[]
  /** written after the other keys, with each file's bytes: kithJsonAttachments.ts */
  attachments?: Array<{ name: string; size: number; sha256: string; data: string }>
}

const KNOWN_KEYS = new Set([
  'type',
  'expiresAt',
  'card',
  'identity',
  'sshKey',
  'id',
  'vault',
  'title',
  'username',
  'password',
  'urls',
  'notes',
  'totp',
  'fields',
  'tags',
  'folder',
  'favorite',
  'trashed',
  'createdAt',
  'updatedAt',
  'history',
  'attachments'
])

/** One item's kith-json object, without its files (written apart: writeKithAttachments). */
function itemObject(i: Item, options: ExportOptions): KithJsonItem {
  return {
    id: i.id,
    vault: i.vault,
    title: i.title,
    username: i.username,
    password: i.password,
    urls: [...i.urls],
    notes: i.notes,
    totp: i.totp,
    fields: i.fields.map(f => ({ name: f.name, value: f.value, hidden: f.hidden })),
    tags: [...i.tags],
    folder: i.folder,
    favorite: i.favorite,
    trashed: i.trashed,
    createdAt: i.createdAt,
    updatedAt: i.updatedAt,
    type: i.type,
    expiresAt: i.expiresAt,
    ...(i.card !== undefined ? { card: { ...i.card } } : {}),
    ...(i.identity !== undefined ? { identity: { ...i.identity } } : {}),
    ...(i.sshKey !== undefined ? { sshKey: { ...i.sshKey } } : {}),
    ...(options.historyOf !== undefined ? { history: options.historyOf(i.id).map(writtenVersion) } : {})
  }
}

/**
 * The kith-json text of `items`, pretty-printed (2-space indent) and UTF-8 encoded: each item with
 * its `history` (when `options.historyOf` is given) and its `attachments` with their bytes (read
 * one at a time through `options.attachmentData`; an item with files and no way to read them is an
 * ExportError). `format` names the errors (kith-encrypted wraps this).
 */
export async function encodeKithJson(items: Item[], options: ExportOptions, format = 'kith-json'): Promise<Uint8Array> {
  const out = new ByteChunks()
  const head = { format: 'kith-json', version: KITH_JSON_VERSION, vault: options.vaultName ?? '', exportedAt: new Date().toISOString() }
  out.text(JSON.stringify(head, null, 2).replace(/\n}$/, items.length === 0 ? ',\n  "items": []\n}\n' : ',\n  "items": ['))
  const progress = new Progress(items.length, options.onProgress, 100)
  for (const [k, i] of items.entries()) {
    const text = JSON.stringify(itemObject(i, options), null, 2).replace(/\n/g, '\n    ')
    out.text(`${k > 0 ? ',' : ''}\n    ${text.slice(0, -'\n    }'.length)}`)
    await writeKithAttachments(out, format, i, options, '      ')
    out.text('\n    }')
    await progress.tick()
  }
  if (items.length > 0) out.text('\n  ]\n}\n')
  progress.finish()
  return out.finish()
}

/** Checks one stored item field by field; `fail` names the item in the error. */
function readItem(
  raw: unknown,
  index: number,
  format: string,
  seen: { unknownKeys: Set<string>; history: HistoryNotes },
  fileVault: string
): ImportedItem {
  const where = (o: Record<string, unknown>): string =>
    `item ${index + 1}${typeof o.title === 'string' ? ` (${itemLabel(o.title, index)})` : ''}`
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new ImportError(format, 'an item is not a JSON object', { location: `item ${index + 1}` })
  const o = raw as Record<string, unknown>
  const fail = (key: string, want: string): never => {
    throw new ImportError(format, `"${key}" must be ${want}`, { location: where(o) })
  }
  const s = (key: string, optional = false): string => {
    const v = o[key]
    if (typeof v === 'string') return v
    if (optional && v === undefined) return ''
    return fail(key, 'a string')
  }
  const strings = (key: string): string[] => {
    const v = o[key]
    if (v === undefined) return []
    return Array.isArray(v) && v.every(x => typeof x === 'string') ? v : fail(key, 'an array of strings')
  }
  const b = (key: string): boolean => {
    const v = o[key]
    if (v === undefined) return false
    return typeof v === 'boolean' ? v : fail(key, 'true or false')
  }
  const totp = o.totp === null || o.totp === undefined ? null : typeof o.totp === 'string' ? o.totp : fail('totp', 'an otpauth URI or null')
  const fieldsRaw = o.fields === undefined ? [] : Array.isArray(o.fields) ? (o.fields as unknown[]) : fail('fields', 'an array')
  const fields = fieldsRaw.map((f, k) => {
    const x = f as Record<string, unknown> | null
    if (x === null || typeof x !== 'object' || typeof x.name !== 'string' || typeof x.value !== 'string' || typeof x.hidden !== 'boolean') {
      return fail(`fields[${k}]`, 'an object {name: string, value: string, hidden: boolean}')
    }
    return { name: x.name, value: x.value, hidden: x.hidden }
  })
  for (const k of Object.keys(o)) if (!KNOWN_KEYS.has(k)) seen.unknownKeys.add(k)
  let typed: ReturnType<typeof readTyped>
  try {
    typed = readTyped(o)
  } catch (err) {
    if (!(err instanceof InvalidItemError)) throw err
    throw new ImportError(format, err.message, { location: where(o) })
  }
  const created = s('createdAt', true)
  const updated = s('updatedAt', true)
  const vault = s('vault', true).trim()
  const item = makeItem({
    title: s('title'),
    username: s('username', true),
    password: s('password', true),
    urls: strings('urls'),
    notes: s('notes', true),
    totp,
    fields,
    tags: strings('tags'),
    folder: s('folder', true),
    favorite: b('favorite'),
    trashed: b('trashed'),
    createdAt: created !== '' ? created : undefined,
    updatedAt: updated !== '' ? updated : undefined,
    ...typed
  })
  if (o.history !== undefined) item.history = readKithHistory(format, where(o), o.history, seen.history)
  if (o.attachments !== undefined) item.attachments = readKithAttachments(format, where(o), o.attachments)
  const home = vault !== '' ? vault : fileVault
  return home !== '' ? { ...item, vault: home } : item
}

/** The type, expiry and typed section of a stored item, checked as the vault checks them (files from before types: a login). */
function readTyped(o: Record<string, unknown>): Pick<ImportedItem, 'type' | 'expiresAt' | 'card' | 'identity' | 'sshKey'> {
  const type = o.type === undefined ? 'login' : checkType(o.type)
  const out: Pick<ImportedItem, 'type' | 'expiresAt' | 'card' | 'identity' | 'sshKey'> = {
    type,
    expiresAt: o.expiresAt === undefined ? null : normalizeExpiry(o.expiresAt)
  }
  const section = sectionOf(type)
  if (section !== undefined) {
    const given = checkSection(section, o[section] ?? {}) as Record<string, string | undefined>
    Object.assign(out, { [section]: sectionFrom(section, name => given[name]) })
  }
  return out
}

/** Reads kith-json bytes (also the plaintext inside kith-encrypted, hence `format`); all or nothing. */
export async function decodeKithJson(format: string, data: Uint8Array, options: ImportOptions): Promise<ImportResult> {
  const file = parseJsonObject(format, data)
  if (file.format !== 'kith-json')
    throw new ImportError(format, `"format" is ${JSON.stringify(file.format) ?? 'missing'}, not "kith-json": this is not a Kith export`)
  if (typeof file.version !== 'number' || !Number.isInteger(file.version) || file.version < 1)
    throw new ImportError(format, `"version" ${JSON.stringify(file.version)} is not a layout version`)
  if (file.version > KITH_JSON_VERSION)
    throw new ImportError(format, `layout version ${file.version} is newer than this Kith reads (${KITH_JSON_VERSION}); update Kith`)
  if (!Array.isArray(file.items)) throw new ImportError(format, '"items" must be an array')
  if (file.vault !== undefined && file.vault !== null && typeof file.vault !== 'string')
    throw new ImportError(format, '"vault" must be a string')
  const fileVault = typeof file.vault === 'string' ? file.vault.trim() : ''
  const raws = file.items as unknown[]
  const progress = new Progress(raws.length, options.onProgress)
  const seen = { unknownKeys: new Set<string>(), history: { omitted: 0, unknownFields: new Set<string>() } }
  const items: ImportedItem[] = []
  for (const [i, raw] of raws.entries()) {
    items.push(readItem(raw, i, format, seen, fileVault))
    await progress.tick()
  }
  progress.finish()
  const warnings = seen.unknownKeys.size > 0 ? [`unknown item keys were ignored: ${[...seen.unknownKeys].join(', ')}`] : []
  return { items, warnings: [...warnings, ...historyWarnings(seen.history)] }
}

/** Imports a kith-json file. */
export const importKithJson: Importer = async (data, options) => await decodeKithJson('kith-json', data, options)

/** Exports items as kith-json (plain text: passwords and files are readable by anyone with the file). */
export const exportKithJson: Exporter = async (items, options: ExportOptions) => {
  if (!Array.isArray(items)) throw new ExportError('kith-json', 'items must be an array')
  return await encodeKithJson(items, options)
}
