/**
 * The stored grants and minted-epoch marks, in the keyring's storage view (keyringLayout in
 * storage/storageLayout.ts): what the keyring and key distribution read and write of them, all of
 * it readable while locked (the boxes stay sealed).
 */
import type { StorageAdapter, StorageOp } from '../storage/StorageAdapter.js'
import { prefixOps } from '../storage/PrefixedStorage.js'
import { keyringLayout } from '../storage/storageLayout.js'
import type { Grant, GrantIndex } from './Grant.js'

type GrantName = { vaultId: string; epoch: number; deviceId: string }

export class GrantStore {
  /** @param storage the keyring's view */
  constructor(private readonly storage: StorageAdapter) {}

  /** Which devices hold which epochs of which vaults. */
  async index(): Promise<GrantIndex> {
    const out: GrantIndex = new Map()
    for await (const key of this.storage.keys(keyringLayout.grants())) {
      const g = keyringLayout.parseGrant(key)
      const byDevice = out.get(g.vaultId) ?? new Map<string, Set<number>>()
      out.set(g.vaultId, byDevice)
      byDevice.set(g.deviceId, (byDevice.get(g.deviceId) ?? new Set<number>()).add(g.epoch))
    }
    return out
  }

  /** Vault ids a device holds grants for. */
  async vaultIdsOf(deviceId: string): Promise<string[]> {
    const ids = new Set<string>()
    for await (const key of this.storage.keys(keyringLayout.grants())) {
      const g = keyringLayout.parseGrant(key)
      if (g.deviceId === deviceId) ids.add(g.vaultId)
    }
    return [...ids].sort()
  }

  /** The stored grants addressed to a device (any device: this one keeps what it sealed to others). */
  async forDevice(deviceId: string): Promise<Grant[]> {
    const out: Grant[] = []
    for await (const [key, box] of this.storage.entries(keyringLayout.grants())) {
      const g = keyringLayout.parseGrant(key)
      if (g.deviceId === deviceId) out.push({ ...g, box })
    }
    return out
  }

  async has(g: GrantName): Promise<boolean> {
    return (await this.storage.get(keyringLayout.grant(g.vaultId, g.epoch, g.deviceId))) !== undefined
  }

  /** Deletes a stored grant (one received that does not open). */
  async drop(g: GrantName): Promise<void> {
    await this.storage.del(keyringLayout.grant(g.vaultId, g.epoch, g.deviceId))
  }

  async put(grants: Grant[], mintedHere: Array<{ vaultId: string; epoch: number }> = []): Promise<void> {
    await this.storage.batch([...GrantStore.putOps(grants), ...mintedHere.map(m => GrantStore.mintedOp(m.vaultId, m.epoch))])
  }

  /** Whether this device made that epoch of the vault (a new vault or a rotation; not received). */
  async minted(vaultId: string, epoch: number): Promise<boolean> {
    return (await this.storage.get(keyringLayout.minted(vaultId, epoch))) !== undefined
  }

  static putOps(grants: Grant[]): StorageOp[] {
    return grants.map(g => ({ type: 'put' as const, key: keyringLayout.grant(g.vaultId, g.epoch, g.deviceId), value: g.box }))
  }

  static mintedOp(vaultId: string, epoch: number): StorageOp {
    return { type: 'put', key: keyringLayout.minted(vaultId, epoch), value: new Uint8Array(0) }
  }

  /** Storage ops that hold grants, in the root key space: for a batch that spans parts (a joining device's first write). */
  static rootOps(grants: Grant[]): StorageOp[] {
    return prefixOps(keyringLayout.prefix, GrantStore.putOps(grants))
  }
}
