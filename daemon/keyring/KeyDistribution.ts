/**
 * Vault keys for the devices on the roster. Whenever this device is unlocked it makes sure every
 * current device holds every epoch key it holds itself (a new vault, a device that just joined, a
 * key learnt from a peer), sealing the missing ones to that device's sealing key. Grants travel
 * signed by the device that sealed them:
 *
 *   signedGrant := vaultId(16) • u32 epoch • device(32) • bytes sealedBox • granter(32) • signature(64)
 *   signature   = Ed25519(granter, "kith/grant/v1" • every byte before the signature)
 *
 * Removing a device rotates every vault key: a new epoch sealed only to the remaining devices.
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
import type { Grant, Keyring } from './Keyring.js'
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
  /** appends a REVOKE record: `envelopeSeqs` is, per vault, the last envelope of it this device holds */
  revoke: (deviceId: string, envelopeSeqs: Map<string, number>) => Promise<void>
}

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
      let held = await keyring.grantIndex()
      const leaked: string[] = []
      if (!roster.isRevoked(me)) {
        for (const [vaultId, byDevice] of held) {
          const current = this.currentEpoch(vaultId)
          if (current === undefined || ![...byDevice].some(([device, epochs]) => epochs.has(current) && roster.isRevoked(device))) continue
          if (await keyring.minted(vaultId, current)) leaked.push(vaultId)
        }
      }
      if (leaked.length > 0) {
        this.options.log(
          'warn',
          `keys: the current key of ${leaked.length} vault(s) was sealed to a removed device (devices were removed on two devices while apart); rotating again`
        )
        await this.rotate(leaked)
        held = await keyring.grantIndex()
      }
      const created = new Map<string, Grant[]>()
      for (const [vaultId, byDevice] of held) {
        const mine = byDevice.get(me)
        if (mine === undefined || mine.size === 0) continue
        for (const member of roster.members()) {
          if (member === me) continue
          const sealingKey = roster.sealingKey(member)
          if (sealingKey === undefined) continue
          const theirs = byDevice.get(member) ?? new Set<number>()
          const missing = [...mine].filter(e => !theirs.has(e))
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

  /** The signed grants held for `deviceId` (sent at the start of each sync session). */
  async grantsFor(deviceId: string): Promise<Uint8Array[]> {
    return (await this.options.keyring.storedGrants(deviceId)).map(g => encodeSignedGrant(g, this.options.signer))
  }

  /**
   * Takes grants from a peer: only those addressed to this device, signed by a current roster
   * device, for a (vault, epoch) it does not hold yet. One that fails to open (while unlocked) is
   * dropped again, so it cannot break the next unlock.
   */
  async receive(list: Uint8Array[], from: string): Promise<void> {
    const { keyring, roster, log } = this.options
    const opened = new Set<string>()
    await this.serial(async () => {
      const known = new Set(await keyring.vaultIds())
      for (const bytes of list) {
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
        if (await keyring.hasGrant(g)) continue
        try {
          await keyring.storeGrants([{ vaultId: g.vaultId, epoch: g.epoch, deviceId: g.deviceId, box: g.box }])
        } catch (err) {
          await keyring.dropGrant(g)
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

  /**
   * Removes a device: a REVOKE record (with this device's view of the removed one's envelopes),
   * then a new epoch key for every vault, sealed only to the remaining devices. Needs the keys.
   */
  async revoke(deviceId: string, envelopeSeqs: Map<string, number>): Promise<Array<{ vaultId: string; epoch: number }>> {
    return await this.serial(async () => {
      const { keyring, roster } = this.options
      if (!keyring.unlocked) throw new LockedError('unlock the vault to remove a device (its keys are rotated)')
      await roster.revoke(deviceId, envelopeSeqs)
      return await this.rotate(await keyring.vaultIds())
    })
  }

  /** A new epoch key for each vault, sealed to the current devices and sent to them. Runs inside serial(). */
  private async rotate(vaultIds: string[]): Promise<Array<{ vaultId: string; epoch: number }>> {
    const { keyring, roster } = this.options
    const me = keyring.deviceId
    const recipients = roster
      .members()
      .map(m => ({ deviceId: m, sealingPublicKey: m === me ? keyring.sealingPublicKey : roster.sealingKey(m) }))
      .filter((r): r is { deviceId: string; sealingPublicKey: Uint8Array } => r.sealingPublicKey !== undefined)
    const rotated: Array<{ vaultId: string; epoch: number }> = []
    for (const vaultId of vaultIds) rotated.push({ vaultId, epoch: await keyring.rotate(vaultId, recipients) })
    for (const r of recipients) {
      if (r.deviceId === me) continue
      this.emit('grants', r.deviceId, await this.grantsFor(r.deviceId))
    }
    return rotated
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
