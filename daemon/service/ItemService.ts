/**
 * Vaults and items while unlocked: list and search (through a per-vault ItemIndex), create, edit,
 * trash, restore and delete for good. Knows nothing of HTTP, libp2p or how keys are kept.
 */
import { EventEmitter } from 'node:events'
import type { Keyring } from '../keyring/Keyring.js'
import { LockedError } from '../keyring/errors.js'
import type { VaultReplica } from '../replica/VaultReplica.js'
import { headsId } from '../replica/ListImage.js'
import type { Item, ItemInput } from '../vault/Item.js'
import { ItemNotFoundError, VersionNotFoundError } from '../vault/errors.js'
import { historyInput, stateBefore, type HistoryVersion } from '../vault/ItemHistory.js'
import { ItemIndex } from './ItemIndex.js'
import type { ReplicaSet } from './ReplicaSet.js'
import type { UnlockService } from './UnlockService.js'
import { InvalidRequestError, VaultExistsError, VaultNotFoundError } from './errors.js'
import type { HealthEntry } from './health/healthRules.js'

export const DEFAULT_VAULT = 'Personal'
/** Items per Yjs transaction in bulk writes: ~1,000 items seal to well under 1 MiB. */
const IMPORT_CHUNK = 1000
/** how long after an unlock answered from list pictures the documents are built */
const BUILD_AFTER_MS = 1000

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
  /**
   * item-changed events so far (since start): a list answered at count L holds every change up to
   * L, so a page whose event stream said hello at H ≤ L missed nothing by listing before it subscribed
   */
  private changeCount = 0

  get changes(): number {
    return this.changeCount
  }

  constructor(private readonly options: ItemServiceOptions) {
    super()
    options.replicas.on('items-changed', (replica, ids, local) => {
      this.indexes.get(replica.vaultId)?.invalidate(ids)
      const vault = replica.unlocked ? replica.doc.name : ''
      this.changeCount += ids.length
      for (const id of ids) this.emit('item-changed', { id, vault, vaultId: replica.vaultId, local })
    })
    // a lock or an unlock makes new documents: the indexes of the old ones go
    options.unlock.on('locked', () => {
      this.indexes.clear()
    })
  }

  /**
   * Right after an unlock, before anyone hears of it: each vault whose list picture matches what
   * was read answers lists and searches from it, and its document is built a moment later (or at
   * the first edit, sync or item read), so the first list does not wait for Yjs.
   */
  warm(): void {
    this.indexes.clear()
    const waiting: VaultReplica[] = []
    for (const replica of this.open()) {
      const picture = replica.takeListImage()
      const index = picture === undefined ? undefined : ItemIndex.fromPicture(replica, picture)
      picture?.fill(0)
      if (index === undefined) continue
      this.indexes.set(replica.vaultId, index)
      waiting.push(replica)
    }
    if (waiting.length === 0) return
    setTimeout(() => {
      for (const replica of waiting) if (replica.unlocked) void replica.doc
    }, BUILD_AFTER_MS).unref()
  }

  /** Before a lock: stores each changed vault's list picture, for the next unlock. */
  async saveListImages(): Promise<void> {
    for (const replica of this.open()) {
      if (!replica.materialized || replica.listImageCurrent) continue
      await replica.writeListImage(this.index(replica).picture())
    }
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
      .map(r => ({ id: r.vaultId, name: this.index(r).name, items: this.index(r).size }))
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
    const named = open.find(r => this.index(r).name === wanted)
    if (named !== undefined) return named
    if (name === undefined && open[0] !== undefined) return open[0]
    throw new VaultNotFoundError(wanted)
  }

  private index(replica: VaultReplica): ItemIndex {
    let index = this.indexes.get(replica.vaultId)
    if (index === undefined) {
      index = new ItemIndex(replica)
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

  /** The open vault that holds an item (files on items are kept per vault: AttachmentService). */
  replicaOf(id: string): VaultReplica {
    return this.locate(id).replica
  }

  /** The replicas of every vault open now. */
  openReplicas(): VaultReplica[] {
    return this.unlocked ? this.open() : []
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
  async createItemsWithIds(
    vault: string,
    entries: Array<{ id: string; input: ItemInput; history?: Array<[string, unknown]> }>
  ): Promise<void> {
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

  /** The item's history as stored (VaultDoc.historyKeys), for moving it to another vault. */
  historyKeys(id: string): Array<[string, unknown]> {
    const { replica } = this.locate(id)
    return replica.doc.historyKeys(id)
  }

  /** The item's versions, newest first (ItemHistory.ts). */
  itemHistory(id: string): HistoryVersion[] {
    const { replica } = this.locate(id)
    return replica.doc.history(id)
  }

  /**
   * Puts the item back as it was just before `version`: an ordinary edit (a new version of its
   * own, synced like any other), so nothing is lost by restoring.
   */
  async restoreVersion(id: string, version: string): Promise<Item> {
    const { replica, item } = this.locate(id)
    const patch = stateBefore(item, replica.doc.history(id), version)
    if (patch === undefined) throw new VersionNotFoundError(version)
    return await this.updateItem(id, historyInput(patch))
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

  /**
   * Deletes for good the trashed items (of one vault, or of every open vault) that `which` picks, as
   * purgeItems does; answers how many.
   */
  async purgeTrashed(vault: string | undefined, which: (item: Item) => boolean): Promise<number> {
    this.requireUnlocked()
    const replicas = vault === undefined || vault === '' ? this.open() : [this.replicaByName(vault)]
    let purged = 0
    for (const replica of replicas) {
      const ids = replica.doc
        .all()
        .filter(i => i.trashed && which(i))
        .map(i => i.id)
      if (ids.length === 0) continue
      replica.doc.purgeMany(ids)
      await replica.snapshot()
      purged += ids.length
    }
    if (purged > 0) await this.options.compact()
    return purged
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

  /**
   * What the health report's kept rows are bound to, without building a document: the open vaults
   * (id and name) and, per vault, the heads its document holds (one local or synced change moves them).
   */
  healthState(): { vaults: string; heads: string } {
    this.requireUnlocked()
    const open = this.open().sort((a, b) => (a.vaultId < b.vaultId ? -1 : 1))
    return {
      vaults: open.map(r => `${r.vaultId}:${this.index(r).name}`).join('\n'),
      heads: open.map(r => `${r.vaultId}=${headsId(r.appliedHeads())}`).join('\n')
    }
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
