/** Maps one item of a Bitwarden JSON export (login, secure note, card, identity, SSH key) to an ImportedItem. */
import type { CustomField } from '../vault/Item.js'
import { field, makeItem } from './importedItem.js'
import { arr, bool, obj, str } from './jsonShape.js'
import { tagsFromFields } from './tagsField.js'
import { isoFromString } from './timestamps.js'
import { versionsFromPasswords } from './importedHistory.js'
import { settleTotp, toOtpauth } from './totp.js'
import type { ImportedItem } from './types.js'
import type { Warnings } from './warnings.js'

/** Folder and collection names by id, and where to note losses. */
export interface BitwardenContext {
  folders: Map<string, string>
  collections: Map<string, string>
  warnings: Warnings
}

const CARD_FIELDS: Array<[string, string, boolean]> = [
  ['cardholderName', 'Cardholder name', false],
  ['brand', 'Brand', false],
  ['number', 'Number', true],
  ['expMonth', 'Expiry month', false],
  ['expYear', 'Expiry year', false],
  ['code', 'Security code', true]
]
const IDENTITY_FIELDS: Array<[string, string, boolean]> = [
  ['title', 'Title', false],
  ['firstName', 'First name', false],
  ['middleName', 'Middle name', false],
  ['lastName', 'Last name', false],
  ['address1', 'Address 1', false],
  ['address2', 'Address 2', false],
  ['address3', 'Address 3', false],
  ['city', 'City', false],
  ['state', 'State', false],
  ['postalCode', 'Postal code', false],
  ['country', 'Country', false],
  ['company', 'Company', false],
  ['email', 'Email', false],
  ['phone', 'Phone', false],
  ['ssn', 'SSN', true],
  ['username', 'Username', false],
  ['passportNumber', 'Passport number', true],
  ['licenseNumber', 'License number', true]
]
const SSH_FIELDS: Array<[string, string, boolean]> = [
  ['privateKey', 'Private key', true],
  ['publicKey', 'Public key', false],
  ['keyFingerprint', 'Fingerprint', false]
]
const TYPE_NAMES: Record<number, string> = { 3: 'card', 4: 'identity', 5: 'SSH key' }

function detailFields(source: unknown, spec: Array<[string, string, boolean]>): CustomField[] {
  const o = obj(source)
  return spec.filter(([k]) => str(o[k]) !== '').map(([k, name, hidden]) => field(name, str(o[k]), hidden))
}

/** One Bitwarden cipher as an ImportedItem; `label` names it in warnings. */
export function bitwardenItem(raw: Record<string, unknown>, label: string, ctx: BitwardenContext): ImportedItem {
  const w = (kind: string): void => ctx.warnings.note(kind, label)
  const type = Number(raw.type)
  const title = str(raw.name)
  const login = obj(raw.login)
  const username = str(login.username)
  const fields: CustomField[] = []
  for (const f of arr(raw.fields).map(obj)) {
    const t = Number(f.type)
    if (t === 2) w('boolean custom fields became text fields ("true"/"false")')
    if (t === 3) w('linked custom fields became empty text fields (Kith has no linked fields)')
    fields.push(field(str(f.name), t === 3 ? '' : str(f.value), t === 1))
  }
  if (type === 3) fields.push(...detailFields(raw.card, CARD_FIELDS))
  if (type === 4) fields.push(...detailFields(raw.identity, IDENTITY_FIELDS))
  if (type === 5) fields.push(...detailFields(raw.sshKey, SSH_FIELDS))
  const typeName = TYPE_NAMES[type]
  if (typeName !== undefined)
    ctx.warnings.note('cards, identities and SSH keys became items with custom fields (Kith has no such types)', `${label} (${typeName})`)
  else if (type !== 1 && type !== 2) w(`items of unknown type ${String(raw.type)} were imported with their common fields only`)
  const uris = arr(login.uris).map(obj)
  if (uris.some(u => u.match !== null && u.match !== undefined)) w('URI match rules were not kept (Kith matches URLs its own way)')
  if (arr(login.fido2Credentials).length > 0) w('passkeys (FIDO2 credentials) were not imported (Kith does not store passkeys)')
  if (arr(raw.attachments).length > 0) w('attachments were not imported (Kith does not store files)')
  if (Number(raw.reprompt) === 1) w('"master password re-prompt" was not kept')
  const collectionIds = arr(raw.collectionIds)
    .map(str)
    .filter(id => ctx.collections.has(id))
  if (collectionIds.length > 1) w('items in several collections were put in the folder of the first one')
  const folder = ctx.folders.get(str(raw.folderId)) ?? ctx.collections.get(collectionIds[0] ?? '') ?? ''
  const { fields: rest, tags } = tagsFromFields(fields)
  const totp = settleTotp(toOtpauth(str(login.totp), { title, username }), rest, w)
  const item = makeItem({
    title,
    username,
    password: str(login.password),
    urls: uris.map(u => str(u.uri)),
    notes: str(raw.notes),
    totp,
    fields: rest,
    tags,
    folder,
    favorite: bool(raw.favorite),
    trashed: str(raw.deletedDate) !== '',
    createdAt: isoFromString(raw.creationDate),
    updatedAt: isoFromString(raw.revisionDate)
  })
  const old = arr(raw.passwordHistory).map(obj)
  if (old.length > 0)
    item.history = versionsFromPasswords(
      old.map(p => ({ value: str(p.password), until: isoFromString(p.lastUsedDate) })),
      item.password
    )
  return item
}
