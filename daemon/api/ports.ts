/**
 * What the HTTP API needs from the rest of the daemon: narrow interfaces the composition root
 * fills. Method names and signatures are the service layer's, so UnlockService, ItemService,
 * PortabilityService and DeviceService satisfy them structurally.
 * The API imports types from below, never runtime parts of the service layer.
 */
import type { AttachmentInfo, Item, ItemInput } from '../vault/Item.js'
import type { HistoryVersion } from '../vault/ItemHistory.js'

export type { HistoryVersion, Item, ItemInput }
import type { VaultInfo } from '../service/ItemService.js'
import type { UnlockRequest } from '../service/UnlockService.js'
import type { ExportResult, ImportSummary, MigrationPlan, MigrationRequest } from '../service/PortabilityService.js'
import type { CeremonyContext, PasskeyView, RegistrationStart, UnlockStart } from '../service/PasskeyService.js'
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server'

/**
 * One way to unlock (keyring/UnlockRequest.ts). Today only the master password; passkeys, a second
 * factor and the recovery key join that union without changing the callers.
 */
export type { UnlockRequest }

/** Initialising, unlocking and locking the vault; the idle timer. */
export interface SessionPort {
  readonly initialized: boolean
  readonly unlocked: boolean
  init: (password: string) => Promise<void>
  unlock: (request: UnlockRequest) => Promise<void>
  /** checks a request against its unlock slot, locked or not, under the unlock throttle (re-authentication) */
  verify: (request: UnlockRequest) => Promise<void>
  lock: () => Promise<void>
  changePassword: (oldPassword: string, newPassword: string) => Promise<void>
  /** true after an unlock with the recovery key, until a new password is set */
  readonly needsNewPassword: boolean
  /** after a recovery-key unlock: a new password without the old one */
  setPasswordAfterRecovery: (newPassword: string) => Promise<void>
  /** restarts the auto-lock timer (every API request) */
  touch: () => void
}

export interface ItemFilter {
  vault?: string
  q?: string
  trashed?: boolean
}

export interface ItemsPort {
  /** item changes announced so far (the `x-kith-changes` of a list, the `changes` of the event stream's hello) */
  readonly changes?: number
  /** the matching items, each already JSON (an element may hold several comma-separated items) */
  listItemElements: (filter: ItemFilter) => string[]
  getItem: (id: string) => Item
  createItem: (input: ItemInput & { vault?: string }) => Promise<Item>
  updateItem: (id: string, patch: ItemInput) => Promise<Item>
  trashItem: (id: string) => Promise<void>
  restoreItem: (id: string) => Promise<void>
  purgeItem: (id: string) => Promise<void>
  /** the item's versions, newest first */
  itemHistory: (id: string) => HistoryVersion[]
  /** the item as it was before `version`, as a new edit */
  restoreVersion: (id: string, version: string) => Promise<Item>
}

/** Files on items (AttachmentService). */
export interface AttachmentsPort {
  /** the largest file taken, in bytes */
  limitBytes: () => number
  add: (itemId: string, name: string, source: AsyncIterable<Uint8Array>) => Promise<AttachmentInfo>
  /** by id, or by name when no id matches */
  info: (itemId: string, attachmentId: string) => AttachmentInfo
  read: (itemId: string, attachmentId: string) => AsyncGenerator<Uint8Array>
  remove: (itemId: string, attachmentId: string) => Promise<void>
}

/** "Empty trash" and the automatic purge of old trash (TrashService). */
export interface TrashPort {
  emptyTrash: (vault?: string) => Promise<number>
  readonly purgeAfterDays: number
  setPurgeAfterDays: (days: number) => Promise<void>
}

export interface VaultsPort {
  vaults: () => VaultInfo[]
  createVault: (name: string) => Promise<VaultInfo>
}

export interface SettingsPort {
  readonly autoLockMinutes: number
  setAutoLock: (minutes: number) => Promise<void>
}

/** This device's unlock methods and the TOTP gate (FactorService). */
import type { FactorView, NewTotpView, UnlockMethodLogEntry } from '../service/FactorService.js'

export type { FactorView, NewTotpView, UnlockMethodLogEntry }

export interface FactorsPort {
  list: () => Promise<FactorView[]>
  log: () => Promise<UnlockMethodLogEntry[]>
  addTotp: (name?: string) => Promise<NewTotpView>
  confirmTotp: (id: string, code: string) => Promise<FactorView>
  addRecoveryKey: () => Promise<{ id: string; recoveryKey: string }>
  remove: (id: string) => Promise<FactorView>
  rename: (id: string, name: string) => Promise<FactorView>
}

/** Password health and the strength estimator (service/health/HealthService). */
import type { HealthAnswer as HealthReport } from '../service/health/HealthService.js'
import type { StrengthVerdict } from '../service/health/StrengthEstimator.js'

export type { HealthReport, StrengthVerdict }

export interface HealthPort {
  report: () => Promise<HealthReport>
  strength: (password: string) => Promise<StrengthVerdict>
}

/** Import, export and migration (PortabilityService). */
export interface TransfersPort {
  import: (format: string, data: Uint8Array, options?: { vault?: string; password?: string }) => Promise<ImportSummary>
  export: (format: string, options?: { vault?: string; password?: string }) => Promise<ExportResult>
  migrate: (request: MigrationRequest) => Promise<MigrationPlan>
}

/**
 * What `POST /api/destroy` answers once this device's vault is erased, with whether a paired
 * device acknowledged its removal from the roster (and, when not, the hint to remove it elsewhere).
 */
export interface DestroyResult extends LeaveResult {
  destroyed: true
  keyRecords: number
  records: number
  files: string[]
  home: string
  /** the daemon stops right after answering */
  stopping: boolean
}

/** A device as the API shows it, an invitation, a join and a removal: the pairing layer's own shapes (types only). */
import type { AccessResult, DeviceView as DeviceJson, RevokeResult } from '../pairing/DeviceService.js'
import type { InviteResult as Invitation, JoinResult, JoinState } from '../pairing/PairingService.js'
import type { PendingJoiner } from '../pairing/PendingApprovals.js'
import type { LeaveResult } from '../pairing/SelfRemoval.js'

export type { AccessResult, DeviceJson, Invitation, JoinResult, JoinState, PendingJoiner, RevokeResult }

export type { PasskeyView }

/** Passkey unlock and this device's passkeys (PasskeyService): WebAuthn ceremonies with the PRF extension. */
export interface PasskeysPort {
  list: () => Promise<{ passkeys: PasskeyView[]; passwordRequired: boolean }>
  registrationOptions: (ctx: CeremonyContext, input: { name: string; withPassword?: boolean }) => Promise<RegistrationStart>
  register: (
    ctx: CeremonyContext,
    body: { response: RegistrationResponseJSON; prfOutput?: string; password?: string }
  ) => Promise<PasskeyView>
  unlockOptions: () => Promise<UnlockStart>
  unlock: (
    ctx: CeremonyContext,
    body: { response: AuthenticationResponseJSON; prfOutput?: string; password?: string; totp?: string }
  ) => Promise<PasskeyView>
  rename: (id: string, name: string) => Promise<PasskeyView>
  remove: (id: string) => Promise<{ id: string; removed: true }>
}

/** The device roster and pairing. */
export interface DevicesPort {
  list: () => DeviceJson[]
  revoke: (idOrName: string, options?: { alsoAddedBy?: boolean }) => Promise<RevokeResult>
  grant: (idOrName: string, vaultName: string) => Promise<AccessResult>
  ungrant: (idOrName: string, vaultName: string) => Promise<AccessResult>
  invite: (ttlMs?: number, vaultNames?: string[]) => Invitation & { vaults: string[] }
  /** waits until a person on the inviting device approves (or denies: JoinDeniedError) */
  join: (invitation: string, password: string, name?: string) => Promise<JoinResult>
  /** on the joining device: the join under way, with its verification words once known */
  joining: () => JoinState | null
  pending: () => PendingJoiner[]
  approve: (id: string) => Promise<{ id: string; approved: true }>
  deny: (id: string) => Promise<{ id: string; denied: true }>
  /** puts a backup peer (its address from `kith status` on it) on the roster */
  addBackupPeer: (address: string, vaultName?: string) => Promise<DeviceJson>
}

/** `GET /api/status` (and `kith status --json`): the daemon's own state. */
export interface DaemonStatus {
  running: boolean
  initialized: boolean
  locked: boolean
  deviceId?: string
  peerId?: string
  url?: string
  multiaddrs?: string[]
  pid?: number
  autoLockMinutes?: number
  unlockRetryAfterMs?: number
  /** unlocking by password also needs a current authenticator code */
  totp?: boolean
  /** unlocked with the recovery key: a new password must be set */
  needsNewPassword?: boolean
  /** parts add their own figures (memory, sync, devices, corrupt records …) */
  [more: string]: unknown
}

export interface StatusPort {
  status: () => DaemonStatus
}

/** A source of events the stream forwards: name → JSON payload. */
export interface EventSource {
  subscribe: (listener: (event: string, data: unknown) => void) => () => void
}

export type { Log } from '../log.js'
