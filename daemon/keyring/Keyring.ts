/**
 * The device's keys: unlock slots wrapping the device root key, the X25519 sealing key derived
 * from it, and vault keys per epoch, each sealed to a device's sealing key ("grants").
 *
 * Storage keys (values are sealed or public):
 *   keyring/device                                 u8(1) • signingPublic(32) • sealingPublic(32)
 *   keyring/slot/<slotName>                        see UnlockSlot.ts
 *   keyring/grant/<vaultId>/<epoch:8hex>/<device>  sealed box of the 32-byte vault key
 *   keyring/minted/<vaultId>/<epoch:8hex>          empty: this device made that epoch by rotating
 */
import type { StorageAdapter, StorageOp } from '../storage/StorageAdapter.js'
import { randomBytes, randomIndex } from '../crypto/random.js'
import { hkdf, type Argon2Params } from '../crypto/kdf.js'
import { boxKeyPairFromSecret, openBox, sealBox, type BoxKeyPair } from '../crypto/box.js'
import { concatBytes, fromHex, toHex, utf8 } from '../crypto/bytes.js'
import { DecryptionError, FormatError } from '../crypto/errors.js'
import { createPasswordSlot, openPasswordSlot } from './UnlockSlot.js'
import { UnlockThrottle } from './UnlockThrottle.js'
import { AlreadyInitializedError, BadGrantError, KeyringError, LockedError, NoVaultKeyError, NotInitializedError, WrongPasswordError } from './errors.js'
import type { DeviceIdentity } from './DeviceIdentity.js'

const DEVICE_KEY = 'keyring/device'
const PASSWORD_SLOT = 'keyring/slot/password'
const GRANT_PREFIX = 'keyring/grant/'
const MINTED_PREFIX = 'keyring/minted/'

export interface Grant { vaultId: string, epoch: number, deviceId: string, box: Uint8Array }

const epochHex = (epoch: number): string => epoch.toString(16).padStart(8, '0')
/** Key rotation moves the epoch on by a random step below this (see Keyring.rotate). */
export const EPOCH_STEP = 0x10000
/** Epochs are u32 on disk and on the wire. */
const MAX_EPOCH = 0xffffffff
export const grantKey = (vaultId: string, epoch: number, deviceId: string): string => `${GRANT_PREFIX}${vaultId}/${epochHex(epoch)}/${deviceId}`
const grantAad = (vaultId: string, epoch: number, deviceId: string): Uint8Array => concatBytes(utf8(`kith-grant/${vaultId}/${epoch}/`), fromHex(deviceId))

export function parseGrantKey (key: string): { vaultId: string, epoch: number, deviceId: string } {
  const [vaultId, epoch, deviceId] = key.slice(GRANT_PREFIX.length).split('/')
  if (vaultId === undefined || epoch === undefined || deviceId === undefined) throw new FormatError(`malformed grant key ${key}`)
  return { vaultId, epoch: parseInt(epoch, 16), deviceId }
}

/** Seals `vaultKey` to a device's public sealing key (used for this device and for paired ones). */
export function sealGrant (vaultId: string, epoch: number, deviceId: string, sealingPublicKey: Uint8Array, vaultKey: Uint8Array): Grant {
  return { vaultId, epoch, deviceId, box: sealBox(sealingPublicKey, vaultKey, grantAad(vaultId, epoch, deviceId)) }
}

export class Keyring {
  readonly throttle: UnlockThrottle
  private sealing: BoxKeyPair | undefined
  private readonly vaultKeys = new Map<string, Map<number, Uint8Array>>()
  private sealingPublic: Uint8Array | undefined

  constructor (private readonly storage: StorageAdapter, readonly identity: DeviceIdentity) {
    this.throttle = new UnlockThrottle(storage)
  }

  async load (): Promise<void> {
    await this.throttle.load()
    const device = await this.storage.get(DEVICE_KEY)
    if (device !== undefined) {
      if (device.length !== 65 || device[0] !== 1) throw new FormatError('keyring/device record is corrupt')
      this.sealingPublic = device.slice(33)
    }
  }

  get initialized (): boolean { return this.sealingPublic !== undefined }
  get unlocked (): boolean { return this.sealing !== undefined }
  get deviceId (): string { return this.identity.deviceId }

  /** This device's X25519 public sealing key (others seal vault keys to it). */
  get sealingPublicKey (): Uint8Array {
    if (this.sealingPublic === undefined) throw new NotInitializedError()
    return this.sealingPublic
  }

  /**
   * Makes this device's root key and password slot. `extra` ops (e.g. grants received while
   * joining) are written in the same batch, so a crash leaves either no keyring or a whole one.
   */
  async initialize (password: string, params: Argon2Params, extra: (k: Keyring) => StorageOp[] = () => []): Promise<void> {
    if (this.initialized) throw new AlreadyInitializedError()
    const rootKey = randomBytes(32)
    const sealing = sealingKeyPair(rootKey)
    const slot = await createPasswordSlot(password, rootKey, params)
    rootKey.fill(0)
    this.sealingPublic = sealing.publicKey
    this.sealing = sealing
    await this.storage.batch([
      { type: 'put', key: DEVICE_KEY, value: concatBytes(Uint8Array.of(1), this.identity.publicKey, sealing.publicKey) },
      { type: 'put', key: PASSWORD_SLOT, value: slot },
      ...extra(this)
    ])
    await this.loadGrants()
  }

  /** Opens the password slot (throttled) and the vault keys sealed to this device. */
  async unlock (password: string): Promise<void> {
    if (!this.initialized) throw new NotInitializedError()
    const slot = await this.storage.get(PASSWORD_SLOT)
    if (slot === undefined) throw new NotInitializedError()
    await this.throttle.run(async () => {
      let rootKey: Uint8Array
      try {
        rootKey = await openPasswordSlot(slot, password)
      } catch (err) {
        if (err instanceof DecryptionError) throw new WrongPasswordError()
        throw err
      }
      this.sealing = sealingKeyPair(rootKey)
      rootKey.fill(0)
      await this.loadGrants()
    }, err => err instanceof WrongPasswordError)
  }

  /**
   * Checks a password against the password slot (throttled like an unlock) without changing state:
   * an unlocked daemon still demands the real password before it opens a new dashboard session.
   */
  async verifyPassword (password: string): Promise<void> {
    const slot = await this.storage.get(PASSWORD_SLOT)
    if (slot === undefined) throw new NotInitializedError()
    await this.throttle.run(async () => {
      try {
        (await openPasswordSlot(slot, password)).fill(0)
      } catch (err) {
        if (err instanceof DecryptionError) throw new WrongPasswordError()
        throw err
      }
    }, err => err instanceof WrongPasswordError)
  }

  /** Re-wraps the root key under a new password (the old one must open the slot). */
  async changePassword (oldPassword: string, newPassword: string, params: Argon2Params): Promise<void> {
    const slot = await this.storage.get(PASSWORD_SLOT)
    if (slot === undefined) throw new NotInitializedError()
    const rootKey = await this.throttle.run(async () => {
      try { return await openPasswordSlot(slot, oldPassword) } catch (err) {
        if (err instanceof DecryptionError) throw new WrongPasswordError()
        throw err
      }
    }, err => err instanceof WrongPasswordError)
    await this.storage.put(PASSWORD_SLOT, await createPasswordSlot(newPassword, rootKey, params))
    rootKey.fill(0)
  }

  /** Drops every secret from memory (best effort: overwrites the key buffers). */
  lock (): void {
    this.sealing?.secretKey.fill(0)
    this.sealing = undefined
    for (const epochs of this.vaultKeys.values()) for (const key of epochs.values()) key.fill(0)
    this.vaultKeys.clear()
  }

  private requireSealing (): BoxKeyPair {
    if (this.sealing === undefined) throw new LockedError()
    return this.sealing
  }

  /**
   * Opens every grant addressed to this device. One that fails to open (a flipped byte, or a grant
   * a hostile roster member sent) is reported in `badGrants` by name and skipped, so it cannot stop
   * the other vaults from unlocking; that vault's records then report NoVaultKeyError.
   */
  private async loadGrants (): Promise<void> {
    const sealing = this.requireSealing()
    this.badGrants.length = 0
    for await (const [key, box] of this.storage.entries(GRANT_PREFIX)) {
      const { vaultId, epoch, deviceId } = parseGrantKey(key)
      if (deviceId !== this.deviceId) continue
      try {
        this.remember(vaultId, epoch, openBox(sealing, box, grantAad(vaultId, epoch, deviceId)))
      } catch (err) {
        this.badGrants.push(new BadGrantError(key, { cause: err }))
      }
    }
  }

  /** Grants that did not open at the last unlock. */
  readonly badGrants: BadGrantError[] = []

  private remember (vaultId: string, epoch: number, key: Uint8Array): void {
    let epochs = this.vaultKeys.get(vaultId)
    if (epochs === undefined) { epochs = new Map(); this.vaultKeys.set(vaultId, epochs) }
    epochs.set(epoch, key)
  }

  /** Vault ids this device holds keys for (available while locked too, from the grant index). */
  async vaultIds (): Promise<string[]> {
    const ids = new Set<string>()
    for await (const key of this.storage.keys(GRANT_PREFIX)) {
      const g = parseGrantKey(key)
      if (g.deviceId === this.deviceId) ids.add(g.vaultId)
    }
    return [...ids].sort()
  }

  /** Makes a new vault id and its epoch-0 key, sealed to this device. */
  async createVault (): Promise<string> {
    const sealing = this.requireSealing()
    const vaultId = toHex(randomBytes(16))
    const key = randomBytes(32)
    const grant = sealGrant(vaultId, 0, this.deviceId, sealing.publicKey, key)
    await this.storage.put(grantKey(vaultId, 0, this.deviceId), grant.box)
    this.remember(vaultId, 0, key)
    return vaultId
  }

  /** The newest epoch of a vault this device holds a key for. */
  currentEpoch (vaultId: string): number {
    const epochs = this.vaultKeys.get(vaultId)
    if (epochs === undefined || epochs.size === 0) {
      if (!this.unlocked) throw new LockedError()
      throw new NoVaultKeyError(vaultId, 0)
    }
    return Math.max(...epochs.keys())
  }

  vaultKey (vaultId: string, epoch: number): Uint8Array {
    if (!this.unlocked) throw new LockedError()
    const key = this.vaultKeys.get(vaultId)?.get(epoch)
    if (key === undefined) throw new NoVaultKeyError(vaultId, epoch)
    return key
  }

  /** Seals every vault key (all epochs) this device holds to another device: used when pairing. */
  grantsFor (deviceId: string, sealingPublicKey: Uint8Array, vaultIds?: string[]): Grant[] {
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
   * The epoch moves on by a random step of 1 to 65,536, so two devices that rotate while apart
   * pick different epochs (with odds of 1 in 65,536 of a clash) and both keys survive the merge:
   * a grant is stored per (vault, epoch, device), and a second key for an epoch already held
   * would be refused.
   */
  async rotate (vaultId: string, recipients: Array<{ deviceId: string, sealingPublicKey: Uint8Array }>): Promise<number> {
    const epoch = this.currentEpoch(vaultId) + 1 + randomIndex(EPOCH_STEP)
    if (epoch > MAX_EPOCH) throw new KeyringError(`vault ${vaultId} has used up its key epochs`)
    const key = randomBytes(32)
    const ops: StorageOp[] = recipients.map(r => {
      const g = sealGrant(vaultId, epoch, r.deviceId, r.sealingPublicKey, key)
      return { type: 'put', key: grantKey(vaultId, epoch, r.deviceId), value: g.box }
    })
    ops.push({ type: 'put', key: `${MINTED_PREFIX}${vaultId}/${epochHex(epoch)}`, value: new Uint8Array(0) })
    await this.storage.batch(ops)
    this.remember(vaultId, epoch, key)
    return epoch
  }

  /** Whether this device made that epoch of the vault by rotating its key (not received, not the first). */
  async minted (vaultId: string, epoch: number): Promise<boolean> {
    return await this.storage.get(`${MINTED_PREFIX}${vaultId}/${epochHex(epoch)}`) !== undefined
  }

  /** Stores grants received from another device and opens the ones addressed to this device. */
  async storeGrants (grants: Grant[]): Promise<void> {
    await this.storage.batch(grants.map(g => ({ type: 'put' as const, key: grantKey(g.vaultId, g.epoch, g.deviceId), value: g.box })))
    if (this.sealing !== undefined) {
      for (const g of grants) if (g.deviceId === this.deviceId) this.remember(g.vaultId, g.epoch, openBox(this.sealing, g.box, grantAad(g.vaultId, g.epoch, g.deviceId)))
    }
  }

  /** Storage ops that hold grants (for writing them inside another batch). */
  static grantOps (grants: Grant[]): StorageOp[] {
    return grants.map(g => ({ type: 'put' as const, key: grantKey(g.vaultId, g.epoch, g.deviceId), value: g.box }))
  }

  /** Key material first: removes slots, grants and the device record (crypto-erase). */
  async erase (): Promise<number> {
    const keys: string[] = []
    for await (const key of this.storage.keys('keyring/')) keys.push(key)
    await this.storage.batch(keys.map(key => ({ type: 'del' as const, key })))
    this.lock()
    this.sealingPublic = undefined
    return keys.length
  }
}

function sealingKeyPair (rootKey: Uint8Array): BoxKeyPair {
  return boxKeyPairFromSecret(hkdf(rootKey, 'kith/sealing/v1'))
}
