/**
 * The API's shapes as the dashboard sees them: derived from the daemon's own types (type-only
 * imports: no daemon code reaches the bundle). api.ts gets the rest from the typed client.
 */
import type { InferResponseType } from 'hono/client'
import type { ApiClient } from './api.js'
import type {
  DeviceJson,
  DaemonStatus,
  FactorView,
  Invitation as DaemonInvitation,
  PendingJoiner,
  UnlockMethodLogEntry
} from '../../daemon/api/ports.js'
import type { GenerateBody, PassphraseBody } from '../../daemon/api/schemas.js'
import type { ItemChange, VaultInfo as DaemonVaultInfo } from '../../daemon/service/ItemService.js'
export type { Item, CustomField } from '../../daemon/vault/Item.js'

export type Status = DaemonStatus
export type VaultInfo = DaemonVaultInfo
export type Device = DeviceJson
export type Invitation = DaemonInvitation
/** a device that proved an invitation and waits for a person here to approve it */
export type WaitingDevice = PendingJoiner
/** one unlock method (or the authenticator app) of this device */
export type Factor = FactorView
export type FactorLogEntry = UnlockMethodLogEntry
export type Settings = InferResponseType<ApiClient['settings']['$get']>
export type GeneratorOptions = Required<GenerateBody>
export type PassphraseOptions = Required<PassphraseBody>
export type HealthReport = InferResponseType<ApiClient['health']['$get'], 200>
/** What the item form sends: any editable field, plus the vault on creation. */
export type { ItemInput } from './itemDraft.js'

/** Server-sent events the dashboard reacts to (GET /api/events). */
export type DaemonEvent =
  | { type: 'item-changed'; data: ItemChange }
  | { type: 'locked'; data: unknown }
  | { type: 'unlocked'; data: unknown }
  | { type: 'peer-connected'; data: DeviceJson }
  | { type: 'peer-disconnected'; data: DeviceJson }
  | { type: 'pairing-pending'; data: PendingJoiner }
  | { type: 'pairing-resolved' | 'devices-changed'; data: unknown }
  | { type: 'hello' | 'ping'; data: unknown }
