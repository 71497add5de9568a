/**
 * What a caller's input may hold: each settable field checked and copied (undefined means "not
 * given"), the values a field has when never set, and a typed field's value checked as an edit's is.
 */
import { splitTypedField, type ITEM_FIELDS, type ItemInput, type TypedField } from './Item.js'
import { InvalidItemError } from './errors.js'
import { checkSection, checkType, checkTypedValue } from './itemTypes.js'
import { normalizeExpiry } from './expiry.js'

/** An imported old or new value of a typed field, checked as an edit's would be. */
export function typedValue(field: TypedField, raw: unknown): string {
  const [section, name] = splitTypedField(field)
  return checkTypedValue(section, name, raw ?? '')
}

export function defaultOf(key: (typeof ITEM_FIELDS)[number]): unknown {
  switch (key) {
    case 'urls':
    case 'fields':
    case 'tags':
      return []
    case 'totp':
      return null
    case 'favorite':
    case 'trashed':
      return false
    case 'type':
      return 'login'
    case 'expiresAt':
      return null
    default:
      return ''
  }
}

export function isDefault(key: (typeof ITEM_FIELDS)[number], value: unknown): boolean {
  const d = defaultOf(key)
  return Array.isArray(d) ? Array.isArray(value) && value.length === 0 : value === d
}

const MAX_TEXT = 1 << 20

function text(key: string, v: unknown): string {
  if (typeof v !== 'string') throw new InvalidItemError(`${key} must be a string`)
  if (v.length > MAX_TEXT) throw new InvalidItemError(`${key} is too long`)
  return v
}

/** Validates and copies the settable fields of an input; undefined means "not given". */
export function normalizeInput(input: ItemInput): ItemInput {
  const out: ItemInput = {}
  if (input === null || typeof input !== 'object') throw new InvalidItemError('an item must be an object')
  for (const key of ['title', 'username', 'password', 'notes', 'folder'] as const) {
    if (input[key] !== undefined) out[key] = text(key, input[key])
  }
  if (input.totp !== undefined) out.totp = input.totp === null || input.totp === '' ? null : text('totp', input.totp)
  for (const key of ['favorite', 'trashed'] as const) {
    if (input[key] !== undefined) {
      if (typeof input[key] !== 'boolean') throw new InvalidItemError(`${key} must be true or false`)
      out[key] = input[key]
    }
  }
  for (const key of ['urls', 'tags'] as const) {
    if (input[key] !== undefined) {
      if (!Array.isArray(input[key])) throw new InvalidItemError(`${key} must be an array of strings`)
      out[key] = input[key].map(v => text(key, v))
    }
  }
  if (input.type !== undefined) out.type = checkType(input.type)
  if (input.expiresAt !== undefined) out.expiresAt = normalizeExpiry(input.expiresAt)
  if (input.card !== undefined) out.card = checkSection('card', input.card)
  if (input.identity !== undefined) out.identity = checkSection('identity', input.identity)
  if (input.sshKey !== undefined) out.sshKey = checkSection('sshKey', input.sshKey)
  if (input.fields !== undefined) {
    if (!Array.isArray(input.fields)) throw new InvalidItemError('fields must be an array of {name, value, hidden}')
    out.fields = input.fields.map(f => {
      if (f === null || typeof f !== 'object') throw new InvalidItemError('fields must be an array of {name, value, hidden}')
      return { name: text('field name', f.name), value: text('field value', f.value), hidden: f.hidden === true }
    })
  }
  return out
}
