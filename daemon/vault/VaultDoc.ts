/**
 * The Yjs model of one vault: `meta` (name) and `items`, a Y.Map of item id → Y.Map of fields.
 * Each field is its own map entry, so concurrent edits to different fields of one item merge;
 * list-valued fields (urls, tags, custom fields) are replaced whole. Typed fields (a card's number…)
 * are entries of their own too (typedStorage.ts); an item without a `type` entry is a login.
 * Knows no keys and no storage.
 */
import * as Y from 'yjs'
import { randomBytes } from 'node:crypto'
import type { Item, ItemInput, CustomField, FieldValue, HistoryField, ImportedVersion } from './Item.js'
import { ITEM_FIELDS, isTypedField } from './Item.js'
import { InvalidItemError, ItemNotFoundError } from './errors.js'
import { sectionOf, typeOf, type ItemType } from './itemTypes.js'
import { defaultOf, isDefault, normalizeInput, typedValue } from './normalizeInput.js'
import {
  ATTACHMENT_KEY_PREFIX,
  attachmentsOf,
  decodeAttachment,
  encodeAttachment,
  nextAddedAt,
  recordsOf,
  type AttachmentRecord
} from './attachmentRecord.js'
import { readSection, sectionToFields, sectionsOf, writeSection } from './typedStorage.js'
import {
  HISTORY_KEY_PREFIX,
  IMPORTED_DEVICE,
  appendVersions,
  decodeVersions,
  devicePrefix,
  newestTime,
  passwordTime,
  sortNewestFirst,
  type HistoryVersion
} from './ItemHistory.js'

/** Transaction origin for changes made on this device (remote updates carry another origin). */
export const LOCAL_ORIGIN = Symbol('local')

type ItemMap = Y.Map<unknown>

/** Kept beside the fields (not in the item JSON): when the password was last set, for the health report's "old". */
const PASSWORD_CHANGED_AT = 'passwordChangedAt'

export function newItemId(): string {
  return randomBytes(12).toString('base64url')
}

export class VaultDoc {
  readonly doc: Y.Doc
  private readonly items: Y.Map<ItemMap>
  private readonly meta: Y.Map<unknown>
  /** the map key of this device's versions of an item (ItemHistory.ts) */
  private readonly historyKey: string

  /** @param deviceId the hex id of this device, recorded (shortened) in the history entries of its edits */
  constructor(doc = new Y.Doc(), deviceId = '') {
    this.doc = doc
    this.historyKey = HISTORY_KEY_PREFIX + (deviceId === '' ? 'local' : devicePrefix(deviceId))
    this.items = doc.getMap('items')
    this.meta = doc.getMap('meta')
  }

  get name(): string {
    return (this.meta.get('name') as string | undefined) ?? ''
  }
  set name(value: string) {
    this.doc.transact(() => this.meta.set('name', value), LOCAL_ORIGIN)
  }

  get size(): number {
    return this.items.size
  }

  has(id: string): boolean {
    return this.items.has(id)
  }

  /** Creates an item with a fresh random id (random ids: two devices never write the same key). */
  create(input: ItemInput, now = new Date()): string {
    const id = newItemId()
    this.createWithId(id, input, now)
    return id
  }

  createWithId(id: string, input: ItemInput, now = new Date()): void {
    const normalized = normalizeInput(input)
    if (normalized.title === undefined || normalized.title === '') throw new InvalidItemError('an item needs a title')
    const sections = checkSections(normalized, normalized.type ?? 'login')
    this.doc.transact(() => {
      const map = new Y.Map<unknown>()
      const iso = now.toISOString()
      map.set('createdAt', input.createdAt ?? iso)
      map.set('updatedAt', input.updatedAt ?? iso)
      // only fields that differ from their default are stored: half the Yjs structs per item
      for (const key of ITEM_FIELDS) {
        const value = normalized[key]
        if (value !== undefined && !isDefault(key, value)) map.set(key, value)
      }
      for (const [section, values] of sections) writeSection(map, section, values, () => undefined)
      // an imported password is at most as new as its item's last change
      if (normalized.password !== undefined && normalized.password !== '') map.set(PASSWORD_CHANGED_AT, input.updatedAt ?? iso)
      this.items.set(id, map)
      if (input.history !== undefined) setImportedHistory(map, input.history)
    }, LOCAL_ORIGIN)
  }

  /** Creates many items in one transaction (imports): one update, not thousands. */
  createMany(inputs: ItemInput[], now = new Date()): string[] {
    const ids: string[] = []
    this.doc.transact(() => {
      for (const input of inputs) ids.push(this.create(input, now))
    }, LOCAL_ORIGIN)
    return ids
  }

  /**
   * Adds items under the ids they already have (moving items between vaults keeps their ids), with
   * the history keys of their old vault copied as they were (historyKeys).
   */
  createManyWithIds(entries: Array<{ id: string; input: ItemInput; history?: Array<[string, unknown]> }>, now = new Date()): void {
    this.doc.transact(() => {
      for (const { id, input, history } of entries) {
        this.createWithId(id, input, now)
        const map = this.items.get(id) as ItemMap
        for (const [key, raw] of history ?? [])
          if ((key.startsWith(HISTORY_KEY_PREFIX) || key.startsWith(ATTACHMENT_KEY_PREFIX)) && typeof raw === 'string') map.set(key, raw)
      }
    }, LOCAL_ORIGIN)
  }

  /** The item's history and file keys as stored, to move it to another vault with its history and files. */
  historyKeys(id: string): Array<[string, unknown]> {
    const map = this.items.get(id)
    if (map === undefined) throw new ItemNotFoundError(id)
    return [...map.entries()].filter(([key]) => key.startsWith(HISTORY_KEY_PREFIX) || key.startsWith(ATTACHMENT_KEY_PREFIX))
  }

  /** Sets only the given fields; untouched fields keep concurrent edits from other devices. */
  update(id: string, patch: ItemInput, now = new Date()): void {
    const map = this.items.get(id)
    if (map === undefined) throw new ItemNotFoundError(id)
    const normalized = normalizeInput(patch)
    if (normalized.title === '') throw new InvalidItemError('an item needs a title')
    const current = typeOf(map.get('type'))
    const sections = checkSections(normalized, normalized.type ?? current)
    this.doc.transact(() => {
      const changes: Partial<Record<HistoryField, [FieldValue, FieldValue]>> = {}
      let changed = false
      const typedChange = (key: string, from: string, to: string): void => {
        changes[key as HistoryField] = [from, to]
        changed = true
      }
      const leaving = normalized.type !== undefined && normalized.type !== current ? sectionOf(current) : undefined
      if (leaving !== undefined) {
        // the old type's fields become custom fields: a change of type loses nothing
        const moved = sectionToFields(map, leaving, typedChange)
        if (moved.length > 0)
          normalized.fields = [...(normalized.fields ?? (map.get('fields') as CustomField[] | undefined) ?? []), ...moved]
        changed = true
      }
      for (const [section, values] of sections) writeSection(map, section, values, typedChange)
      for (const key of ITEM_FIELDS) {
        const value = normalized[key]
        if (value === undefined) continue
        const old = map.get(key) ?? defaultOf(key)
        if (JSON.stringify(old) === JSON.stringify(value)) continue
        changes[key] = [old as FieldValue, value]
        map.set(key, value)
        changed = true
      }
      if (!changed) return
      // the version's time is the item's updatedAt (toItem): no second entry, no second tombstone per edit
      map.set(this.historyKey, appendVersions(map.get(this.historyKey), [{ at: now.getTime(), changes }]))
    }, LOCAL_ORIGIN)
  }

  /** The item's versions, newest first (every device's, once merged). */
  history(id: string): HistoryVersion[] {
    const map = this.items.get(id)
    if (map === undefined) throw new ItemNotFoundError(id)
    return readHistory(map)
  }

  /** Puts a file's record on an item (its sealed chunks are stored first: AttachmentService). */
  addAttachment(id: string, record: AttachmentRecord): void {
    const map = this.items.get(id)
    if (map === undefined) throw new ItemNotFoundError(id)
    const stored = { ...record, addedAt: nextAddedAt(map, record.addedAt) }
    this.doc.transact(() => map.set(ATTACHMENT_KEY_PREFIX + record.id, encodeAttachment(stored)), LOCAL_ORIGIN)
  }

  /** Takes a file off an item; false when it had no such file. */
  removeAttachment(id: string, attachmentId: string): boolean {
    const map = this.items.get(id)
    if (map === undefined) throw new ItemNotFoundError(id)
    if (!map.has(ATTACHMENT_KEY_PREFIX + attachmentId)) return false
    this.doc.transact(() => map.delete(ATTACHMENT_KEY_PREFIX + attachmentId), LOCAL_ORIGIN)
    return true
  }

  /** A file's record with its key, or undefined. */
  attachment(id: string, attachmentId: string): AttachmentRecord | undefined {
    return decodeAttachment(attachmentId, this.items.get(id)?.get(ATTACHMENT_KEY_PREFIX + attachmentId))
  }

  /** Every file record of the vault, with the id of its item. */
  attachments(): Array<{ itemId: string; record: AttachmentRecord }> {
    const out: Array<{ itemId: string; record: AttachmentRecord }> = []
    for (const [itemId, map] of this.items) for (const record of recordsOf(map)) out.push({ itemId, record })
    return out
  }

  /** Removes an item for good (after this, a snapshot and compaction erase it from disk). */
  purge(id: string): void {
    if (!this.items.has(id)) throw new ItemNotFoundError(id)
    this.doc.transact(() => this.items.delete(id), LOCAL_ORIGIN)
  }

  /** Removes many items in one transaction (migration out of this vault). */
  purgeMany(ids: string[]): void {
    this.doc.transact(() => {
      for (const id of ids) this.items.delete(id)
    }, LOCAL_ORIGIN)
  }

  get(id: string, vaultName = this.name): Item | undefined {
    const map = this.items.get(id)
    return map === undefined ? undefined : toItem(id, map, vaultName)
  }

  /**
   * When the item's password was last set (ISO 8601): the later of its creation's entry and the
   * newest password change any device's history key records (edits write no entry of their own);
   * undefined for items written before Kith kept it.
   */
  passwordChangedAt(id: string): string | undefined {
    const map = this.items.get(id)
    if (map === undefined) return undefined
    const value = map.get(PASSWORD_CHANGED_AT)
    const latest = newestInHistory(map, typeof value === 'string' ? Date.parse(value) : Number.NaN, passwordTime)
    return Number.isFinite(latest) ? new Date(latest).toISOString() : undefined
  }

  /** Every item id. */
  ids(): IterableIterator<string> {
    return this.items.keys()
  }

  /** Every item, trashed ones included. */
  all(vaultName = this.name): Item[] {
    const out: Item[] = []
    for (const [id, map] of this.items) out.push(toItem(id, map, vaultName))
    return out
  }

  /** Calls back with the ids of items changed by each transaction (local and remote). */
  onItemsChanged(listener: (ids: string[], local: boolean) => void): () => void {
    const handler = (events: Array<Y.YEvent<Y.AbstractType<unknown>>>, tx: Y.Transaction): void => {
      const ids = new Set<string>()
      for (const event of events) {
        if (event.target === this.items) for (const key of event.keys.keys()) ids.add(key)
        else if (event.path.length > 0) ids.add(String(event.path[0]))
      }
      if (ids.size > 0) listener([...ids], tx.origin === LOCAL_ORIGIN)
    }
    this.items.observeDeep(handler)
    return () => this.items.unobserveDeep(handler)
  }

  destroy(): void {
    this.doc.destroy()
  }
}

function readHistory(map: ItemMap): HistoryVersion[] {
  const out: HistoryVersion[] = []
  for (const [key, raw] of map) if (key.startsWith(HISTORY_KEY_PREFIX)) out.push(...decodeVersions(key, raw))
  return sortNewestFirst(out)
}

/** Writes the versions an import carried, each value checked as an edit's would be. */
function setImportedHistory(map: ItemMap, versions: ImportedVersion[]): void {
  if (!Array.isArray(versions)) throw new InvalidItemError('history must be an array of versions')
  const added: Array<{ at: number; changes: Partial<Record<HistoryField, [FieldValue, FieldValue]>> }> = []
  for (const v of versions) {
    const at = Date.parse(v.at)
    if (!Number.isFinite(at)) throw new InvalidItemError('a version needs a valid date')
    const changes: Partial<Record<HistoryField, [FieldValue, FieldValue]>> = {}
    for (const [field, pair] of Object.entries(v.changes) as Array<[HistoryField, [FieldValue, FieldValue]]>) {
      if (!Array.isArray(pair) || pair.length !== 2) continue
      if (isTypedField(field)) {
        changes[field] = [typedValue(field, pair[0]), typedValue(field, pair[1])]
        continue
      }
      if (!(ITEM_FIELDS as readonly string[]).includes(field)) continue
      const from = normalizeInput({ [field]: pair[0] })[field]
      const to = normalizeInput({ [field]: pair[1] })[field]
      changes[field] = [from ?? defaultOf(field), to ?? defaultOf(field)] as [FieldValue, FieldValue]
    }
    if (Object.keys(changes).length > 0) added.push({ at, changes })
  }
  added.sort((a, b) => a.at - b.at)
  if (added.length > 0) map.set(HISTORY_KEY_PREFIX + IMPORTED_DEVICE, appendVersions(undefined, added))
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '')

function toItem(id: string, map: ItemMap, vault: string): Item {
  const type = typeOf(map.get('type'))
  const item: Item = {
    id,
    vault,
    title: str(map.get('title')),
    username: str(map.get('username')),
    password: str(map.get('password')),
    urls: [...((map.get('urls') as string[] | undefined) ?? [])],
    notes: str(map.get('notes')),
    totp: (map.get('totp') as string | null | undefined) ?? null,
    fields: ((map.get('fields') as CustomField[] | undefined) ?? []).map(f => ({ ...f })),
    tags: [...((map.get('tags') as string[] | undefined) ?? [])],
    folder: str(map.get('folder')),
    favorite: map.get('favorite') === true,
    trashed: map.get('trashed') === true,
    createdAt: str(map.get('createdAt')),
    updatedAt: updatedAtOf(map),
    type,
    expiresAt: typeof map.get('expiresAt') === 'string' ? (map.get('expiresAt') as string) : null,
    attachments: attachmentsOf(map)
  }
  const section = sectionOf(type)
  if (section === 'card') item.card = readSection(map, 'card')
  else if (section === 'identity') item.identity = readSection(map, 'identity')
  else if (section === 'sshKey') item.sshKey = readSection(map, 'sshKey')
  return item
}

/** The typed sections an input sets; each must be the section of the item's (new) type. */
function checkSections(input: ItemInput, type: ItemType): ReturnType<typeof sectionsOf> {
  const sections = sectionsOf(input)
  for (const [section] of sections)
    if (section !== sectionOf(type)) throw new InvalidItemError(`${section} fields belong to items of type "${section}", not "${type}"`)
  return sections
}

/** The later of `from` and what `timeOf` reads from each history key of the item (ms; NaN when neither has one). */
function newestInHistory(map: ItemMap, from: number, timeOf: (raw: unknown) => number): number {
  let latest = from
  for (const [key, raw] of map) {
    if (!key.startsWith(HISTORY_KEY_PREFIX)) continue
    const t = timeOf(raw)
    if (Number.isFinite(t) && !(t <= latest)) latest = t
  }
  return latest
}

/** The item's own updatedAt, or the time of its newest version when later (edits write only their version). */
function updatedAtOf(map: ItemMap): string {
  const own = str(map.get('updatedAt'))
  const latest = newestInHistory(map, Date.parse(own), newestTime)
  return Number.isFinite(latest) && (own === '' || latest > Date.parse(own)) ? new Date(latest).toISOString() : own
}
