/** Maps one item of a Bitwarden JSON export (login, secure note, card, identity, SSH key) to an ImportedItem. */
import type { CustomField } from '../vault/Item.js'
import type { ItemType } from '../vault/itemTypes.js'
import { field, makeItem } from './importedItem.js'
import { typedPart } from './typedItem.js'
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

/** Bitwarden cipher types and Kith's; an unknown type becomes "other". */
const TYPES: Record<number, ItemType> = { 1: 'login', 2: 'note', 3: 'card', 4: 'identity', 5: 'sshKey' }
/** Bitwarden's name of a typed field where it differs from Kith's (the rest are the same). */
const RENAMED: Record<string, string> = { cardholderName: 'cardholder', code: 'cvv', title: 'honorific' }

/** A Bitwarden `card`, `identity` or `sshKey` object as Kith field name → text (`keyFingerprint` is recomputed). */
function detailValues(source: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(obj(source))) if (typeof v === 'string') out[RENAMED[k] ?? k] = v
  return out
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
  const kithType = TYPES[type] ?? 'other'
  if (TYPES[type] === undefined) w(`items of unknown type ${String(raw.type)} were imported as "other" with their common fields only`)
  const section = kithType === 'card' ? raw.card : kithType === 'identity' ? raw.identity : kithType === 'sshKey' ? raw.sshKey : undefined
  const typed = typedPart(kithType, detailValues(section), fields, w)
  const uris = arr(login.uris).map(obj)
  if (uris.some(u => u.match !== null && u.match !== undefined)) w('URI match rules were not kept (Kith matches URLs its own way)')
  if (arr(login.fido2Credentials).length > 0) w('passkeys (FIDO2 credentials) were not imported (Kith does not store passkeys)')
  if (arr(raw.attachments).length > 0) w('attachments were not imported (a Bitwarden export holds only their names)')
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
    updatedAt: isoFromString(raw.revisionDate),
    ...typed
  })
  const old = arr(raw.passwordHistory).map(obj)
  if (old.length > 0)
    item.history = versionsFromPasswords(
      old.map(p => ({ value: str(p.password), until: isoFromString(p.lastUsedDate) })),
      item.password
    )
  return item
}
