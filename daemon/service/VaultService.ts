/**
 * The use cases behind the API and CLI: initialise, unlock and lock, vaults, and items across
 * vaults. Owns the keyring and one VaultReplica per vault; knows nothing of HTTP or libp2p.
 */
import { EventEmitter } from 'node:events'
import type { StorageAdapter, StorageOp } from '../storage/StorageAdapter.js'
import { storageViews, type StorageViews } from '../storage/storageLayout.js'
import { Keyring } from '../keyring/Keyring.js'
import { UnlockThrottle } from '../keyring/UnlockThrottle.js'
import type { DeviceIdentity } from '../keyring/DeviceIdentity.js'
import { LockedError } from '../keyring/errors.js'
import { ARGON2_FLOOR, tuneArgon2, type Argon2Params } from '../crypto/kdf.js'
import { VaultReplica } from '../replica/VaultReplica.js'
import type { CorruptRecordError } from '../replica/errors.js'
import type { Item, ItemInput } from '../vault/Item.js'
import { ItemNotFoundError } from '../vault/errors.js'
import { ItemIndex } from './ItemIndex.js'
import { InvalidRequestError, VaultExistsError, VaultNotFoundError } from './errors.js'

export const DEFAULT_VAULT = 'Personal'
/** Items per Yjs transaction in bulk writes: ~1,000 items seal to well under 1 MiB. */
const IMPORT_CHUNK = 1000

export interface VaultServiceOptions {
  storage: StorageAdapter
  identity: DeviceIdentity
  /** Argon2id cost to tune toward at init; 0 keeps the floor parameters (tests). */
  kdfTargetMs?: number
  /** Lock after this long without use; 0 disables. */
  autoLockMs?: number
  snapshotEvery?: number
  /** Which authors' envelopes are accepted (the device roster); defaults to this device only. */
  isTrustedAuthor?: (author: string) => boolean
  log?: (level: 'info' | 'warn' | 'error', message: string) => void
}

export interface ItemChange { id: string, vault: string, vaultId: string, local: boolean }

export interface ServiceEvents {
  'item-changed': [ItemChange]
  /** keys and documents left memory; `reason: 'destroyed'` when the vault was erased */
  locked: [{ reason: 'lock' | 'destroyed' }?]
  unlocked: []
  'vault-added': [VaultReplica]
  corrupt: [CorruptRecordError]
}

export interface VaultInfo { id: string, name: string, items: number }

export class VaultService extends EventEmitter<ServiceEvents> {
  readonly keyring: Keyring
  readonly replicas = new Map<string, VaultReplica>()
  private readonly storage: StorageAdapter
  private readonly views: StorageViews
  private autoLockMs: number
  private idleTimer: NodeJS.Timeout | undefined
  /** per vault id: what lists and searches read, while unlocked */
  private readonly indexes = new Map<string, ItemIndex>()
  private readonly log: NonNullable<VaultServiceOptions['log']>

  constructor (private readonly options: VaultServiceOptions) {
    super()
    this.storage = options.storage
    this.views = storageViews(options.storage)
    this.keyring = new Keyring({ storage: this.views.keyring, identity: options.identity, throttle: new UnlockThrottle(this.views.meta) })
    this.autoLockMs = options.autoLockMs ?? 15 * 60 * 1000
    this.log = options.log ?? (() => {})
  }

  get deviceId (): string { return this.keyring.deviceId }
  get initialized (): boolean { return this.keyring.initialized }
  get unlocked (): boolean { return this.keyring.unlocked }
  get autoLockMinutes (): number { return this.autoLockMs / 60000 }

  async start (): Promise<void> {
    await this.keyring.load()
    for (const vaultId of await this.keyring.vaultIds()) await this.openReplica(vaultId)
  }

  /** Opens (or returns) the replica of a vault; also used by sync for vaults learnt from peers. */
  async openReplica (vaultId: string): Promise<VaultReplica> {
    const existing = this.replicas.get(vaultId)
    if (existing !== undefined) return existing
    const replica = new VaultReplica(vaultId, this.views.vault(vaultId), { publicKey: this.options.identity.publicKey, sign: m => this.options.identity.sign(m), deviceId: this.deviceId }, {
      snapshotEvery: this.options.snapshotEvery,
      isTrustedAuthor: this.options.isTrustedAuthor
    })
    await replica.open()
    replica.on('corrupt', err => {
      this.log('error', `${err.name}: ${err.message}`)
      this.emit('corrupt', err)
    })
    replica.on('items-changed', (ids, local) => {
      this.indexes.get(vaultId)?.invalidate(ids)
      const vault = replica.unlocked ? replica.doc.name : ''
      for (const id of ids) this.emit('item-changed', { id, vault, vaultId, local })
    })
    this.replicas.set(vaultId, replica)
    if (this.unlocked) await this.unlockReplica(replica)
    this.emit('vault-added', replica)
    return replica
  }

  private async unlockReplica (replica: VaultReplica): Promise<void> {
    const keyring = this.keyring
    await replica.unlock({ currentEpoch: () => keyring.currentEpoch(replica.vaultId), key: epoch => keyring.vaultKey(replica.vaultId, epoch) })
    this.indexes.delete(replica.vaultId)
  }

  private async kdfParams (): Promise<Argon2Params> {
    const target = this.options.kdfTargetMs ?? 500
    return target > 0 ? await tuneArgon2(target) : { ...ARGON2_FLOOR }
  }

  /** Creates this device's keys and a first vault named Personal; leaves it unlocked. */
  async init (password: string): Promise<void> {
    checkPassword(password)
    await this.keyring.initialize(password, await this.kdfParams())
    await this.createVault(DEFAULT_VAULT)
    this.emit('unlocked')
    this.touch()
  }

  /** Joins with grants received from another device (pairing): same as init, minus the first vault. */
  async initJoined (password: string, extra: (k: Keyring) => StorageOp[]): Promise<void> {
    checkPassword(password)
    const keyringView = this.views.keyring
    // `extra` ops are in the root key space (grants and roster records): one batch with the keyring's own
    await this.keyring.initialize(password, await this.kdfParams(), async (ops, k) => { await this.storage.batch([...keyringView.parentOps(ops), ...extra(k)]) })
    for (const vaultId of await this.keyring.vaultIds()) {
      const replica = await this.openReplica(vaultId)
      if (!replica.unlocked) await this.unlockReplica(replica)
    }
    this.emit('unlocked')
    this.touch()
  }

  async unlock (password: string): Promise<void> {
    if (typeof password !== 'string' || password === '') throw new InvalidRequestError('password is required')
    if (this.unlocked) {
      // already open: still check the password, since a successful unlock hands out a dashboard session
      await this.keyring.verify({ kind: 'password', password })
      this.touch()
      return
    }
    await this.keyring.unlock({ kind: 'password', password })
    for (const bad of this.keyring.badGrants) this.log('error', `${bad.name}: ${bad.message}`)
    for (const replica of this.replicas.values()) await this.unlockReplica(replica)
    this.emit('unlocked')
    this.touch()
  }

  async changePassword (oldPassword: string, newPassword: string): Promise<void> {
    checkPassword(newPassword)
    await this.keyring.changePassword(oldPassword, newPassword, await this.kdfParams())
  }

  /** Snapshots every vault, then drops keys and decrypted documents from memory. */
  async lock (): Promise<void> {
    clearTimeout(this.idleTimer)
    this.idleTimer = undefined
    if (!this.unlocked) return
    for (const replica of this.replicas.values()) await replica.lock()
    this.indexes.clear()
    this.keyring.lock()
    this.emit('locked')
  }

  /** Restarts the idle timer; every API request calls it. */
  touch (): void {
    clearTimeout(this.idleTimer)
    this.idleTimer = undefined
    if (this.autoLockMs > 0 && this.unlocked) {
      this.idleTimer = setTimeout(() => { this.lock().catch(err => this.log('error', `auto-lock failed: ${(err as Error).message}`)) }, this.autoLockMs)
      this.idleTimer.unref()
    }
  }

  setAutoLock (minutes: number): void {
    if (!Number.isFinite(minutes) || minutes < 0 || minutes > 24 * 60) throw new InvalidRequestError('auto-lock must be between 0 and 1440 minutes')
    this.autoLockMs = minutes * 60000
    this.touch()
  }

  private requireUnlocked (): void {
    if (!this.unlocked) throw new LockedError()
  }

  vaults (): VaultInfo[] {
    this.requireUnlocked()
    return [...this.replicas.values()]
      .filter(r => r.unlocked)
      .map(r => ({ id: r.vaultId, name: r.doc.name, items: r.doc.size }))
      .sort((a, b) => a.name.localeCompare(b.name))
  }

  async createVault (name: string): Promise<VaultInfo> {
    this.requireUnlocked()
    if (typeof name !== 'string' || name.trim() === '') throw new InvalidRequestError('a vault needs a name')
    if (this.vaults().some(v => v.name === name)) throw new VaultExistsError(name)
    const vaultId = await this.keyring.createVault()
    const replica = await this.openReplica(vaultId)
    replica.doc.name = name.trim()
    await replica.flush()
    return { id: vaultId, name: replica.doc.name, items: 0 }
  }

  /** The replica of a vault by name (the default vault when name is undefined). */
  replicaByName (name: string | undefined): VaultReplica {
    this.requireUnlocked()
    const wanted = name ?? DEFAULT_VAULT
    for (const replica of this.replicas.values()) if (replica.unlocked && replica.doc.name === wanted) return replica
    if (name === undefined) {
      const first = [...this.replicas.values()].find(r => r.unlocked)
      if (first !== undefined) return first
    }
    throw new VaultNotFoundError(wanted)
  }

  private index (replica: VaultReplica): ItemIndex {
    let index = this.indexes.get(replica.vaultId)
    if (index === undefined) {
      index = new ItemIndex(replica.doc)
      this.indexes.set(replica.vaultId, index)
    }
    return index
  }

  /** Live items matching the filter; `trashed: true` lists the trash instead. */
  listItems (filter: { vault?: string, q?: string, trashed?: boolean } = {}): Item[] {
    return JSON.parse(this.listItemsJson(filter)) as Item[]
  }

  /** The same list as a JSON array: a case-insensitive substring search when `q` is given. */
  listItemsJson (filter: { vault?: string, q?: string, trashed?: boolean } = {}): string {
    return `[${this.listItemElements(filter).join(',')}]`
  }

  /** The same list as JSON strings to join with ',' into an array (each may hold several items). */
  listItemElements (filter: { vault?: string, q?: string, trashed?: boolean } = {}): string[] {
    this.requireUnlocked()
    const replicas = filter.vault === undefined || filter.vault === '' ? [...this.replicas.values()].filter(r => r.unlocked) : [this.replicaByName(filter.vault)]
    const needle = filter.q?.trim().toLowerCase() ?? ''
    const trashed = filter.trashed === true
    const parts: string[] = []
    for (const replica of replicas) {
      if (needle === '') this.index(replica).list(trashed, parts)
      else this.index(replica).search(needle, trashed, parts)
    }
    return parts
  }

  private locate (id: string): { replica: VaultReplica, item: Item } {
    this.requireUnlocked()
    for (const replica of this.replicas.values()) {
      if (!replica.unlocked) continue
      const item = replica.doc.get(id)
      if (item !== undefined) return { replica, item }
    }
    throw new ItemNotFoundError(id)
  }

  getItem (id: string): Item { return this.locate(id).item }

  async createItem (input: ItemInput & { vault?: string }): Promise<Item> {
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
  async createItems (vault: string | undefined, inputs: ItemInput[]): Promise<string[]> {
    const replica = this.replicaByName(vault)
    const ids: string[] = []
    for (let i = 0; i < inputs.length; i += IMPORT_CHUNK) ids.push(...replica.doc.createMany(inputs.slice(i, i + IMPORT_CHUNK)))
    await replica.flush()
    return ids
  }

  /** Removes items from a vault for good and leaves no old ciphertext behind (snapshot, then compaction). */
  async purgeItems (vault: string, ids: string[]): Promise<void> {
    const replica = this.replicaByName(vault)
    replica.doc.purgeMany(ids)
    await replica.snapshot()
    await this.storage.compact()
  }

  /** Crypto-erase: key material first, then every record, then compaction; leaves the service locked and empty. */
  async destroy (): Promise<{ keyRecords: number, records: number }> {
    clearTimeout(this.idleTimer)
    for (const replica of this.replicas.values()) replica.removeAllListeners()
    const keyRecords = await this.keyring.erase()
    let records = 0
    for await (const _ of this.storage.keys('')) records++
    await this.storage.clear()
    await this.storage.compact()
    this.replicas.clear()
    this.indexes.clear()
    this.emit('locked', { reason: 'destroyed' })
    return { keyRecords, records }
  }

  async updateItem (id: string, patch: ItemInput): Promise<Item> {
    const { replica } = this.locate(id)
    replica.doc.update(id, patch)
    await replica.flush()
    return this.getItem(id)
  }

  async trashItem (id: string): Promise<void> { await this.updateItem(id, { trashed: true }) }
  async restoreItem (id: string): Promise<void> { await this.updateItem(id, { trashed: false }) }

  /**
   * Deletes an item for good: removes it from the document, seals a snapshot that no longer holds
   * it, drops the envelopes that did, and compacts LevelDB so the old ciphertext is gone from disk.
   */
  async purgeItem (id: string): Promise<void> {
    const { replica } = this.locate(id)
    replica.doc.purge(id)
    await replica.snapshot()
    await this.storage.compact()
  }

  /** Records that failed to open at the last unlock: grants, snapshots and envelopes, by name. */
  corruptRecords (): Array<Error & { key: string }> {
    return [...this.keyring.badGrants, ...[...this.replicas.values()].flatMap(r => r.corrupt)]
  }

  async stop (): Promise<void> {
    clearTimeout(this.idleTimer)
    for (const replica of this.replicas.values()) await replica.close()
    this.keyring.lock()
  }
}

function checkPassword (password: unknown): asserts password is string {
  if (typeof password !== 'string' || password.length === 0) throw new InvalidRequestError('a password is required')
  if (password.length < 8) throw new InvalidRequestError('the master password must have at least 8 characters')
}
