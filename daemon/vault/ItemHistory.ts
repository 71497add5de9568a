/**
 * An item's history: one entry per change (which fields, their old and new values, when, which
 * device). Entries live in the item's own Y.Map under keys `h:<entry id>`, each a compact JSON string,
 * so two devices that edit while apart add distinct keys that both survive the merge, and purging
 * the item takes its history with it. This module encodes, decodes and caps entries; it knows no Yjs.
 *
 * Stored entry (docs/protocol.md "Item history"): `{"t": ms since 1970, "d": device, "c": {field: [old, new] | null}}`,
 * where `d` is the first 16 hex digits of the editing device's id, or "import" for versions another
 * manager's file carried; `null` means the field changed but its values were too large to keep.
 */
import { randomBytes } from 'node:crypto'
import type { Item } from './Item.js'
import { ITEM_FIELDS } from './Item.js'

export type HistoryField = (typeof ITEM_FIELDS)[number]
export type FieldValue = Item[HistoryField]

/** Map keys of history entries start with this; no item field does. */
export const HISTORY_KEY_PREFIX = 'h:'
/** `d` of a version carried over by an import. */
export const IMPORTED_DEVICE = 'import'
/** Hex digits of the device id kept in each entry (8 bytes: unique among a roster's devices). */
export const DEVICE_PREFIX_LENGTH = 16

/** Entries that change a secret (password, TOTP, a hidden custom field): the newest this many are kept. */
export const SECRET_VERSIONS_KEPT = 100
/** Other entries: the newest this many are kept ... */
export const OTHER_VERSIONS_KEPT = 50
/** ... while their encoded size stays under this (the newest is always kept). */
export const OTHER_HISTORY_BYTES = 256 * 1024
/** A change whose old and new values encode to more than this is kept without its values. */
export const MAX_CHANGE_BYTES = 16 * 1024

/** One change of one field. `from`/`to` are null with `omitted: true` when the values were too large to keep. */
export interface FieldChange {
  field: HistoryField
  from: FieldValue | null
  to: FieldValue | null
  omitted: boolean
}

/** One version as the API shows it. */
export interface HistoryVersion {
  /** the entry's id (used to restore it) */
  version: string
  /** ISO 8601 */
  at: string
  /** the first 16 hex digits of the device id that made the change; null for an imported version */
  device: string | null
  imported: boolean
  changes: FieldChange[]
}

/** What an importer hands over: an older change of the item, oldest first. */
export interface ImportedVersion {
  /** ISO 8601 */
  at: string
  changes: Partial<Record<HistoryField, [FieldValue, FieldValue]>>
}

interface StoredEntry {
  t: number
  d: string
  c: Partial<Record<HistoryField, [FieldValue, FieldValue] | null>>
}

export const newEntryKey = (): string => HISTORY_KEY_PREFIX + randomBytes(6).toString('base64url')

export const devicePrefix = (deviceId: string): string => deviceId.slice(0, DEVICE_PREFIX_LENGTH)

/** Encodes one change set as the string stored under an entry key. */
export function encodeEntry(at: number, device: string, changes: Partial<Record<HistoryField, [FieldValue, FieldValue]>>): string {
  const c: StoredEntry['c'] = {}
  for (const field of ITEM_FIELDS) {
    const pair = changes[field]
    if (pair === undefined) continue
    c[field] = field !== 'password' && JSON.stringify(pair).length > MAX_CHANGE_BYTES ? null : pair
  }
  return JSON.stringify({ t: at, d: device, c } satisfies StoredEntry)
}

const FIELDS = new Set<string>(ITEM_FIELDS)

/** Decodes a stored entry; undefined when it is not one (a newer device's format, or damage): such entries are skipped, not fatal. */
export function decodeEntry(key: string, raw: unknown): HistoryVersion | undefined {
  if (typeof raw !== 'string') return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(raw)
  } catch {
    return undefined
  }
  if (parsed === null || typeof parsed !== 'object') return undefined
  const { t, d, c } = parsed as Partial<StoredEntry>
  if (typeof t !== 'number' || !Number.isFinite(t) || typeof d !== 'string' || c === null || typeof c !== 'object') return undefined
  const changes: FieldChange[] = []
  for (const [field, pair] of Object.entries(c)) {
    if (!FIELDS.has(field)) continue
    if (pair === null) changes.push({ field: field as HistoryField, from: null, to: null, omitted: true })
    else if (Array.isArray(pair) && pair.length === 2)
      changes.push({ field: field as HistoryField, from: pair[0] as FieldValue, to: pair[1] as FieldValue, omitted: false })
  }
  return {
    version: key.slice(HISTORY_KEY_PREFIX.length),
    at: new Date(t).toISOString(),
    device: d === IMPORTED_DEVICE ? null : d,
    imported: d === IMPORTED_DEVICE,
    changes
  }
}

/** Newest first; ties (same millisecond) in a fixed order so every device shows the same timeline. */
export function sortNewestFirst(versions: HistoryVersion[]): HistoryVersion[] {
  return versions.sort((a, b) => b.at.localeCompare(a.at) || (b.device ?? '').localeCompare(a.device ?? '') || b.version.localeCompare(a.version))
}

/** Whether a version changed a secret: its values are the ones kept longest. */
export function changesSecret(version: HistoryVersion): boolean {
  return version.changes.some(
    c =>
      c.field === 'password' ||
      c.field === 'totp' ||
      (c.field === 'fields' && [c.from, c.to].some(v => Array.isArray(v) && v.some(f => typeof f === 'object' && f !== null && f.hidden)))
  )
}

/**
 * The versions to drop so that at most SECRET_VERSIONS_KEPT secret versions and OTHER_VERSIONS_KEPT
 * other versions (within OTHER_HISTORY_BYTES) are kept, the oldest going first.
 */
export function versionsOverCap(newestFirst: HistoryVersion[], sizeOf: (v: HistoryVersion) => number): HistoryVersion[] {
  const drop: HistoryVersion[] = []
  let secrets = 0
  let others = 0
  let bytes = 0
  for (const v of newestFirst) {
    if (changesSecret(v)) {
      if (++secrets > SECRET_VERSIONS_KEPT) drop.push(v)
      continue
    }
    bytes += sizeOf(v)
    if (++others > OTHER_VERSIONS_KEPT || (others > 1 && bytes > OTHER_HISTORY_BYTES)) drop.push(v)
  }
  return drop
}

/**
 * The item as it was just before `version` happened: starting from the current item, each newer
 * version's and then this version's old values are put back, newest first. Fields whose values
 * were not kept stay as they are now. `trashed` is never part of it (restoring is not un-trashing).
 */
export function stateBefore(current: Item, newestFirst: HistoryVersion[], version: string): Partial<Record<HistoryField, FieldValue>> | undefined {
  const at = newestFirst.findIndex(v => v.version === version)
  if (at < 0) return undefined
  const state: Partial<Record<HistoryField, FieldValue>> = {}
  for (const v of newestFirst.slice(0, at + 1)) {
    for (const c of v.changes) if (!c.omitted && c.field !== 'trashed') state[c.field] = c.from as FieldValue
  }
  const patch: Partial<Record<HistoryField, FieldValue>> = {}
  for (const [field, value] of Object.entries(state) as Array<[HistoryField, FieldValue]>) {
    if (JSON.stringify(current[field]) !== JSON.stringify(value)) patch[field] = value
  }
  return patch
}
