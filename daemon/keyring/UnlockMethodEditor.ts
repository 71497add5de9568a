/**
 * Changes to the unlock methods of an unlocked device: passkeys (alone, or with the password as two
 * factors), a recovery key, renaming and removing; and a new password after a recovery-key unlock.
 * Every new slot wraps the root key the keyring holds while unlocked, so adding a method never
 * needs another method's secret. The last way in is never removed.
 */
import type { StorageAdapter } from '../storage/StorageAdapter.js'
import type { Argon2Params } from '../crypto/kdf.js'
import { randomBytes } from '../crypto/random.js'
import { toHex } from '../crypto/bytes.js'
import type { Kdf } from './Kdf.js'
import { createSlot, decodeSlot } from './UnlockSlot.js'
import { newRecoveryKey } from './recoveryKey.js'
import { newMethodInfo, PASSWORD_METHOD_ID, type UnlockMethodInfo, type UnlockMethodKind, type UnlockMethods } from './UnlockMethods.js'
import { UnlockMethodError, UnlockMethodNotFoundError } from './errors.js'
import type { UnlockMethodAction, UnlockMethodLog } from './UnlockMethodLog.js'

export interface UnlockMethodEditorDeps {
  storage: StorageAdapter
  methods: UnlockMethods
  kdf: Kdf
  /** the root key while unlocked (LockedError otherwise); the editor never keeps it */
  rootKey: () => Uint8Array
  /** checks the password against the password slot, under the unlock throttle */
  checkPassword: (password: string) => Promise<void>
  /** how this unlock was made */
  unlockedBy: () => UnlockMethodKind | undefined
  /** where each change is recorded (what and when, no secret) */
  log?: UnlockMethodLog
}

export interface NewPasskey {
  name?: string
  /** the authenticator's PRF output for this credential's salt (32 bytes) */
  prfOutput: Uint8Array
  /** credential id, public key, counter, PRF salt: what unlocking needs while locked */
  public: Record<string, unknown>
  /** makes a password+passkey method: each alone then fails (the password-only and passkey-only methods are removed) */
  withPassword?: string
  /** Argon2id cost for the password half (default: the password slot's own, else the floor) */
  params?: Argon2Params
}

const newId = (prefix: string): string => `${prefix}-${toHex(randomBytes(8))}`

export class UnlockMethodEditor {
  constructor(private readonly deps: UnlockMethodEditorDeps) {}

  private async record(action: UnlockMethodAction, ...methods: UnlockMethodInfo[]): Promise<void> {
    await this.deps.log?.record(...methods.map(m => ({ action, kind: m.kind, id: m.id, name: m.name })))
  }

  private async all(): Promise<UnlockMethodInfo[]> {
    return await this.deps.methods.list()
  }

  /** True when this device unlocks only with the password and a passkey together. */
  async twoFactor(): Promise<boolean> {
    const all = await this.all()
    return all.some(m => m.kind === 'password+passkey') && !all.some(m => m.kind === 'password')
  }

  async addPasskey(input: NewPasskey): Promise<UnlockMethodInfo> {
    const rootKey = this.deps.rootKey()
    const all = await this.all()
    const passwordSlot = await this.deps.methods.get(PASSWORD_METHOD_ID)
    if (input.withPassword === undefined) {
      if (await this.twoFactor())
        throw new UnlockMethodError('this device unlocks with its password and a passkey together: add the passkey with the password')
      const info = newMethodInfo(newId('pk'), 'passkey', input.name, input.public)
      await this.deps.storage.batch(
        this.deps.methods.putOps(
          info,
          await createSlot(this.deps.kdf, { kind: 'passkey', prfOutput: input.prfOutput }, rootKey, this.deps.kdf.floor)
        )
      )
      await this.record('added', info)
      return info
    }
    // the password half must be the real password: a typo would make a method nobody can open
    if (passwordSlot !== undefined) await this.deps.checkPassword(input.withPassword)
    // the password half costs a guesser what the password slot did (its tuned Argon2id), never less
    const params = input.params ?? (passwordSlot !== undefined ? decodeSlot(passwordSlot.slot).params : undefined) ?? this.deps.kdf.floor
    const info = newMethodInfo(newId('pp'), 'password+passkey', input.name, input.public)
    const slot = await createSlot(
      this.deps.kdf,
      { kind: 'password+passkey', password: input.withPassword, prfOutput: input.prfOutput },
      rootKey,
      params
    )
    // two factors: nothing that opens with one of them alone stays
    const droppedMethods = all.filter(m => m.kind === 'password' || m.kind === 'passkey')
    const dropped = droppedMethods.flatMap(m => this.deps.methods.removeOps(m.id))
    await this.deps.storage.batch([...this.deps.methods.putOps(info, slot), ...dropped])
    await this.record('added', info)
    await this.record('removed', ...droppedMethods)
    return info
  }

  /** A new recovery key (shown once); it replaces the one there was. */
  async addRecoveryKey(): Promise<{ info: UnlockMethodInfo; recoveryKey: string }> {
    const rootKey = this.deps.rootKey()
    const { bytes, text } = newRecoveryKey()
    try {
      const info = newMethodInfo(newId('rk'), 'recovery-key')
      const slot = await createSlot(this.deps.kdf, { kind: 'recovery-key', key: bytes }, rootKey, this.deps.kdf.floor)
      const oldMethods = (await this.all()).filter(m => m.kind === 'recovery-key')
      const old = oldMethods.flatMap(m => this.deps.methods.removeOps(m.id))
      await this.deps.storage.batch([...this.deps.methods.putOps(info, slot), ...old])
      await this.record('added', info)
      await this.record('removed', ...oldMethods)
      return { info, recoveryKey: text }
    } finally {
      bytes.fill(0)
    }
  }

  async remove(id: string): Promise<UnlockMethodInfo> {
    this.deps.rootKey()
    const all = await this.all()
    const method = all.find(m => m.id === id)
    if (method === undefined) throw new UnlockMethodNotFoundError(id)
    if (all.length === 1) throw new UnlockMethodError('this is the only way to unlock this device: add another before removing it')
    await this.deps.storage.batch(this.deps.methods.removeOps(id))
    await this.record('removed', method)
    return method
  }

  async rename(id: string, name: string): Promise<UnlockMethodInfo> {
    const found = await this.deps.methods.get(id)
    if (found === undefined) throw new UnlockMethodNotFoundError(id)
    const trimmed = name.trim()
    if (trimmed === '' || trimmed.length > 64) throw new UnlockMethodError('a name is 1 to 64 characters')
    const info = { ...found.info, name: trimmed }
    await this.deps.methods.update(info)
    await this.record('renamed', info)
    return info
  }

  /** A method's public data (a passkey's signature counter after each use). */
  async updatePublic(id: string, data: Record<string, unknown>): Promise<void> {
    const found = await this.deps.methods.get(id)
    if (found === undefined) throw new UnlockMethodNotFoundError(id)
    await this.deps.methods.update({ ...found.info, public: data })
  }

  /**
   * After a recovery-key unlock: a new password without the old one. The password+passkey methods
   * go too (their password half is the forgotten one), so the device unlocks by password again.
   */
  async setPasswordAfterRecovery(newPassword: string, params: Argon2Params): Promise<void> {
    const rootKey = this.deps.rootKey()
    if (this.deps.unlockedBy() !== 'recovery-key')
      throw new UnlockMethodError('a new password without the current one needs an unlock with the recovery key')
    const slot = await createSlot(this.deps.kdf, { kind: 'password', password: newPassword }, rootKey, params)
    const staleMethods = (await this.all()).filter(m => m.kind === 'password+passkey')
    const stale = staleMethods.flatMap(m => this.deps.methods.removeOps(m.id))
    const password = newMethodInfo(PASSWORD_METHOD_ID, 'password')
    await this.deps.storage.batch([...this.deps.methods.putOps(password, slot), ...stale])
    await this.record('password-set-after-recovery', password)
    await this.record('removed', ...staleMethods)
  }
}
