/** The API's shapes as the dashboard sees them; the item types come from the daemon (types only). */
import type { Item } from '../../daemon/vault/Item.js'
export type { Item, CustomField } from '../../daemon/vault/Item.js'

export interface Status {
  running: boolean
  initialized: boolean
  locked: boolean
  deviceId?: string
  peerId: string
  url: string
  autoLockMinutes?: number
}

export interface VaultInfo { id: string, name: string, items: number }

export interface Device {
  id: string
  name: string
  peerId: string
  online: boolean
  lastSeen: string | null
  self: boolean
}

export interface Invitation { invitation: string, code: string, expiresAt: string | number }

export interface TotpCode { code: string, period: number, remaining: number }

export interface Settings { autoLockMinutes: number }

export interface GeneratorOptions { length: number, lower: boolean, upper: boolean, digits: boolean, symbols: boolean }

/** What the item form sends: any editable field, plus the vault on creation. */
export type ItemInput = Partial<Omit<Item, 'id' | 'vault' | 'createdAt' | 'updatedAt'>> & { vault?: string }

/** Server-sent events the dashboard reacts to. */
export type DaemonEvent =
  | { type: 'item-changed', data: { id: string, vault: string, vaultId: string, local: boolean } }
  | { type: 'locked', data: unknown }
  | { type: 'unlocked', data: unknown }
  | { type: 'peer-connected', data: unknown }
  | { type: 'peer-disconnected', data: unknown }
  | { type: 'hello' | 'ping', data: unknown }
