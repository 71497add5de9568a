/**
 * Vault keys for the devices on the roster. Whenever this device is unlocked it makes sure every
 * current device holds every epoch key it holds itself (a new vault, a device that just joined, a
 * key learnt from a peer), sealing the missing ones to that device's sealing key. Grants travel
 * signed by the device that sealed them:
 *
 *   signedGrant := vaultId(16) • u32 epoch • device(32) • bytes sealedBox • granter(32) • signature(64)
 *   signature   = Ed25519(granter, "kith/grant/v1" • every byte before the signature)
 *
 * A key counts only for an epoch a roster statement declares, with a commitment to the key
 * (keyring/epochCommitment.ts): a grant for an undeclared epoch waits until its statement arrives,
 * and one whose key does not match is dropped, so no device can pin a vault to a key of its own
 * choosing. This device declares the epochs it makes (a new vault, a rotation) in roster records
 * signed with its roster key, which exists only while it is unlocked.
 *
 * Removing a device rotates every vault key: a new epoch sealed only to the remaining devices,
 * declared in the same roster record as the removal (the keys are stored first, so a crash leaves
 * at worst a key nobody was told about). The new epoch moves on from the highest one a remaining
 * device declared, so a removed device's epochs cannot exhaust the space.
 * Two devices that remove devices while apart each rotate, to different epochs (Keyring.rotate),
 * and each sealed its new key to the device the other removed. Once the rosters merge, a device
 * whose own rotation is the current epoch of a vault and was sealed to a removed device rotates
 * that vault again, so the newest key is held by current devices only. (An epoch it did not make
 * is left alone: the device that removed the other one has made a newer key, on its way here.)
 *
 * The policy lives here, next to the keys; what it reads of the stored grants it asks the Keyring
 * (which owns their storage), and what it needs of the device roster is the KeyRoster port below,
 * which pairing/Roster satisfies.
 */
import { EventEmitter } from 'node:events'
import { BinaryWriter } from '../codec/BinaryWriter.js'
import { BinaryReader } from '../codec/BinaryReader.js'
import { verify } from '../crypto/signing.js'
import { concatBytes, fromHex, toHex, utf8 } from '../crypto/bytes.js'
import type { Keyring } from './Keyring.js'
import type { Grant } from './Grant.js'
import type { MintedEpoch } from './EpochLedger.js'
import type { StatementSigner } from './StatementSigner.js'
import { LockedError, NoVaultKeyError } from './errors.js'
import type { Log } from '../log.js'
import { toError } from '../toError.js'

const DOMAIN = utf8('kith/grant/v1')

export interface GrantSigner {
  deviceId: string
  publicKey: Uint8Array
  sign: (message: Uint8Array) => Uint8Array
}

export function encodeSignedGrant(g: Grant, signer: GrantSigner): Uint8Array {
  const body = new BinaryWriter().raw(fromHex(g.vaultId)).u32(g.epoch).raw(fromHex(g.deviceId)).bytes(g.box).raw(signer.publicKey).finish()
  return concatBytes(body, signer.sign(concatBytes(DOMAIN, body)))
}

export function decodeSignedGrant(bytes: Uint8Array): Grant & { granter: string } {
  if (bytes.length < 16 + 4 + 32 + 4 + 32 + 64) throw new Error('grant is truncated')
  const body = bytes.subarray(0, bytes.length - 64)
  const r = new BinaryReader(body)
  const vaultId = toHex(r.raw(16))
  const epoch = r.u32()
  const deviceId = toHex(r.raw(32))
  const box = Uint8Array.from(r.bytes(4096))
  const granterKey = r.raw(32)
  r.end()
  if (!verify(granterKey, concatBytes(DOMAIN, body), bytes.subarray(bytes.length - 64))) throw new Error('grant signature does not verify')
  return { vaultId, epoch, deviceId, box, granter: toHex(granterKey) }
}

/** What key distribution needs of the device roster (pairing/Roster.ts satisfies it structurally). */
export interface KeyRoster {
  /** current devices (removed ones excluded), this one included */
  members: () => string[]
  isMember: (deviceId: string) => boolean
  isRevoked: (deviceId: string) => boolean
  /** a device's X25519 sealing key, once it has stated it */
  sealingKey: (deviceId: string) => Uint8Array | undefined
  /** the commitment declared for a (vault, epoch), undefined when none (or a void one) */
  epochCommitment: (vaultId: string, epoch: number) => Uint8Array | undefined
  /** epochs of a vault a device declared in records that count */
  epochsDeclaredBy: (deviceId: string, vaultId: string) => number[]
  /** whether a device may hold a vault (per-device vaults) */
  mayHold: (deviceId: string, vaultId: string) => boolean
  /** epochs of a vault with a (clean) declaration */
  declaredEpochs: (vaultId: string) => number[]
  /** whether a device has stated an epoch at all */
  hasDeclared: (deviceId: string, vaultId: string, epoch: number) => boolean
  declareEpochs: (signer: StatementSigner, epochs: MintedEpoch[]) => Promise<void>
  /** appends an ACCESS record (which vaults a device may hold) with the keys of the vaults it loses */
  setAccess: (signer: StatementSigner, deviceId: string, vaultIds: string[] | 'all', epochs: MintedEpoch[]) => Promise<void>
  /** appends a REVOKE record with the new epochs; throws when the removal did not take effect */
  revoke: (signer: StatementSigner, deviceId: string, envelopeSeqs: Map<string, number>, epochs: MintedEpoch[]) => Promise<void>
}

/** Grants for epochs not declared yet, kept (in memory) until their statement arrives. */
const MAX_WAITING_GRANTS = 1000

export interface KeyDistributionOptions {
  keyring: Keyring
  roster: KeyRoster
  signer: GrantSigner
  log: Log
  /** a key for a vault this device did not hold arrived: open its replica */
  openVault: (vaultId: string) => Promise<void>
}

export interface KeyDistributionEvents {
  /** signed grants to deliver to a device */
  grants: [deviceId: string, grants: Uint8Array[]]
}

export class KeyDistribution extends EventEmitter<KeyDistributionEvents> {
  private chain: Promise<unknown> = Promise.resolve()
  private readonly waiting = new Map<string, { bytes: Uint8Array; from: string }>()

  constructor(private readonly options: KeyDistributionOptions) {
    super()
  }

  private async serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn)
    this.chain = run.catch(() => {})
    return await run
  }

  /**
   * Seals every epoch key this device holds to each current device that lacks it, after rotating
   * any vault whose current key it sealed to a removed device; needs the keys unlocked.
   */
  async ensureGrants(): Promise<void> {
    await this.serial(async () => {
      const { keyring, roster } = this.options
      if (!keyring.unlocked) return
      const me = keyring.deviceId
      await this.declareMinted()
      let held = await keyring.grants.index()
      const leaked: string[] = []
      if (!roster.isRevoked(me)) {
        for (const [vaultId, byDevice] of held) {
          const current = this.currentEpoch(vaultId)
          if (current === undefined || ![...byDevice].some(([device, epochs]) => epochs.has(current) && roster.isRevoked(device))) continue
          if (await keyring.grants.minted(vaultId, current)) leaked.push(vaultId)
        }
      }
      if (leaked.length > 0) {
        this.options.log(
          'warn',
          `keys: the current key of ${leaked.length} vault(s) was sealed to a removed device (devices were removed on two devices while apart); rotating again`
        )
        await this.rotate(leaked)
        held = await keyring.grants.index()
      }
      const created = new Map<string, Grant[]>()
      for (const [vaultId, byDevice] of held) {
        const mine = byDevice.get(me)
        if (mine === undefined || mine.size === 0) continue
        for (const member of roster.members()) {
          if (member === me || !roster.mayHold(member, vaultId)) continue
          const sealingKey = roster.sealingKey(member)
          if (sealingKey === undefined) continue
          const theirs = byDevice.get(member) ?? new Set<number>()
          const missing = [...mine].filter(e => !theirs.has(e) && roster.epochCommitment(vaultId, e) !== undefined)
          if (missing.length === 0) continue
          const grants = keyring.grantsFor(member, sealingKey, [vaultId]).filter(g => missing.includes(g.epoch))
          if (grants.length === 0) continue
          await keyring.storeGrants(grants)
          created.set(member, [...(created.get(member) ?? []), ...grants])
        }
      }
      for (const [member, grants] of created) {
        this.options.log('info', `keys: sealed ${grants.length} vault key(s) to device ${member.slice(0, 12)}…`)
        this.emit(
          'grants',
          member,
          grants.map(g => encodeSignedGrant(g, this.options.signer))
        )
      }
    })
  }

  /** Declares the epochs this device made and has not stated yet (a new vault; a crash between key and statement). */
  private async declareMinted(): Promise<void> {
    const { keyring, roster } = this.options
    // before this device is on a roster (a new device before its GENESIS, a joiner) there is nothing to declare on
    if (!roster.isMember(keyring.deviceId)) return
    const undeclared: MintedEpoch[] = []
    for (const vaultId of await keyring.vaultIds())
      for (const epoch of keyring.heldEpochs(vaultId))
        if (!roster.hasDeclared(keyring.deviceId, vaultId, epoch) && (await keyring.grants.minted(vaultId, epoch)))
          undeclared.push({ vaultId, epoch, commitment: keyring.commitment(vaultId, epoch) })
    if (undeclared.length > 0) await roster.declareEpochs(keyring.rosterSigner(), undeclared)
  }

  /** The signed grants held for `deviceId` (sent at the start of each sync session). */
  async grantsFor(deviceId: string): Promise<Uint8Array[]> {
    return (await this.options.keyring.grants.forDevice(deviceId)).map(g => encodeSignedGrant(g, this.options.signer))
  }

  /**
   * Takes grants from a peer: only those addressed to this device, signed by a current roster
   * device, for a (vault, epoch) it does not hold yet. A grant for an epoch no roster statement
   * declares yet waits (in memory) for it; one whose key does not match the declared commitment,
   * or that fails to open (while unlocked), is dropped again, so it cannot break the next unlock.
   */
  async receive(list: Uint8Array[], from: string): Promise<void> {
    const { keyring, roster, log } = this.options
    const opened = new Set<string>()
    await this.serial(async () => {
      const known = new Set(await keyring.vaultIds())
      const all = [...[...this.waiting.values()].map(w => ({ bytes: w.bytes, from: w.from })), ...list.map(bytes => ({ bytes, from }))]
      this.waiting.clear()
      for (const { bytes, from } of all) {
        let g: Grant & { granter: string }
        try {
          g = decodeSignedGrant(bytes)
        } catch (err) {
          log('warn', `keys: refused a grant from ${from.slice(0, 12)}…: ${toError(err).message}`)
          continue
        }
        if (g.deviceId !== keyring.deviceId) continue
        if (!roster.isMember(g.granter)) {
          log('warn', `keys: refused a grant sealed by ${g.granter.slice(0, 12)}…, which is not on the roster`)
          continue
        }
        if (await keyring.grants.has(g)) continue
        if (roster.epochCommitment(g.vaultId, g.epoch) === undefined) {
          if (this.waiting.size < MAX_WAITING_GRANTS) this.waiting.set(`${g.vaultId}/${g.epoch}`, { bytes, from })
          continue
        }
        try {
          await keyring.storeGrants([{ vaultId: g.vaultId, epoch: g.epoch, deviceId: g.deviceId, box: g.box }])
        } catch (err) {
          await keyring.grants.drop(g)
          log('warn', `keys: a grant from ${from.slice(0, 12)}… does not open (${toError(err).message}); dropped`)
          continue
        }
        if (!known.has(g.vaultId)) opened.add(g.vaultId)
        log('info', `keys: received the key of vault ${g.vaultId.slice(0, 8)} epoch ${g.epoch}`)
      }
    })
    for (const vaultId of opened) await this.options.openVault(vaultId)
    await this.ensureGrants()
  }

  /** Grants waiting for their epoch's statement: tried again when the roster changes. */
  async retryWaiting(): Promise<void> {
    if (this.waiting.size > 0) await this.receive([], '')
  }

  /**
   * Removes a device: a new epoch key for every vault, sealed only to the remaining devices, then
   * one REVOKE record (with this device's view of the removed one's envelopes) that declares them.
   * Needs the keys (and the roster key). Throws when the removal did not take effect.
   */
  async revoke(deviceId: string, envelopeSeqs: Map<string, number>): Promise<Array<{ vaultId: string; epoch: number }>> {
    return await this.serial(async () => {
      const { keyring, roster } = this.options
      if (!keyring.unlocked) throw new LockedError('unlock the vault to remove a device (its keys are rotated)')
      const signer = keyring.rosterSigner()
      const minted = await this.mintFor(await keyring.vaultIds(), deviceId)
      await roster.revoke(signer, deviceId, envelopeSeqs, minted)
      await this.sendAll(deviceId)
      return minted.map(m => ({ vaultId: m.vaultId, epoch: m.epoch }))
    })
  }

  /**
   * Sets which vaults a device may hold. The vaults it loses get a new key, sealed to the devices
   * that keep them and declared in the same ACCESS record; the ones it gains are sealed to it next.
   */
  async setAccess(deviceId: string, vaultIds: string[] | 'all'): Promise<Array<{ vaultId: string; epoch: number }>> {
    const rotated = await this.serial(async () => {
      const { keyring, roster } = this.options
      if (!keyring.unlocked) throw new LockedError('unlock the vault to change which vaults a device holds')
      const signer = keyring.rosterSigner()
      const held = await keyring.vaultIds()
      const losing = vaultIds === 'all' ? [] : held.filter(v => roster.mayHold(deviceId, v) && !vaultIds.includes(v))
      const minted = await this.mintFor(losing, deviceId)
      await roster.setAccess(signer, deviceId, vaultIds, minted)
      await this.sendAll(deviceId)
      return minted.map(m => ({ vaultId: m.vaultId, epoch: m.epoch }))
    })
    await this.ensureGrants()
    return rotated
  }

  /** A new epoch key for each vault, sealed to the current devices except `without`, stored but not declared. */
  private async mintFor(vaultIds: string[], without?: string): Promise<MintedEpoch[]> {
    const { keyring, roster } = this.options
    const me = keyring.deviceId
    const remaining = roster.members().filter(m => m !== without)
    const recipients = remaining
      .map(m => ({ deviceId: m, sealingPublicKey: m === me ? keyring.sealingPublicKey : roster.sealingKey(m) }))
      .filter((r): r is { deviceId: string; sealingPublicKey: Uint8Array } => r.sealingPublicKey !== undefined)
    if (!recipients.some(r => r.deviceId === me)) recipients.push({ deviceId: me, sealingPublicKey: keyring.sealingPublicKey })
    const minted: MintedEpoch[] = []
    for (const vaultId of vaultIds) {
      const holders = recipients.filter(r => r.deviceId === me || roster.mayHold(r.deviceId, vaultId))
      // from the highest epoch a remaining device declared (or this one holds as its own), never a removed device's
      const trusted = [...remaining.flatMap(m => roster.epochsDeclaredBy(m, vaultId))]
      for (const e of keyring.heldEpochs(vaultId)) if (await keyring.grants.minted(vaultId, e)) trusted.push(e)
      const after = Math.max(0, ...trusted)
      // never reuse a number someone already declared (a clash would void the epoch)
      minted.push(await keyring.rotate(vaultId, holders, after, new Set(roster.declaredEpochs(vaultId))))
    }
    return minted
  }

  /** Rotates vaults (not tied to a removal) and declares the new epochs. Runs inside serial(). */
  private async rotate(vaultIds: string[]): Promise<void> {
    const minted = await this.mintFor(vaultIds)
    await this.options.roster.declareEpochs(this.options.keyring.rosterSigner(), minted)
    await this.sendAll()
  }

  private async sendAll(without?: string): Promise<void> {
    const { keyring, roster } = this.options
    for (const member of roster.members()) {
      if (member === keyring.deviceId || member === without) continue
      this.emit('grants', member, await this.grantsFor(member))
    }
  }

  private currentEpoch(vaultId: string): number | undefined {
    try {
      return this.options.keyring.currentEpoch(vaultId)
    } catch (err) {
      if (err instanceof NoVaultKeyError || err instanceof LockedError) return undefined
      throw err
    }
  }
}
