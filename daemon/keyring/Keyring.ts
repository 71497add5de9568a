/**
 * The device's keys: unlock slots wrapping the device root key, the X25519 sealing key derived
 * from it, and vault keys per epoch, each sealed to a device's sealing key ("grants").
 *
 * It lives in its own storage view (keyringLayout in storage/storageLayout.ts: the device record,
 * slots, grants, minted epochs); the failed-unlock backoff keeps its record in meta/.
 */
import type { StorageAdapter, StorageOp } from '../storage/StorageAdapter.js'
import { keyringLayout } from '../storage/storageLayout.js'
import { randomBytes, randomIndex } from '../crypto/random.js'
import { hkdf, type Argon2Params } from '../crypto/kdf.js'
import { publicKeyFromSeed, sign } from '../crypto/signing.js'
import { boxKeyPairFromSecret, openBox, type BoxKeyPair } from '../crypto/box.js'
import { concatBytes, toHex } from '../crypto/bytes.js'
import { DecryptionError, FormatError } from '../crypto/errors.js'
import { createPasswordSlot, openSlot } from './UnlockSlot.js'
import { slotForRequest } from './slotForRequest.js'
import type { UnlockThrottle } from './UnlockThrottle.js'
import type { UnlockRequest } from './UnlockRequest.js'
import { newMethodInfo, PASSWORD_METHOD_ID, UnlockMethods, type UnlockMethodInfo, type UnlockMethodKind } from './UnlockMethods.js'
import { UnlockMethodEditor } from './UnlockMethodEditor.js'
import { TotpGate } from './TotpGate.js'
import { UnlockMethodLog } from './UnlockMethodLog.js'
import { argon2idKdf, type Kdf } from './Kdf.js'
import {
  AlreadyInitializedError,
  BadGrantError,
  EpochsExhaustedError,
  KeyringError,
  LockedError,
  NoVaultKeyError,
  NotInitializedError,
  PasskeyRequiredError,
  SecondFactorRequiredError,
  WrongPasswordError,
  WrongSecondFactorError
} from './errors.js'
import type { DeviceIdentity } from './DeviceIdentity.js'
import { grantAad, sealGrant, type Grant } from './Grant.js'
import { GrantStore } from './GrantStore.js'
import type { PreparedRoot, StatementSigner } from './StatementSigner.js'
import type { EpochLedger, MintedEpoch } from './EpochLedger.js'
import { epochCommitment } from './epochCommitment.js'
import { constantTimeEqual } from '../crypto/constantTime.js'

/** Key rotation moves the epoch on by a random step below this (see Keyring.rotate). */
export const EPOCH_STEP = 0x10000
/** Epochs are u32 on disk and on the wire. */
const MAX_EPOCH = 0xffffffff

/** How the keyring's first records reach storage (see Keyring.initialize). */
export type KeyringWrite = (ops: StorageOp[], keyring: Keyring) => Promise<void>

export interface KeyringOptions {
  /** the keyring's view of the store: keys as in keyringLayout, relative to keyringLayout.prefix */
  storage: StorageAdapter
  identity: DeviceIdentity
  /** the failed-unlock backoff shared by every unlock kind */
  throttle: UnlockThrottle
  /** slot-key derivation: Argon2id at the RFC 9106 floor unless a test injects another profile */
  kdf?: Kdf
  /** the declared epochs; without one (unit tests of the keyring alone) the newest key held is current */
  ledger?: EpochLedger
  /** the clock TOTP codes are checked against (tests move it) */
  now?: () => number
}

/** Whether a request must also pass the TOTP gate (TotpGate): an unlock, or a new session from a password. */
export interface CheckOptions {
  secondFactor?: boolean
}

/** Failures the unlock backoff counts: a secret that does not open its slot, a missing or wrong second factor. */
const countsAsFailure = (err: unknown): boolean =>
  err instanceof WrongPasswordError || err instanceof SecondFactorRequiredError || err instanceof WrongSecondFactorError

export class Keyring {
  readonly identity: DeviceIdentity
  readonly throttle: UnlockThrottle
  /** the stored grants and minted marks (readable while locked) */
  readonly grants: GrantStore
  private readonly storage: StorageAdapter
  private readonly kdf: Kdf
  private readonly ledger: EpochLedger | undefined
  private sealing: BoxKeyPair | undefined
  private rosterSeed: Uint8Array | undefined
  private rosterPublic: Uint8Array | undefined
  private readonly vaultKeys = new Map<string, Map<number, Uint8Array>>()
  private sealingPublic: Uint8Array | undefined
  /**
   * The root key while unlocked (as powerful as the sealing key held beside it): adding an unlock
   * method wraps it again without asking for another method's secret. Overwritten at lock.
   */
  private rootKey: Uint8Array | undefined
  /** which kind of method opened the current unlock (a recovery key asks for a new password) */
  private openedBy: UnlockMethodKind | undefined
  /** the unlock methods' slots and public records */
  readonly unlockMethods: UnlockMethods
  /** changes to the unlock methods while unlocked */
  readonly methodEditor: UnlockMethodEditor
  /** the optional TOTP code asked after the password */
  readonly totp: TotpGate
  /** what changed in the unlock methods, and when */
  readonly methodLog: UnlockMethodLog

  constructor(options: KeyringOptions) {
    this.storage = options.storage
    this.grants = new GrantStore(options.storage)
    this.identity = options.identity
    this.throttle = options.throttle
    this.kdf = options.kdf ?? argon2idKdf
    this.ledger = options.ledger
    this.unlockMethods = new UnlockMethods(options.storage)
    const heldRootKey = (): Uint8Array => {
      if (this.rootKey === undefined) throw new LockedError('unlock the vault to change how it unlocks')
      return this.rootKey
    }
    this.methodLog = new UnlockMethodLog(options.storage, options.now)
    this.totp = new TotpGate({ storage: options.storage, rootKey: heldRootKey, log: this.methodLog, now: options.now })
    this.methodEditor = new UnlockMethodEditor({
      log: this.methodLog,
      storage: options.storage,
      methods: this.unlockMethods,
      kdf: this.kdf,
      rootKey: heldRootKey,
      checkPassword: async password => await this.verify({ kind: 'password', password }),
      unlockedBy: () => this.openedBy
    })
  }

  /** This device's unlock methods (readable while locked: the unlock page needs passkeys' credential ids). */
  async methods(): Promise<UnlockMethodInfo[]> {
    return await this.unlockMethods.list()
  }

  /** True after an unlock with the recovery key, until a new password is set. */
  get needsNewPassword(): boolean {
    return this.openedBy === 'recovery-key'
  }

  async load(): Promise<void> {
    await this.throttle.load()
    await this.totp.load()
    const device = await this.storage.get(keyringLayout.device)
    if (device !== undefined) {
      // version 1: identity • sealing; version 2 adds the roster key's public half
      if (!((device.length === 65 && device[0] === 1) || (device.length === 97 && device[0] === 2)))
        throw new FormatError('keyring/device record is corrupt')
      this.sealingPublic = device.slice(33, 65)
      this.rosterPublic = device[0] === 2 ? device.slice(65, 97) : undefined
    }
  }

  get initialized(): boolean {
    return this.sealingPublic !== undefined
  }
  get unlocked(): boolean {
    return this.sealing !== undefined
  }
  get deviceId(): string {
    return this.identity.deviceId
  }

  /** This device's X25519 public sealing key (others seal vault keys to it). */
  get sealingPublicKey(): Uint8Array {
    if (this.sealingPublic === undefined) throw new NotInitializedError()
    return this.sealingPublic
  }

  /** The public roster key (undefined only for a keyring made before roster keys, until its next unlock). */
  get rosterPublicKey(): Uint8Array | undefined {
    return this.rosterPublic
  }

  /** A fresh root key and the public keys it derives, for `initialize` (a joiner sends the roster key first). */
  static prepareRoot(): PreparedRoot {
    const rootKey = randomBytes(32)
    const seed = rosterSeedOf(rootKey)
    const rosterPublicKey = publicKeyFromSeed(seed)
    seed.fill(0)
    return { rootKey, rosterPublicKey, sealingPublicKey: sealingKeyPair(rootKey).publicKey }
  }

  /**
   * Makes this device's root key (or takes a prepared one, wiping it afterwards) and password slot
   * (at `params`, by default the KDF's floor). Its records are written in one batch by `write`, by
   * default to the keyring's own view; a joining device passes a `write` that adds the grants and
   * roster it received to the same root batch, so a crash leaves either no keyring or a whole one.
   */
  async initialize(
    password: string,
    params: Argon2Params = this.kdf.floor,
    write?: KeyringWrite,
    prepared: PreparedRoot = Keyring.prepareRoot()
  ): Promise<void> {
    if (this.initialized) throw new AlreadyInitializedError()
    const rootKey = prepared.rootKey
    const sealing = sealingKeyPair(rootKey)
    const slot = await createPasswordSlot(this.kdf, password, rootKey, params)
    this.openRosterKey(rootKey)
    this.rootKey = Uint8Array.from(rootKey)
    this.openedBy = 'password'
    rootKey.fill(0)
    this.sealingPublic = sealing.publicKey
    this.sealing = sealing
    const ops: StorageOp[] = [
      { type: 'put', key: keyringLayout.device, value: this.deviceRecord() },
      ...this.unlockMethods.putOps(newMethodInfo(PASSWORD_METHOD_ID, 'password'), slot)
    ]
    try {
      if (write === undefined) await this.storage.batch(ops)
      else await write(ops, this)
    } catch (err) {
      this.lock()
      this.sealingPublic = undefined
      this.rosterPublic = undefined
      throw err
    }
    await this.loadGrants()
  }

  private deviceRecord(): Uint8Array {
    if (this.sealingPublic === undefined || this.rosterPublic === undefined) throw new NotInitializedError()
    return concatBytes(Uint8Array.of(2), this.identity.publicKey, this.sealingPublic, this.rosterPublic)
  }

  private openRosterKey(rootKey: Uint8Array): void {
    this.rosterSeed = rosterSeedOf(rootKey)
    this.rosterPublic = publicKeyFromSeed(this.rosterSeed)
  }

  /**
   * Signs roster statements while unlocked: the membership authority a copied data directory
   * without the password does not have. Throws LockedError while locked.
   */
  /**
   * A key for one of this device's own sealed caches (`label` keeps uses apart), derived from the
   * root key, so it is the same at every unlock and opens nothing anywhere else; LockedError while locked.
   */
  localKey(label: string): Uint8Array {
    if (this.rootKey === undefined) throw new LockedError()
    return hkdf(this.rootKey, `kith-local-cache/1/${label}`)
  }

  rosterSigner(): StatementSigner {
    const seed = this.rosterSeed
    const publicKey = this.rosterPublic
    if (seed === undefined || publicKey === undefined) throw new LockedError('unlock the vault to change the device roster')
    return { deviceId: this.deviceId, publicKey, sign: m => sign(seed, m) }
  }

  /** Opens the slot the request is for (throttled) and the vault keys sealed to this device. */
  async unlock(request: UnlockRequest): Promise<void> {
    if (!this.initialized) throw new NotInitializedError()
    await this.withRootKey(request, { secondFactor: true }, async rootKey => {
      this.rootKey = Uint8Array.from(rootKey)
      this.openedBy = request.kind
      this.sealing = sealingKeyPair(rootKey)
      const hadRosterKey = this.rosterPublic !== undefined
      this.openRosterKey(rootKey)
      // a keyring made before roster keys records its roster key's public half now
      if (!hadRosterKey) await this.storage.put(keyringLayout.device, this.deviceRecord())
      await this.loadGrants()
    })
  }

  /**
   * Checks a request against its slot (throttled like an unlock) without changing state: an
   * unlocked daemon still demands the real password (and with `secondFactor`, a current TOTP code)
   * before it opens a new dashboard session. Re-authentication asks for the password alone.
   * A recovery key proven on an unlocked device lets a new password be set, as its unlock would.
   */
  async verify(request: UnlockRequest, options: CheckOptions = {}): Promise<void> {
    await this.withRootKey(request, options, async () => {})
    if (request.kind === 'recovery-key' && this.unlocked) this.openedBy = 'recovery-key'
  }

  /** Re-wraps the root key under a new password (the old one must open the password slot); the other methods keep working. */
  async changePassword(oldPassword: string, newPassword: string, params: Argon2Params = this.kdf.floor): Promise<void> {
    const current = await this.unlockMethods.get(PASSWORD_METHOD_ID)
    if (current === undefined) throw (await this.methodEditor.twoFactor()) ? new PasskeyRequiredError() : new NotInitializedError()
    await this.withRootKey({ kind: 'password', password: oldPassword }, {}, async rootKey => {
      const slot = await createPasswordSlot(this.kdf, newPassword, rootKey, params)
      await this.storage.batch(this.unlockMethods.putOps(current.info, slot))
    })
    await this.methodLog.record({ action: 'password-changed', kind: 'password', id: current.info.id, name: current.info.name })
  }

  /** After a recovery-key unlock: sets a new password without the old one (UnlockMethodEditor). */
  async setPasswordAfterRecovery(newPassword: string, params: Argon2Params = this.kdf.floor): Promise<void> {
    await this.methodEditor.setPasswordAfterRecovery(newPassword, params)
    this.openedBy = 'password'
  }

  /**
   * Opens the root key for `request` and hands it to `use`, one attempt at a time under the
   * throttle; the key is wiped afterwards, and the method's last use recorded. A request that does
   * not open its slot throws WrongPasswordError; with `secondFactor`, a password request (alone or
   * with a passkey) must then pass the TOTP gate, or throws SecondFactorRequiredError or
   * WrongSecondFactorError. Those three are the failures the throttle counts. Passkey-only and
   * recovery-key requests skip the gate: each is a factor of its own (a device the person holds and
   * unlocks, a 160-bit key kept on paper).
   */
  private async withRootKey(request: UnlockRequest, options: CheckOptions, use: (rootKey: Uint8Array) => Promise<void>): Promise<void> {
    const { info, slot, secret } = await slotForRequest(this.unlockMethods, request, {
      initialized: this.initialized,
      twoFactor: async () => await this.methodEditor.twoFactor()
    })
    await this.throttle.run(async () => {
      let rootKey: Uint8Array
      try {
        rootKey = await openSlot(this.kdf, slot, secret)
      } catch (err) {
        if (err instanceof DecryptionError) throw new WrongPasswordError()
        throw err
      }
      try {
        if (options.secondFactor === true && (request.kind === 'password' || request.kind === 'password+passkey'))
          await this.totp.check(rootKey, request.totp)
        await use(rootKey)
      } finally {
        rootKey.fill(0)
      }
      await this.unlockMethods.update({ ...info, lastUsedAt: new Date().toISOString() })
    }, countsAsFailure)
  }

  /** Drops every secret from memory (best effort: overwrites the key buffers). */
  lock(): void {
    this.rootKey?.fill(0)
    this.rootKey = undefined
    this.openedBy = undefined
    this.sealing?.secretKey.fill(0)
    this.sealing = undefined
    this.rosterSeed?.fill(0)
    this.rosterSeed = undefined
    for (const epochs of this.vaultKeys.values()) for (const key of epochs.values()) key.fill(0)
    this.vaultKeys.clear()
  }

  private requireSealing(): BoxKeyPair {
    if (this.sealing === undefined) throw new LockedError()
    return this.sealing
  }

  /**
   * Opens every grant addressed to this device. One that fails to open (a flipped byte, or a grant
   * a hostile roster member sent) is reported in `badGrants` by name and skipped, so it cannot stop
   * the other vaults from unlocking; that vault's records then report NoVaultKeyError.
   */
  private async loadGrants(): Promise<void> {
    const sealing = this.requireSealing()
    this.badGrants.length = 0
    for (const { vaultId, epoch, deviceId, box } of await this.grants.forDevice(this.deviceId)) {
      try {
        this.remember(vaultId, epoch, this.openChecked(sealing, { vaultId, epoch, deviceId, box }))
      } catch (err) {
        this.badGrants.push(new BadGrantError(keyringLayout.prefix + keyringLayout.grant(vaultId, epoch, deviceId), { cause: err }))
      }
    }
  }

  /** Grants that did not open at the last unlock. */
  readonly badGrants: BadGrantError[] = []

  private remember(vaultId: string, epoch: number, key: Uint8Array): void {
    let epochs = this.vaultKeys.get(vaultId)
    if (epochs === undefined) {
      epochs = new Map()
      this.vaultKeys.set(vaultId, epochs)
    }
    epochs.set(epoch, key)
  }

  /** Opens a grant addressed to this device and checks its key against the roster's commitment. */
  private openChecked(sealing: BoxKeyPair, g: Grant): Uint8Array {
    const key = openBox(sealing, g.box, grantAad(g.vaultId, g.epoch, g.deviceId))
    if (!this.matchesLedger(g.vaultId, g.epoch, key)) throw new KeyringError('the key does not match the epoch the roster declares')
    return key
  }

  /** Vault ids this device holds keys for (available while locked too, from the grant index). */
  async vaultIds(): Promise<string[]> {
    return await this.grants.vaultIdsOf(this.deviceId)
  }

  /** Makes a new vault id and its epoch-0 key, sealed to this device. */
  async createVault(): Promise<string> {
    const sealing = this.requireSealing()
    const vaultId = toHex(randomBytes(16))
    const key = randomBytes(32)
    await this.grants.put([sealGrant(vaultId, 0, this.deviceId, sealing.publicKey, key)], [{ vaultId, epoch: 0 }])
    this.remember(vaultId, 0, key)
    return vaultId
  }

  /** Whether a key agrees with the roster's commitment for its epoch (true while none is declared yet). */
  matchesLedger(vaultId: string, epoch: number, key: Uint8Array): boolean {
    const declared = this.ledger?.epochCommitment(vaultId, epoch)
    return declared === undefined || constantTimeEqual(declared, epochCommitment(vaultId, epoch, key))
  }

  /**
   * The epoch new data of a vault is sealed under: the current one the roster declares, or while
   * none is declared (a vault just made here) the newest key held. When the roster names an epoch
   * this device has not received yet, it throws NoVaultKeyError rather than write under a key a
   * removed device may hold.
   */
  currentEpoch(vaultId: string): number {
    const epochs = this.vaultKeys.get(vaultId)
    if (epochs === undefined || epochs.size === 0) {
      if (!this.unlocked) throw new LockedError()
      throw new NoVaultKeyError(vaultId, 0)
    }
    const declared = this.ledger?.currentEpoch(vaultId)
    if (declared === undefined) return Math.max(...epochs.keys())
    if (!epochs.has(declared)) throw new NoVaultKeyError(vaultId, declared)
    return declared
  }

  /** The commitment to a key this device holds (to declare it). */
  commitment(vaultId: string, epoch: number): Uint8Array {
    return epochCommitment(vaultId, epoch, this.vaultKey(vaultId, epoch))
  }

  /** Epochs held of a vault, this device's own (minted) or received. */
  heldEpochs(vaultId: string): number[] {
    return [...(this.vaultKeys.get(vaultId)?.keys() ?? [])].sort((a, b) => a - b)
  }

  vaultKey(vaultId: string, epoch: number): Uint8Array {
    if (!this.unlocked) throw new LockedError()
    const key = this.vaultKeys.get(vaultId)?.get(epoch)
    if (key === undefined) throw new NoVaultKeyError(vaultId, epoch)
    return key
  }

  /** Seals every vault key (all epochs) this device holds to another device: used when pairing. */
  grantsFor(deviceId: string, sealingPublicKey: Uint8Array, vaultIds?: string[]): Grant[] {
    this.requireSealing()
    const out: Grant[] = []
    for (const [vaultId, epochs] of this.vaultKeys) {
      if (vaultIds !== undefined && !vaultIds.includes(vaultId)) continue
      for (const [epoch, key] of epochs) out.push(sealGrant(vaultId, epoch, deviceId, sealingPublicKey, key))
    }
    return out
  }

  /**
   * Adds a new epoch key for a vault, sealed to the given devices (this one included): key rotation.
   * The epoch moves on from `after` (by default the current one) by a random step of 1 to 65,536,
   * so two devices that rotate while apart pick different epochs (with odds of 1 in 65,536 of a
   * clash, which the roster then voids). Returns the statement to declare on the roster; the key
   * is stored (and marked minted here) before it is declared. A number in `taken` is not used.
   */
  async rotate(
    vaultId: string,
    recipients: Array<{ deviceId: string; sealingPublicKey: Uint8Array }>,
    after: number = this.currentEpoch(vaultId),
    taken: ReadonlySet<number> = new Set()
  ): Promise<MintedEpoch> {
    // the number is drawn again (a few times at most) while it is one already declared; the key is made once
    let epoch = after + 1 + randomIndex(EPOCH_STEP)
    for (let tries = 0; taken.has(epoch) && tries < 8; tries++) epoch = after + 1 + randomIndex(EPOCH_STEP)
    if (epoch > MAX_EPOCH) throw new EpochsExhaustedError(vaultId)
    const key = randomBytes(32)
    await this.grants.put(
      recipients.map(r => sealGrant(vaultId, epoch, r.deviceId, r.sealingPublicKey, key)),
      [{ vaultId, epoch }]
    )
    this.remember(vaultId, epoch, key)
    return { vaultId, epoch, commitment: epochCommitment(vaultId, epoch, key) }
  }

  /** Stores grants received from another device and opens the ones addressed to this device. */
  async storeGrants(grants: Grant[]): Promise<void> {
    await this.grants.put(grants)
    const sealing = this.sealing
    if (sealing !== undefined)
      for (const g of grants) if (g.deviceId === this.deviceId) this.remember(g.vaultId, g.epoch, this.openChecked(sealing, g))
  }

  /** Key material first: removes slots, grants and the device record (crypto-erase). */
  async erase(): Promise<number> {
    const keys: string[] = []
    for await (const key of this.storage.keys('')) keys.push(key)
    await this.storage.batch(keys.map(key => ({ type: 'del' as const, key })))
    this.lock()
    this.sealingPublic = undefined
    this.rosterPublic = undefined
    return keys.length
  }
}

function rosterSeedOf(rootKey: Uint8Array): Uint8Array {
  return hkdf(rootKey, 'kith/roster/v1')
}

function sealingKeyPair(rootKey: Uint8Array): BoxKeyPair {
  return boxKeyPairFromSecret(hkdf(rootKey, 'kith/sealing/v1'))
}
