/** The shape of a vault item as the API, CLI and importers see it (CONTRACT.md "An item in JSON"). */
import {
  SECTION_FIELDS,
  SECTIONS,
  type CardFields,
  type IdentityFields,
  type ItemType,
  type Section,
  type SectionInput,
  type SshKeyFields
} from './itemTypes.js'

export interface CustomField {
  name: string
  value: string
  /** shown masked, like a password */
  hidden: boolean
}

export interface Item {
  id: string
  /** the vault's name */
  vault: string
  title: string
  username: string
  password: string
  urls: string[]
  notes: string
  /** otpauth:// URI, or null */
  totp: string | null
  fields: CustomField[]
  tags: string[]
  /** folder path, '/'-separated for nested groups; '' when none */
  folder: string
  favorite: boolean
  trashed: boolean
  /** ISO 8601 */
  createdAt: string
  /** ISO 8601 */
  updatedAt: string
  /** 'login' for items stored before types existed */
  type: ItemType
  /** ISO 8601, or null when the item does not expire */
  expiresAt: string | null
  /** present on cards only */
  card?: CardFields
  /** present on identities only */
  identity?: IdentityFields
  /** present on SSH keys only */
  sshKey?: SshKeyFields
  /** files on the item (their bytes are sealed blobs outside the document: service/AttachmentService.ts) */
  attachments: AttachmentInfo[]
}

/** One file on an item, as the item JSON shows it. */
export interface AttachmentInfo {
  /** random, unique within the vault; names the blob (`/api/items/:id/attachments/:attachmentId`) */
  id: string
  name: string
  /** bytes of the file */
  size: number
  /** hex SHA-256 of the file */
  sha256: string
}

/** The fields a caller may set when creating or editing an item. */
export type ItemInput = Partial<Omit<Item, 'id' | 'vault' | 'createdAt' | 'updatedAt' | 'card' | 'identity' | 'sshKey' | 'attachments'>> & {
  createdAt?: string
  updatedAt?: string
  /** the card fields to set (the others keep their values) */
  card?: SectionInput<'card'>
  identity?: SectionInput<'identity'>
  sshKey?: SectionInput<'sshKey'>
  /** older versions another manager's file carried (read only when an item is created) */
  history?: ImportedVersion[]
}

/** The editable scalar and list fields, in a fixed order. */
export const ITEM_FIELDS = [
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
  'type',
  'expiresAt'
] as const

/** An editable field of every item. */
export type ItemField = (typeof ITEM_FIELDS)[number]
/** A typed field of a card, identity or SSH key, as its Y.Map key names it: `card.number`. */
export type TypedField = `${Section}.${string}`
/** The typed fields in display order, and those of them that are secret. */
export const TYPED_FIELDS: readonly TypedField[] = SECTIONS.flatMap(s => SECTION_FIELDS[s].map(f => `${s}.${f.name}` as TypedField))
export const SECRET_TYPED_FIELDS: ReadonlySet<string> = new Set(
  SECTIONS.flatMap(s => SECTION_FIELDS[s].filter(f => f.hidden).map(f => `${s}.${f.name}`))
)
export const isTypedField = (field: string): field is TypedField => TYPED_FIELDS.includes(field as TypedField)
/** A typed field's section and name: `card.number` → ['card', 'number']. */
export function splitTypedField(field: TypedField): [Section, string] {
  const dot = field.indexOf('.')
  return [field.slice(0, dot) as Section, field.slice(dot + 1)]
}

/** A field an item's history records (vault/ItemHistory.ts): every item field and every typed one. */
export type HistoryField = ItemField | TypedField
export const HISTORY_FIELDS: readonly HistoryField[] = [...ITEM_FIELDS, ...TYPED_FIELDS]
export type FieldValue = Item[ItemField]

/** What an importer hands over: an older change of the item (stored as an imported version). */
export interface ImportedVersion {
  /** ISO 8601 */
  at: string
  changes: Partial<Record<HistoryField, [FieldValue, FieldValue]>>
}
