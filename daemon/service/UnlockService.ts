/**
 * This device's keys in memory: first set-up (a new device or one joining), unlock by any
 * `UnlockRequest`, lock, the auto-lock timer and the master password. While unlocked it gives each
 * replica its vault keys, including replicas opened later (a new vault, a grant from a peer).
 */
import { EventEmitter } from 'node:events'
import type { Keyring } from '../keyring/Keyring.js'
import type { PreparedRoot } from '../keyring/StatementSigner.js'
import type { Kdf } from '../keyring/Kdf.js'
import type { UnlockRequest } from '../keyring/UnlockRequest.js'

export type { UnlockRequest }
import type { StorageOp } from '../storage/StorageAdapter.js'
import { tuneArgon2, type Argon2Params } from '../crypto/kdf.js'
import type { VaultReplica } from '../replica/VaultReplica.js'
import type { ReplicaSet } from './ReplicaSet.js'
import type { SettingsStore } from './SettingsStore.js'
import { InvalidRequestError } from './errors.js'
import { AlreadyInitializedError } from '../keyring/errors.js'
import type { Log } from '../log.js'
import { toError } from '../toError.js'

export interface UnlockServiceOptions {
  keyring: Keyring
  replicas: ReplicaSet
  settings: SettingsStore
  /** the keyring's KDF (its floor is what `kdfTargetMs: 0` uses) */
  kdf: Kdf
  /** Argon2id cost to tune toward at init; 0 keeps the floor parameters (tests). */
  kdfTargetMs?: number
  /** writes a joining device's first keyring records together with what pairing received, in one batch */
  commitJoin: (keyringOps: StorageOp[], received: StorageOp[]) => Promise<void>
  /** makes a new device's first vault, while unlocked during init */
  createFirstVault: () => Promise<unknown>
  /** runs once keys are in memory, before anyone hears of the unlock (the roster's first record) */
  whenUnlocked: () => Promise<void>
  /** runs before a lock takes the documents away (list pictures for the next unlock) */
  beforeLock?: () => Promise<void>
  log: Log
}

/** Whether an erased device first left the device roster, and if not, what to do about it. */
export interface RosterExit {
  removedFromRoster: boolean
  hint: string | null
}

export interface UnlockEvents {
  /**
   * keys and decrypted documents left memory; `reason: 'destroyed'` when the vault was erased (with
   * whether the device left the roster first)
   */
  locked: [({ reason: 'lock' } | ({ reason: 'destroyed' } & Partial<RosterExit>))?]
  unlocked: []
}

export class UnlockService extends EventEmitter<UnlockEvents> {
  private idleTimer: NodeJS.Timeout | undefined
  /** replicas being given their keys: one unlock per replica at a time */
  private readonly unlocking = new Map<string, Promise<void>>()

  constructor(private readonly options: UnlockServiceOptions) {
    super()
  }

  get deviceId(): string {
    return this.options.keyring.deviceId
  }
  get initialized(): boolean {
    return this.options.keyring.initialized
  }
  get unlocked(): boolean {
    return this.options.keyring.unlocked
  }
  get autoLockMinutes(): number {
    return this.options.settings.autoLockMinutes
  }
  /** unlock attempts are refused for this long after failures (persisted across restarts) */
  retryAfterMs(): number {
    return this.options.keyring.throttle.retryAfterMs()
  }

  /** Loads the keyring and opens the replica of every vault this device holds a key for (still locked). */
  async start(): Promise<void> {
    await this.options.keyring.load()
    for (const vaultId of await this.options.keyring.vaultIds()) await this.options.replicas.open(vaultId)
  }

  async stop(): Promise<void> {
    clearTimeout(this.idleTimer)
    this.idleTimer = undefined
    this.options.keyring.lock()
  }

  private async kdfParams(): Promise<Argon2Params> {
    const target = this.options.kdfTargetMs ?? 500
    return target > 0 ? await tuneArgon2(target) : { ...this.options.kdf.floor }
  }

  private async unlockReplica(replica: VaultReplica): Promise<void> {
    const pending = this.unlocking.get(replica.vaultId)
    if (pending !== undefined) return await pending
    const keyring = this.options.keyring
    const unlocking = replica.unlock({
      currentEpoch: () => keyring.currentEpoch(replica.vaultId),
      key: epoch => keyring.vaultKey(replica.vaultId, epoch)
    })
    this.unlocking.set(replica.vaultId, unlocking)
    try {
      await unlocking
    } finally {
      this.unlocking.delete(replica.vaultId)
    }
  }

  /** Opens a vault's replica and, while unlocked, gives it its keys (every vault opened while unlocked comes here). */
  async openVault(vaultId: string): Promise<VaultReplica> {
    const replica = await this.options.replicas.open(vaultId)
    if (this.unlocked && !replica.unlocked) await this.unlockReplica(replica)
    return replica
  }

  /** Creates this device's keys and its first vault; leaves it unlocked. */
  async init(password: string): Promise<void> {
    checkPassword(password)
    // before any KDF work: tuning Argon2 costs ~0.5 s, which anyone on this machine could ask for again and again
    if (this.options.keyring.initialized) throw new AlreadyInitializedError()
    await this.options.keyring.initialize(password, await this.kdfParams())
    await this.options.createFirstVault()
    await this.announceUnlocked()
  }

  /** Joins with grants received from another device (pairing): keys for the vaults it was given. */
  async initJoined(password: string, received: (k: Keyring) => StorageOp[], prepared: PreparedRoot): Promise<void> {
    checkPassword(password)
    if (this.options.keyring.initialized) throw new AlreadyInitializedError()
    await this.options.keyring.initialize(
      password,
      await this.kdfParams(),
      async (ops, k) => {
        await this.options.commitJoin(ops, received(k))
      },
      prepared
    )
    for (const vaultId of await this.options.keyring.vaultIds()) await this.openVault(vaultId)
    await this.announceUnlocked()
  }

  async unlock(request: UnlockRequest): Promise<void> {
    const keyring = this.options.keyring
    if (request.kind === 'password' && (typeof request.password !== 'string' || request.password === ''))
      throw new InvalidRequestError('password is required')
    if (request.kind === 'recovery-key' && (typeof request.recoveryKey !== 'string' || request.recoveryKey === ''))
      throw new InvalidRequestError('recoveryKey is required')
    if (this.unlocked) {
      // already open: still check the request (the authenticator code too), since a successful unlock hands out a dashboard session
      await keyring.verify(request, { secondFactor: true })
      this.touch()
      return
    }
    await keyring.unlock(request)
    for (const bad of keyring.badGrants) this.options.log('error', `${bad.name}: ${bad.message}`)
    for (const replica of this.options.replicas.all()) await this.unlockReplica(replica)
    await this.announceUnlocked()
  }

  /** Checks the request against its slot without changing anything (re-authentication); wrong ones count in the throttle. */
  async verify(request: UnlockRequest): Promise<void> {
    if (request.kind === 'password' && (typeof request.password !== 'string' || request.password === ''))
      throw new InvalidRequestError('password is required')
    await this.options.keyring.verify(request)
  }

  private async announceUnlocked(): Promise<void> {
    await this.options.whenUnlocked()
    this.emit('unlocked')
    this.touch()
  }

  async changePassword(oldPassword: string, newPassword: string): Promise<void> {
    checkPassword(newPassword)
    await this.options.keyring.changePassword(oldPassword, newPassword, await this.kdfParams())
  }

  /** True after an unlock with the recovery key, until a new password is set. */
  get needsNewPassword(): boolean {
    return this.options.keyring.needsNewPassword
  }

  /** After a recovery-key unlock: the new password (the old one is forgotten). */
  async setPasswordAfterRecovery(newPassword: string): Promise<void> {
    checkPassword(newPassword)
    await this.options.keyring.setPasswordAfterRecovery(newPassword, await this.kdfParams())
  }

  /** Snapshots every vault, then drops keys and decrypted documents from memory. */
  async lock(): Promise<void> {
    clearTimeout(this.idleTimer)
    this.idleTimer = undefined
    if (!this.unlocked) return
    try {
      await this.options.beforeLock?.()
    } catch (err) {
      // a lock never fails for want of a picture: the next unlock builds the list the slow way
      this.options.log('warn', `list pictures not stored: ${toError(err).message}`)
    }
    for (const replica of this.options.replicas.all()) await replica.lock()
    this.options.keyring.lock()
    this.emit('locked')
  }

  /** After an erase: nothing is left to lock, and every listener hears the vault is gone. */
  erased(roster?: RosterExit): void {
    clearTimeout(this.idleTimer)
    this.idleTimer = undefined
    this.emit(
      'locked',
      roster === undefined
        ? { reason: 'destroyed' }
        : { reason: 'destroyed', removedFromRoster: roster.removedFromRoster, hint: roster.hint }
    )
  }

  /** Restarts the idle timer; every API request calls it. */
  touch(): void {
    clearTimeout(this.idleTimer)
    this.idleTimer = undefined
    const ms = this.autoLockMinutes * 60000
    if (ms > 0 && this.unlocked) {
      this.idleTimer = setTimeout(() => {
        this.lock().catch(err => this.options.log('error', `auto-lock failed: ${toError(err).message}`))
      }, ms)
      this.idleTimer.unref()
    }
  }

  /** Sets and saves the auto-lock delay (0 turns it off). */
  async setAutoLock(minutes: number): Promise<void> {
    await this.options.settings.setAutoLockMinutes(minutes)
    this.touch()
  }
}

export function checkPassword(password: unknown): asserts password is string {
  if (typeof password !== 'string' || password.length === 0) throw new InvalidRequestError('a password is required')
  if (password.length < 8) throw new InvalidRequestError('the master password must have at least 8 characters')
}
