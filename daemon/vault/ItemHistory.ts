/**
 * An item's history: one version per change (which fields, their old and new values, when, which
 * device). Versions live in the item's own Y.Map, one key per device, `h:<device>`, holding that
 * device's versions of the item as one compact JSON string that only that device rewrites: two
 * devices that edit while apart write different keys, so both keep their versions through the merge,
 * and one string per device and item costs the unlocked document far less than an entry per version.
 * Purging the item takes its history with it. This module encodes, decodes and caps; it knows no Yjs.
 *
 * Stored (docs/protocol.md "Item history"): `h:<device>` → `[[n, t, {field: [old, new] | [old] | null}], …]`,
 * newest first, where `<device>` is the first 16 hex digits of the writing device's id (or "import"
 * for the versions another manager's file carried), `n` counts that key's versions from 1, `t` is
 * milliseconds since 1970; `[old]` means the new value is the old value of the next newer version in
 * the same key that changes the field (written so when that version is added: half the bytes for a
 * device's run of edits), and `null` that the field changed but its values were too large to keep.
 * A version's `t` is also the item's `updatedAt` (VaultDoc writes no separate `updatedAt` on edits).
 * After the versions, a key whose device ever changed the password ends with `{"p": t}`: when it last
 * did (VaultDoc writes no separate `passwordChangedAt` on edits either; readers of versions skip it).
 */
import type { FieldValue, HistoryField, Item, ItemInput, TypedField } from './Item.js'
import { HISTORY_FIELDS, SECRET_TYPED_FIELDS, isTypedField, splitTypedField } from './Item.js'
import type { Section } from './itemTypes.js'

/** Map keys of history strings start with this; no item field does. */
export const HISTORY_KEY_PREFIX = 'h:'
/** The key's device part for versions carried over by an import. */
export const IMPORTED_DEVICE = 'import'
/** Hex digits of the device id a key names (8 bytes: unique among a roster's devices). */
export const DEVICE_PREFIX_LENGTH = 16

/** Per device and item: versions that change a secret (password, TOTP, a hidden custom field), the newest this many ... */
export const SECRET_VERSIONS_KEPT = 100
/** ... while they encode to at most this (the newest always kept) */
export const SECRET_HISTORY_BYTES = 128 * 1024
/** Other versions: the newest this many ... */
export const OTHER_VERSIONS_KEPT = 50
/** ... while they encode to at most this (the newest always kept). */
export const OTHER_HISTORY_BYTES = 64 * 1024
/** A change whose old and new values encode to more than this is kept without its values (the password always keeps them). */
export const MAX_CHANGE_BYTES = 8 * 1024

/** One change of one field. `from`/`to` are null with `omitted: true` when the values were too large to keep. */
export interface FieldChange {
  field: HistoryField
  from: FieldValue | null
  to: FieldValue | null
  omitted: boolean
  /** the values are secret (a password, TOTP secret, hidden custom field, card number…): shown masked */
  secret: boolean
}

/** One version as the API shows it. */
export interface HistoryVersion {
  /** `<device>.<n>`: names the version for a restore */
  version: string
  /** ISO 8601 */
  at: string
  /** the first 16 hex digits of the device id that made the change; null for an imported version */
  device: string | null
  imported: boolean
  changes: FieldChange[]
}

type StoredChanges = Partial<Record<HistoryField, [FieldValue, FieldValue] | [FieldValue] | null>>
type StoredVersion = [n: number, t: number, changes: StoredChanges]

export const devicePrefix = (deviceId: string): string => deviceId.slice(0, DEVICE_PREFIX_LENGTH)

const FIELDS = new Set<string>(HISTORY_FIELDS)

function parseStored(raw: unknown): StoredVersion[] {
  if (typeof raw !== 'string') return []
  try {
    const parsed: unknown = JSON.parse(raw)
    return Array.isArray(parsed)
      ? (parsed.filter(
          v =>
            Array.isArray(v) &&
            Number.isSafeInteger(v[0]) &&
            Number.isFinite(v[1]) &&
            !Number.isNaN(new Date(v[1] as number).getTime()) &&
            v[2] !== null &&
            typeof v[2] === 'object'
        ) as StoredVersion[])
      : []
  } catch {
    return []
  }
}

/** @param newerOld per field, the old value of the next newer version of the same key that changes it */
function toVersion(device: string, [n, t, c]: StoredVersion, newerOld: Map<HistoryField, FieldValue>): HistoryVersion {
  const changes: FieldChange[] = []
  for (const field of HISTORY_FIELDS) {
    if (!Object.hasOwn(c, field)) continue
    const pair = c[field]
    if (pair === null) {
      changes.push({ field, from: null, to: null, omitted: true, secret: isSecretField(field, []) })
      newerOld.delete(field)
    } else if (Array.isArray(pair) && (pair.length === 2 || pair.length === 1)) {
      const to = pair.length === 2 ? pair[1] : (newerOld.get(field) ?? null)
      changes.push({ field, from: pair[0], to, omitted: false, secret: isSecretField(field, [pair[0], to]) })
      newerOld.set(field, pair[0])
    }
  }
  return {
    version: `${device}.${n}`,
    at: new Date(t).toISOString(),
    device: device === IMPORTED_DEVICE ? null : device,
    imported: device === IMPORTED_DEVICE,
    changes
  }
}

/**
 * The versions one history key holds; what cannot be read (a newer device's format, damage) is
 * skipped, not fatal.
 */
export function decodeVersions(key: string, raw: unknown): HistoryVersion[] {
  const device = key.slice(HISTORY_KEY_PREFIX.length)
  const newerOld = new Map<HistoryField, FieldValue>()
  return parseStored(raw)
    .filter(v => Object.keys(v[2]).some(f => FIELDS.has(f)))
    .map(v => toVersion(device, v, newerOld))
}

const NEWEST_TIME = /^\[\[\d+,(\d+),/
const PASSWORD_TIME = '{"p":'

/**
 * When the key's device last changed the password (ms), read from the string's end without parsing
 * it; NaN when it never did. Only this module writes `{"p":` unescaped: a value holding those
 * characters is stored as `{\"p\":`.
 */
export function passwordTime(raw: unknown): number {
  if (typeof raw !== 'string' || !raw.endsWith('}]')) return Number.NaN
  const at = raw.lastIndexOf(PASSWORD_TIME)
  if (at < 0) return Number.NaN
  const digits = raw.slice(at + PASSWORD_TIME.length, raw.length - 2)
  return /^\d{1,16}$/.test(digits) ? Number(digits) : Number.NaN
}

/** When the newest version of a key was made (ms), read without parsing the whole string; NaN when none. */
export function newestTime(raw: unknown): number {
  const m = typeof raw === 'string' ? NEWEST_TIME.exec(raw) : null
  return m === null ? Number.NaN : Number(m[1])
}

/** Whether a field's values are secret: the password, the TOTP secret, a secret typed field, custom fields with a hidden one. */
function isSecretField(field: string, values: unknown[]): boolean {
  if (field === 'password' || field === 'totp' || SECRET_TYPED_FIELDS.has(field)) return true
  return field === 'fields' && values.some(v => Array.isArray(v) && v.some(f => (f as { hidden?: unknown } | null)?.hidden === true))
}

/** Whether stored changes touch a secret: those versions are the ones kept longest. */
function changesSecret(c: StoredChanges): boolean {
  return Object.entries(c).some(([field, pair]) => isSecretField(field, Array.isArray(pair) ? pair : [null]))
}

/**
 * Keeps the newest versions (newest first) within the caps (per key: per device and item). A kept
 * `[old]` whose newer version goes gets its new value written out again.
 */
function capped(versions: StoredVersion[]): StoredVersion[] {
  const kept: StoredVersion[] = []
  const count = { secret: 0, other: 0 }
  const bytes = { secret: 0, other: 0 }
  /** per field, the old value of the newest version seen so far that changes it, and whether it stays */
  const newer = new Map<string, { old: FieldValue; stays: boolean }>()
  for (const v of versions) {
    const kind = changesSecret(v[2]) ? 'secret' : 'other'
    const size = JSON.stringify(v).length
    const [most, budget] = kind === 'secret' ? [SECRET_VERSIONS_KEPT, SECRET_HISTORY_BYTES] : [OTHER_VERSIONS_KEPT, OTHER_HISTORY_BYTES]
    const stays = count[kind] < most && (count[kind] === 0 || bytes[kind] + size <= budget)
    for (const [field, pair] of Object.entries(v[2])) {
      if (!Array.isArray(pair)) continue
      const resolver = newer.get(field)
      if (stays && pair.length === 1 && resolver !== undefined && !resolver.stays) v[2][field as HistoryField] = [pair[0], resolver.old]
      newer.set(field, { old: pair[0], stays })
    }
    if (!stays) continue
    count[kind]++
    bytes[kind] += size
    kept.push(v)
  }
  return kept
}

/** Values too large to keep are recorded as "changed" only (never the password's). */
function storedChanges(changes: Partial<Record<HistoryField, [FieldValue, FieldValue]>>): StoredChanges {
  const c: StoredChanges = {}
  for (const field of HISTORY_FIELDS) {
    const pair = changes[field]
    if (pair !== undefined) c[field] = field !== 'password' && JSON.stringify(pair).length > MAX_CHANGE_BYTES ? null : pair
  }
  return c
}

/** The newest version of `versions` (newest first) that keeps both values of `field`, when its new value is `value`. */
function shortenable(versions: StoredVersion[], field: HistoryField, value: FieldValue): StoredVersion | undefined {
  const newer = versions.find(v => Object.hasOwn(v[2], field))
  const pair = newer?.[2][field]
  return Array.isArray(pair) && pair.length === 2 && JSON.stringify(pair[1]) === JSON.stringify(value) ? newer : undefined
}

/** A key's string with versions (oldest first) added before the ones it holds, capped. */
export function appendVersions(
  raw: unknown,
  added: Array<{ at: number; changes: Partial<Record<HistoryField, [FieldValue, FieldValue]>> }>
): string {
  const versions = parseStored(raw)
  let n = versions.reduce((most, v) => Math.max(most, v[0]), 0)
  let changedPassword = passwordTime(raw)
  for (const a of added) {
    const changes = storedChanges(a.changes)
    for (const [field, pair] of Object.entries(changes) as Array<[HistoryField, StoredChanges[HistoryField]]>) {
      if (!Array.isArray(pair)) continue
      // the previous version's new value is this one's old value: keep it once
      const previous = shortenable(versions, field, pair[0])
      if (previous !== undefined) previous[2][field] = [(previous[2][field] as [FieldValue, FieldValue])[0]]
    }
    versions.unshift([++n, a.at, changes])
    if (changes.password !== undefined && !(a.at <= changedPassword)) changedPassword = a.at
  }
  const kept: Array<StoredVersion | { p: number }> = capped(versions)
  if (Number.isFinite(changedPassword)) kept.push({ p: changedPassword })
  return JSON.stringify(kept)
}

/** Newest first; ties (same millisecond) in a fixed order so every device shows the same timeline. */
export function sortNewestFirst(versions: HistoryVersion[]): HistoryVersion[] {
  const n = (v: HistoryVersion): number => Number(v.version.slice(v.version.lastIndexOf('.') + 1))
  return versions.sort((a, b) => b.at.localeCompare(a.at) || (b.device ?? '').localeCompare(a.device ?? '') || n(b) - n(a))
}

/**
 * The item as it was just before `version` happened: starting from the current item, each newer
 * version's and then this version's old values are put back, newest first. Fields whose values
 * were not kept stay as they are now. `trashed` is never part of it (restoring is not un-trashing).
 */
export function stateBefore(
  current: Item,
  newestFirst: HistoryVersion[],
  version: string
): Partial<Record<HistoryField, FieldValue>> | undefined {
  const at = newestFirst.findIndex(v => v.version === version)
  if (at < 0) return undefined
  const state: Partial<Record<HistoryField, FieldValue>> = {}
  for (const v of newestFirst.slice(0, at + 1)) {
    for (const c of v.changes) if (!c.omitted && c.field !== 'trashed') state[c.field] = c.from as FieldValue
  }
  const patch: Partial<Record<HistoryField, FieldValue>> = {}
  for (const [field, value] of Object.entries(state) as Array<[HistoryField, FieldValue]>) {
    if (JSON.stringify(fieldValue(current, field)) !== JSON.stringify(value)) patch[field] = value
  }
  return patch
}

/** A field's value in an item. */
function fieldValue(item: Item, field: HistoryField): FieldValue {
  return isTypedField(field) ? typedFieldValue(item, field) : item[field]
}

/** A typed field's value in an item (or an imported one); '' when its section is absent. */
export function typedFieldValue(item: Pick<Item, Section>, field: TypedField): string {
  const [section, name] = splitTypedField(field)
  return (item[section] as Record<string, string> | undefined)?.[name] ?? ''
}

/** Field values by history field name as an edit: typed ones grouped into their sections (`card.number` → `card: {number}`). */
export function historyInput(values: Partial<Record<HistoryField, FieldValue>>): ItemInput {
  const input: Record<string, unknown> = {}
  for (const [field, value] of Object.entries(values)) {
    if (!isTypedField(field)) {
      input[field] = value
      continue
    }
    const [section, name] = splitTypedField(field)
    const group = (input[section] ?? {}) as Record<string, unknown>
    group[name] = typeof value === 'string' ? value : ''
    input[section] = group
  }
  return input as ItemInput
}

/** The item with field values put back, typed ones into their sections (an older copy for an export). */
export function withValues(item: Item, values: Partial<Record<HistoryField, FieldValue>>): Item {
  const out: Record<string, unknown> = { ...item }
  for (const [field, value] of Object.entries(values)) {
    if (!isTypedField(field)) {
      out[field] = value
      continue
    }
    const [section, name] = splitTypedField(field)
    const current = out[section] as Record<string, string> | undefined
    if (current !== undefined || value !== '') out[section] = { ...current, [name]: typeof value === 'string' ? value : '' }
  }
  return out as unknown as Item
}
