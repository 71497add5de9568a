/**
 * The Yjs model of one vault: `meta` (name) and `items`, a Y.Map of item id → Y.Map of fields.
 * Each field is its own map entry, so concurrent edits to different fields of one item merge;
 * list-valued fields (urls, tags, custom fields) are replaced whole. Knows no keys and no storage.
 */
import * as Y from 'yjs'
import { randomBytes } from 'node:crypto'
import type { Item, ItemInput, CustomField } from './Item.js'
import { ITEM_FIELDS } from './Item.js'
import { InvalidItemError, ItemNotFoundError } from './errors.js'

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

  constructor(doc = new Y.Doc()) {
    this.doc = doc
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
      // an imported password is at most as new as its item's last change
      if (normalized.password !== undefined && normalized.password !== '') map.set(PASSWORD_CHANGED_AT, input.updatedAt ?? iso)
      this.items.set(id, map)
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

  /** Adds items under the ids they already have (moving items between vaults keeps their ids). */
  createManyWithIds(entries: Array<{ id: string; input: ItemInput }>, now = new Date()): void {
    this.doc.transact(() => {
      for (const { id, input } of entries) this.createWithId(id, input, now)
    }, LOCAL_ORIGIN)
  }

  /** Sets only the given fields; untouched fields keep concurrent edits from other devices. */
  update(id: string, patch: ItemInput, now = new Date()): void {
    const map = this.items.get(id)
    if (map === undefined) throw new ItemNotFoundError(id)
    const normalized = normalizeInput(patch)
    if (normalized.title === '') throw new InvalidItemError('an item needs a title')
    this.doc.transact(() => {
      let changed = false
      for (const key of ITEM_FIELDS) {
        const value = normalized[key]
        if (value === undefined) continue
        if (JSON.stringify(map.get(key) ?? defaultOf(key)) === JSON.stringify(value)) continue
        map.set(key, value)
        if (key === 'password') map.set(PASSWORD_CHANGED_AT, now.toISOString())
        changed = true
      }
      if (changed) map.set('updatedAt', now.toISOString())
    }, LOCAL_ORIGIN)
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

  /** When the item's password was last set (ISO 8601); undefined without a password or for items written before Kith kept it. */
  passwordChangedAt(id: string): string | undefined {
    const value = this.items.get(id)?.get(PASSWORD_CHANGED_AT)
    return typeof value === 'string' ? value : undefined
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

function defaultOf(key: (typeof ITEM_FIELDS)[number]): unknown {
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
    default:
      return ''
  }
}

function isDefault(key: (typeof ITEM_FIELDS)[number], value: unknown): boolean {
  const d = defaultOf(key)
  return Array.isArray(d) ? Array.isArray(value) && value.length === 0 : value === d
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '')

function toItem(id: string, map: ItemMap, vault: string): Item {
  return {
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
    updatedAt: str(map.get('updatedAt'))
  }
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
  if (input.fields !== undefined) {
    if (!Array.isArray(input.fields)) throw new InvalidItemError('fields must be an array of {name, value, hidden}')
    out.fields = input.fields.map(f => {
      if (f === null || typeof f !== 'object') throw new InvalidItemError('fields must be an array of {name, value, hidden}')
      return { name: text('field name', f.name), value: text('field value', f.value), hidden: f.hidden === true }
    })
  }
  return out
}
