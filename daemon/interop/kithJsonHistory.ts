/**
 * An item's `history` in kith-json: its versions as `GET /api/items/:id/history` shows them
 * (vault/ItemHistory.ts HistoryVersion, newest first), read back as the versions an import carries.
 */
import type { FieldValue, HistoryField, ImportedVersion, ItemInput } from '../vault/Item.js'
import { HISTORY_FIELDS, isTypedField } from '../vault/Item.js'
import type { HistoryVersion } from '../vault/ItemHistory.js'
import { InvalidItemError } from '../vault/errors.js'
import { normalizeInput, typedValue } from '../vault/normalizeInput.js'
import { ImportError } from './errors.js'

/** What reading histories left out, for one warning line each. */
export interface HistoryNotes {
  /** changes the vault had recorded without their values (too large to keep): nothing to import */
  omitted: number
  /** field names this Kith does not know (a newer version's) */
  unknownFields: Set<string>
}

const FIELDS = new Set<string>(HISTORY_FIELDS)

/** A version as kith-json writes it: exactly what the history API returns. */
export function writtenVersion(v: HistoryVersion): HistoryVersion {
  return {
    version: v.version,
    at: v.at,
    device: v.device,
    imported: v.imported,
    changes: v.changes.map(c => ({ field: c.field, from: c.from, to: c.to, omitted: c.omitted, secret: c.secret }))
  }
}

/** One value of a change, checked as an edit's would be (the error names where). */
function value(format: string, where: string, field: HistoryField, raw: unknown): FieldValue {
  try {
    if (isTypedField(field)) return typedValue(field, raw)
    const out = normalizeInput({ [field]: raw } as ItemInput)[field]
    if (out === undefined) throw new InvalidItemError(`${field} is missing`)
    return out as FieldValue
  } catch (err) {
    if (!(err instanceof InvalidItemError)) throw err
    throw new ImportError(format, `a value of "${field}" is not valid: ${err.message}`, { location: where, cause: err })
  }
}

/** The item's `history` (newest first, as written) as imported versions, oldest first; throws an ImportError naming the version. */
export function readKithHistory(format: string, where: string, raw: unknown, notes: HistoryNotes): ImportedVersion[] {
  if (!Array.isArray(raw)) throw new ImportError(format, '"history" must be an array of versions', { location: where })
  const out: ImportedVersion[] = []
  for (const [n, rawVersion] of raw.entries()) {
    const at = `${where}, history[${n}]`
    const v = rawVersion as Record<string, unknown> | null
    if (v === null || typeof v !== 'object' || Array.isArray(v))
      throw new ImportError(format, 'a version must be an object {at, changes}', { location: at })
    if (typeof v.at !== 'string' || Number.isNaN(Date.parse(v.at)))
      throw new ImportError(format, '"at" must be an ISO 8601 date', { location: at })
    if (!Array.isArray(v.changes)) throw new ImportError(format, '"changes" must be an array', { location: at })
    const changes: ImportedVersion['changes'] = {}
    for (const [k, rawChange] of (v.changes as unknown[]).entries()) {
      const c = rawChange as Record<string, unknown> | null
      const here = `${at}, changes[${k}]`
      if (c === null || typeof c !== 'object' || typeof c.field !== 'string')
        throw new ImportError(format, 'a change must be an object {field, from, to, omitted}', { location: here })
      if (!FIELDS.has(c.field)) {
        notes.unknownFields.add(c.field)
        continue
      }
      if (c.omitted === true) {
        notes.omitted++
        continue
      }
      const field = c.field as HistoryField
      changes[field] = [value(format, here, field, c.from), value(format, here, field, c.to)]
    }
    if (Object.keys(changes).length > 0) out.push({ at: new Date(Date.parse(v.at)).toISOString(), changes })
  }
  return out.reverse()
}

/** The warning lines for what the histories left out. */
export function historyWarnings(notes: HistoryNotes): string[] {
  const out: string[] = []
  if (notes.omitted > 0) out.push(`${notes.omitted} history change(s) recorded without their values (too large to keep) were not imported`)
  if (notes.unknownFields.size > 0) out.push(`history changes of unknown fields were not imported: ${[...notes.unknownFields].join(', ')}`)
  return out
}
