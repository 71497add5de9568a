/**
 * Vaults and items while unlocked: list and search (through a per-vault ItemIndex), create, edit,
 * trash, restore and delete for good. Knows nothing of HTTP, libp2p or how keys are kept.
 */
import { EventEmitter } from 'node:events'
import type { Keyring } from '../keyring/Keyring.js'
import { LockedError } from '../keyring/errors.js'
import type { VaultReplica } from '../replica/VaultReplica.js'
import type { Item, ItemInput } from '../vault/Item.js'
import { ItemNotFoundError } from '../vault/errors.js'
import { ItemIndex } from './ItemIndex.js'
import type { ReplicaSet } from './ReplicaSet.js'
import type { UnlockService } from './UnlockService.js'
import { InvalidRequestError, VaultExistsError, VaultNotFoundError } from './errors.js'
import type { HealthEntry } from './health/healthRules.js'

export const DEFAULT_VAULT = 'Personal'
/** Items per Yjs transaction in bulk writes: ~1,000 items seal to well under 1 MiB. */
const IMPORT_CHUNK = 1000

export interface ItemChange {
  id: string
  vault: string
  vaultId: string
  local: boolean
}
export interface VaultInfo {
  id: string
  name: string
  items: number
}
export interface ItemFilter {
  vault?: string
  q?: string
  trashed?: boolean
}

export interface ItemServiceOptions {
  replicas: ReplicaSet
  unlock: UnlockService
  /** makes a new vault's first key */
  keyring: Pick<Keyring, 'createVault'>
  /** rewrites storage so deleted ciphertext is physically gone */
  compact: () => Promise<void>
}

export interface ItemEvents {
  'item-changed': [ItemChange]
}

export class ItemService extends EventEmitter<ItemEvents> {
  /** per vault id: what lists and searches read, while unlocked */
  private readonly indexes = new Map<string, ItemIndex>()

  constructor(private readonly options: ItemServiceOptions) {
    super()
    options.replicas.on('items-changed', (replica, ids, local) => {
      this.indexes.get(replica.vaultId)?.invalidate(ids)
      const vault = replica.unlocked ? replica.doc.name : ''
      for (const id of ids) this.emit('item-changed', { id, vault, vaultId: replica.vaultId, local })
    })
    // a lock or an unlock makes new documents: the indexes of the old ones go
    options.unlock.on('locked', () => {
      this.indexes.clear()
    })
    options.unlock.on('unlocked', () => {
      this.indexes.clear()
    })
  }

  private get unlocked(): boolean {
    return this.options.unlock.unlocked
  }

  private requireUnlocked(): void {
    if (!this.unlocked) throw new LockedError()
  }

  private open(): VaultReplica[] {
    return this.options.replicas.all().filter(r => r.unlocked)
  }

  vaults(): VaultInfo[] {
    this.requireUnlocked()
    return this.open()
      .map(r => ({ id: r.vaultId, name: r.doc.name, items: r.doc.size }))
      .sort((a, b) => a.name.localeCompare(b.name))
  }

  async createVault(name: string): Promise<VaultInfo> {
    this.requireUnlocked()
    if (typeof name !== 'string' || name.trim() === '') throw new InvalidRequestError('a vault needs a name')
    if (this.vaults().some(v => v.name === name)) throw new VaultExistsError(name)
    const vaultId = await this.options.keyring.createVault()
    const replica = await this.options.unlock.openVault(vaultId)
    replica.doc.name = name.trim()
    await replica.flush()
    return { id: vaultId, name: replica.doc.name, items: 0 }
  }

  /** The replica of a vault by name (the default vault when name is undefined). */
  replicaByName(name: string | undefined): VaultReplica {
    this.requireUnlocked()
    const wanted = name ?? DEFAULT_VAULT
    const open = this.open()
    const named = open.find(r => r.doc.name === wanted)
    if (named !== undefined) return named
    if (name === undefined && open[0] !== undefined) return open[0]
    throw new VaultNotFoundError(wanted)
  }

  private index(replica: VaultReplica): ItemIndex {
    let index = this.indexes.get(replica.vaultId)
    if (index === undefined) {
      index = new ItemIndex(replica.doc)
      this.indexes.set(replica.vaultId, index)
    }
    return index
  }

  /** Live items matching the filter; `trashed: true` lists the trash instead. */
  listItems(filter: ItemFilter = {}): Item[] {
    return JSON.parse(this.listItemsJson(filter)) as Item[]
  }

  /** The same list as a JSON array: a case-insensitive substring search when `q` is given. */
  listItemsJson(filter: ItemFilter = {}): string {
    return `[${this.listItemElements(filter).join(',')}]`
  }

  /** The same list as JSON strings to join with ',' into an array (each may hold several items). */
  listItemElements(filter: ItemFilter = {}): string[] {
    this.requireUnlocked()
    const replicas = filter.vault === undefined || filter.vault === '' ? this.open() : [this.replicaByName(filter.vault)]
    const needle = filter.q?.trim().toLowerCase() ?? ''
    const trashed = filter.trashed === true
    const parts: string[] = []
    for (const replica of replicas) {
      if (needle === '') this.index(replica).list(trashed, parts)
      else this.index(replica).search(needle, trashed, parts)
    }
    return parts
  }

  private locate(id: string): { replica: VaultReplica; item: Item } {
    this.requireUnlocked()
    for (const replica of this.open()) {
      const item = replica.doc.get(id)
      if (item !== undefined) return { replica, item }
    }
    throw new ItemNotFoundError(id)
  }

  getItem(id: string): Item {
    return this.locate(id).item
  }

  async createItem(input: ItemInput & { vault?: string }): Promise<Item> {
    const replica = this.replicaByName(input.vault)
    const { vault: _vault, ...fields } = input
    const id = replica.doc.create(fields)
    await replica.flush()
    return this.getItem(id)
  }

  /**
   * Adds many items to one vault atomically (imports, migration). Items are sealed in chunks so no
   * envelope grows past the sync frame limit; the chunks are sealed without yielding, so they reach
   * LevelDB in one batch: after a crash either all of them are there or none.
   */
  async createItems(vault: string | undefined, inputs: ItemInput[]): Promise<string[]> {
    const replica = this.replicaByName(vault)
    const ids: string[] = []
    for (let i = 0; i < inputs.length; i += IMPORT_CHUNK) ids.push(...replica.doc.createMany(inputs.slice(i, i + IMPORT_CHUNK)))
    await replica.flush()
    return ids
  }

  /** Adds items to a vault keeping their ids (migration moves items; scripts keep their ids), atomically as createItems. */
  async createItemsWithIds(vault: string, entries: Array<{ id: string; input: ItemInput }>): Promise<void> {
    const replica = this.replicaByName(vault)
    for (let i = 0; i < entries.length; i += IMPORT_CHUNK) replica.doc.createManyWithIds(entries.slice(i, i + IMPORT_CHUNK))
    await replica.flush()
  }

  async updateItem(id: string, patch: ItemInput): Promise<Item> {
    const { replica } = this.locate(id)
    replica.doc.update(id, patch)
    await replica.flush()
    return this.getItem(id)
  }

  async trashItem(id: string): Promise<void> {
    await this.updateItem(id, { trashed: true })
  }
  async restoreItem(id: string): Promise<void> {
    await this.updateItem(id, { trashed: false })
  }

  /**
   * Deletes an item for good: removes it from the document, seals a snapshot that no longer holds
   * it, drops the envelopes that did, and compacts storage so the old ciphertext is gone from disk.
   */
  async purgeItem(id: string): Promise<void> {
    const { replica } = this.locate(id)
    replica.doc.purge(id)
    await replica.snapshot()
    await this.options.compact()
  }

  /** Removes items from a vault for good and leaves no old ciphertext behind (snapshot, then compaction). */
  async purgeItems(vault: string, ids: string[]): Promise<void> {
    const replica = this.replicaByName(vault)
    replica.doc.purgeMany(ids)
    await replica.snapshot()
    await this.options.compact()
  }

  /** Every live item of the open vaults as the health rules read it: with when its password was last set. */
  healthEntries(): HealthEntry[] {
    this.requireUnlocked()
    const out: HealthEntry[] = []
    for (const replica of this.open())
      for (const item of replica.doc.all())
        if (!item.trashed) out.push({ ...item, passwordChangedAt: replica.doc.passwordChangedAt(item.id) })
    return out
  }

  /** One live item as the health rules read it; undefined when it is gone, trashed or locked away. */
  healthEntry(id: string): HealthEntry | undefined {
    if (!this.unlocked) return undefined
    for (const replica of this.open()) {
      const item = replica.doc.get(id)
      if (item !== undefined) return item.trashed ? undefined : { ...item, passwordChangedAt: replica.doc.passwordChangedAt(id) }
    }
    return undefined
  }
}
