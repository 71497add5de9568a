/**
 * Tests' shorthand for a device's use cases in one object (unlock by password, vaults, items,
 * settings), delegating to the parts the composition root built. The daemon has no such object.
 */
import type { UnlockService } from '../../daemon/service/UnlockService.js'
import type { ItemService, ItemFilter, VaultInfo } from '../../daemon/service/ItemService.js'
import type { Item, ItemInput } from '../../daemon/vault/Item.js'

export class TestVault {
  constructor(
    private readonly unlockService: UnlockService,
    private readonly itemService: ItemService
  ) {}

  get deviceId(): string {
    return this.unlockService.deviceId
  }
  get initialized(): boolean {
    return this.unlockService.initialized
  }
  get unlocked(): boolean {
    return this.unlockService.unlocked
  }
  get autoLockMinutes(): number {
    return this.unlockService.autoLockMinutes
  }

  on(event: 'locked' | 'unlocked', listener: () => void): this {
    this.unlockService.on(event, listener)
    return this
  }
  off(event: 'locked' | 'unlocked', listener: () => void): this {
    this.unlockService.off(event, listener)
    return this
  }

  async init(password: string): Promise<void> {
    await this.unlockService.init(password)
  }

  async unlock(password: string): Promise<void> {
    await this.unlockService.unlock({ kind: 'password', password })
  }
  async lock(): Promise<void> {
    await this.unlockService.lock()
  }
  touch(): void {
    this.unlockService.touch()
  }
  async setAutoLock(minutes: number): Promise<void> {
    await this.unlockService.setAutoLock(minutes)
  }
  async changePassword(oldPassword: string, newPassword: string): Promise<void> {
    await this.unlockService.changePassword(oldPassword, newPassword)
  }

  vaults(): VaultInfo[] {
    return this.itemService.vaults()
  }
  async createVault(name: string): Promise<VaultInfo> {
    return await this.itemService.createVault(name)
  }
  listItems(filter: ItemFilter = {}): Item[] {
    return this.itemService.listItems(filter)
  }
  listItemElements(filter: ItemFilter = {}): string[] {
    return this.itemService.listItemElements(filter)
  }
  getItem(id: string): Item {
    return this.itemService.getItem(id)
  }
  async createItem(input: ItemInput & { vault?: string }): Promise<Item> {
    return await this.itemService.createItem(input)
  }
  async updateItem(id: string, patch: ItemInput): Promise<Item> {
    return await this.itemService.updateItem(id, patch)
  }
  async trashItem(id: string): Promise<void> {
    await this.itemService.trashItem(id)
  }
  async restoreItem(id: string): Promise<void> {
    await this.itemService.restoreItem(id)
  }
  async purgeItem(id: string): Promise<void> {
    await this.itemService.purgeItem(id)
  }
}
