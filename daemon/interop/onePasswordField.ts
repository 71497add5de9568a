/** Renders one 1Password section field value (`{ "<kind>": value }`) as a Kith custom field, or picks out a TOTP. */
import type { CustomField } from '../vault/Item.js'
import { obj, str } from './jsonShape.js'
import { fileRef, type OnePasswordFileRef } from './onePasswordFiles.js'

/** A section field read: exactly one of a TOTP value, an attached file, or a custom field. */
export interface OnePasswordFieldValue {
  totp?: string
  file?: OnePasswordFileRef
  field?: CustomField
}

function addressText(a: Record<string, unknown>): string {
  const line2 = [str(a.city), str(a.state), str(a.zip)].filter(s => s !== '').join(' ')
  return [str(a.street), line2, str(a.country)].filter(s => s !== '').join('\n')
}

/** Reads a 1PUX section field. `concealed` values are hidden; objects (email, address, ssh keys…) are flattened to text. */
export function onePasswordField(raw: Record<string, unknown>): OnePasswordFieldValue {
  const value = obj(raw.value)
  const kind = Object.keys(value)[0] ?? 'string'
  const v = value[kind]
  const name = str(raw.title) !== '' ? str(raw.title) : str(raw.id)
  if (kind === 'totp') return { totp: str(v) }
  if (kind === 'file' || kind === 'fileAttributes') {
    const ref = fileRef(v)
    return ref === undefined ? {} : { file: ref }
  }
  let text: string
  let hidden = kind === 'concealed'
  if (kind === 'email') text = str(obj(v).email_address)
  else if (kind === 'address') text = addressText(obj(v))
  else if (kind === 'sshKey') {
    text = str(obj(v).privateKey)
    hidden = true
  } else if (v !== null && typeof v === 'object') text = JSON.stringify(v)
  else text = str(v)
  return { field: { name, value: text, hidden } }
}
