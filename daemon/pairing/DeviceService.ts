/**
 * The devices use cases: the list as people see it (names, online, last seen, vaults, a key
 * fingerprint to compare between devices), finding a device by id, id prefix, PeerId or name,
 * removing one (which rotates the vault keys it held, and on request the devices only it added),
 * inviting, approving or denying a joiner that waits, and joining through pairing.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { concatBytes, fromHex, toHex, utf8 } from '../crypto/bytes.js'
import type { Roster } from './Roster.js'
import type { PairingService, InviteResult, JoinResult, JoinState } from './PairingService.js'
import type { PendingJoiner } from './PendingApprovals.js'
import { DeviceNotFoundError, DeviceRequestError } from './errors.js'
import type { Log } from '../log.js'

export interface DeviceView {
  id: string
  name: string
  peerId: string
  online: boolean
  /** ISO 8601, or null when never seen */
  lastSeen: string | null
  self: boolean
  addedAt: string | null
  addedBy: string | null
  /** a device, or a keyless backup peer (issue 13) */
  kind: 'device' | 'backup-peer'
  /** names of the vaults this device holds */
  vaults: string[]
  /** a short hash of the device's roster and sealing keys, to compare on both screens */
  fingerprint: string | null
  connection: 'direct' | 'relayed' | null
}

export interface RevokeResult {
  id: string
  revoked: true
  rotated: Array<{ vaultId: string; epoch: number }>
  /** devices removed with it (asked for with `alsoAddedBy`) */
  alsoRemoved: string[]
  /** devices only it had added, still on the roster: offered for removal */
  addedOnlyByIt: string[]
}

export interface AccessResult {
  id: string
  /** the vaults it may hold now */
  vaults: string[]
  rotated: Array<{ vaultId: string; epoch: number }>
}

export interface RevokeOptions {
  /** also remove the devices only this one added */
  alsoAddedBy?: boolean
}

/** "ab12 cd34 ef56 7890": SHA-256 over both public keys, first 8 bytes. */
export function keyFingerprint(rosterKeyHex: string, sealingKey: Uint8Array): string {
  const h = toHex(sha256(concatBytes(utf8('kith/fingerprint/v1'), fromHex(rosterKeyHex), sealingKey)).subarray(0, 8))
  return (h.match(/.{4}/g) as string[]).join(' ')
}

export interface DeviceServiceOptions {
  selfId: string
  roster: Roster
  pairing: PairingService
  /** whether this device has keys (a device alone, before any roster record, still lists itself) */
  initialized: () => boolean
  /** the PeerId that belongs to a device id */
  peerIdOf: (deviceId: string) => string
  /** whether a sync session with that device is open */
  isOnline: (deviceId: string) => boolean
  /** how that device is connected (direct, through a backup peer's relay, or not) */
  connectionOf: (deviceId: string) => 'direct' | 'relayed' | null
  /** the device id of a transport peer id; throws for one that is not a device */
  deviceIdOf: (peerId: string) => string
  /** puts a backup peer on the roster (for `vaultIds`) and connects to it */
  addBackupPeer: (deviceId: string, address: string, vaultIds: string[] | 'all') => Promise<void>
  /** when that device was last connected (ms since the epoch), if ever */
  lastSeen: (deviceId: string) => number | undefined
  /** per vault: the highest seq of this device's envelopes from `deviceId` (bounds what stays valid) */
  envelopeSeqs: (deviceId: string) => Map<string, number>
  /** removes the device from the roster and rotates the keys of every vault it held */
  revoke: (deviceId: string, envelopeSeqs: Map<string, number>) => Promise<Array<{ vaultId: string; epoch: number }>>
  /** names of the vaults a device holds */
  vaultsOf: (deviceId: string) => string[]
  /** this device's vaults (id and name), to resolve `--vault NAME` */
  vaults: () => Array<{ id: string; name: string }>
  /** sets which vaults a device may hold (KeyDistribution.setAccess): a vault it loses gets a new key */
  setAccess: (deviceId: string, vaultIds: string[] | 'all') => Promise<Array<{ vaultId: string; epoch: number }>>
  log: Log
}

export class DeviceService {
  constructor(private readonly options: DeviceServiceOptions) {}

  view(id: string): DeviceView {
    const { roster, selfId } = this.options
    const entry = roster.device(id)
    const self = id === selfId
    const online = self || this.options.isOnline(id)
    const seen = self || online ? Date.now() : this.options.lastSeen(id)
    return {
      id,
      name: entry?.name ?? '',
      peerId: this.options.peerIdOf(id),
      online,
      lastSeen: seen === undefined || seen === 0 ? null : new Date(seen).toISOString(),
      self,
      addedAt: entry?.addedAt === undefined ? null : new Date(entry.addedAt).toISOString(),
      addedBy: entry?.addedBy ?? null,
      kind: entry?.kind ?? 'device',
      vaults: this.options.vaultsOf(id),
      fingerprint:
        entry?.rosterKey === undefined || entry.sealingPublicKey === undefined
          ? null
          : keyFingerprint(entry.rosterKey, entry.sealingPublicKey),
      connection: self ? null : this.options.connectionOf(id)
    }
  }

  list(): DeviceView[] {
    const ids = this.options.roster.peers()
    if (ids.length === 0 && this.options.initialized()) ids.push(this.options.selfId)
    return ids
      .map(id => this.view(id))
      .sort((a, b) => Number(b.self) - Number(a.self) || a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
  }

  /** A member by full id, PeerId, unique id prefix (6+ characters) or unique name. */
  resolve(query: string): string {
    const { roster } = this.options
    const members = roster.peers()
    const q = query.trim()
    const exact = members.find(d => d === q.toLowerCase() || this.options.peerIdOf(d) === q)
    if (exact !== undefined) return exact
    const byPrefix = q.length >= 6 ? members.filter(d => d.startsWith(q.toLowerCase())) : []
    if (byPrefix.length === 1) return byPrefix[0] as string
    const byName = members.filter(d => roster.device(d)?.name === q)
    if (byName.length === 1) return byName[0] as string
    if (byPrefix.length > 1 || byName.length > 1)
      throw new DeviceRequestError(`${JSON.stringify(q)} matches several devices; give more of the id`)
    throw new DeviceNotFoundError(q)
  }

  /**
   * Removes a device (its keys rotate). The devices only it had added stay unless `alsoAddedBy`
   * asks for them too; the answer names them either way, so a person can be asked.
   */
  async revoke(query: string, options: RevokeOptions = {}): Promise<RevokeResult> {
    const { roster, selfId } = this.options
    const id = this.resolve(query)
    if (id === selfId) throw new DeviceRequestError('this device cannot remove itself; remove it from another device')
    const added = roster.addedOnlyBy(id).filter(d => d !== selfId)
    let rotated = await this.options.revoke(id, this.options.envelopeSeqs(id))
    this.options.log('info', `devices: removed ${id.slice(0, 12)}…; rotated ${rotated.length} vault key(s)`)
    const alsoRemoved: string[] = []
    if (options.alsoAddedBy === true) {
      for (const d of added) {
        if (!roster.isMember(d)) continue
        rotated = await this.options.revoke(d, this.options.envelopeSeqs(d))
        alsoRemoved.push(d)
        this.options.log('info', `devices: removed ${d.slice(0, 12)}…, which only ${id.slice(0, 12)}… had added`)
      }
    }
    return { id, revoked: true, rotated, alsoRemoved, addedOnlyByIt: added.filter(d => roster.isMember(d)) }
  }

  /**
   * `kith backup add ADDRESS`: puts a backup peer on the roster for this device's vaults (or one),
   * from the one line its `kith status` prints (a multiaddr ending in /p2p/PEERID).
   */
  async addBackupPeer(address: string, vaultName?: string): Promise<DeviceView> {
    const { roster, selfId } = this.options
    const m = /^\/(ip4|ip6|dns4|dns6|dns)\/[^/]+\/tcp\/\d+\/p2p\/([1-9A-HJ-NP-Za-km-z]{40,60})$/.exec(address.trim())
    if (m === null)
      throw new DeviceRequestError('a backup peer address looks like /ip4/HOST/tcp/PORT/p2p/PEERID (from `kith status` on it)')
    let id: string
    try {
      id = this.options.deviceIdOf(m[2] as string)
    } catch {
      throw new DeviceRequestError('that address does not name a Kith peer (its PeerId is not an Ed25519 key)')
    }
    if (id === selfId || roster.isMember(id)) throw new DeviceRequestError('that address is a device of this vault, not a backup peer')
    let vaultIds: string[] | 'all' = 'all'
    if (vaultName !== undefined) {
      const all = this.options.vaults()
      const vault = all.find(v => v.name === vaultName) ?? all.find(v => v.name.toLowerCase() === vaultName.toLowerCase())
      if (vault === undefined) throw new DeviceRequestError(`no vault named ${JSON.stringify(vaultName)} on this device`)
      vaultIds = [vault.id]
    }
    await this.options.addBackupPeer(id, address.trim(), vaultIds)
    this.options.log('info', `devices: added backup peer ${id.slice(0, 12)}…`)
    return this.view(id)
  }

  /** Gives a device a vault (its keys are sealed to it; it syncs the vault from then on). */
  async grant(query: string, vaultName: string): Promise<AccessResult> {
    return await this.changeAccess(query, vaultName, true)
  }

  /** Takes a vault away from a device: the vault's key rotates, so it reads nothing written afterwards. */
  async ungrant(query: string, vaultName: string): Promise<AccessResult> {
    return await this.changeAccess(query, vaultName, false)
  }

  private async changeAccess(query: string, vaultName: string, give: boolean): Promise<AccessResult> {
    const { roster, selfId } = this.options
    const id = this.resolve(query)
    if (id === selfId) throw new DeviceRequestError('this device holds every vault it has; choose another device')
    const all = this.options.vaults()
    const vault = all.find(v => v.name === vaultName) ?? all.find(v => v.name.toLowerCase() === vaultName.toLowerCase())
    if (vault === undefined) throw new DeviceRequestError(`no vault named ${JSON.stringify(vaultName)} on this device`)
    const current = all.filter(v => roster.mayHold(id, v.id)).map(v => v.id)
    const next = give ? [...new Set([...current, vault.id])] : current.filter(v => v !== vault.id)
    // a device that may hold every vault already holds this one
    const rotated = give && roster.holdsAll(id) ? [] : await this.options.setAccess(id, next)
    this.options.log(
      'info',
      `devices: ${give ? 'gave' : 'took'} vault ${JSON.stringify(vault.name)} ${give ? 'to' : 'from'} ${id.slice(0, 12)}…`
    )
    return { id, vaults: this.options.vaultsOf(id), rotated }
  }

  /** An invitation to every vault, or to the vaults named (the new device receives nothing of the others). */
  invite(ttlMs?: number, vaultNames?: string[]): InviteResult & { vaults: string[] } {
    const all = this.options.vaults()
    if (vaultNames === undefined) return { ...this.options.pairing.invite(ttlMs), vaults: all.map(v => v.name) }
    const ids = vaultNames.map(name => {
      const v = all.find(x => x.name === name) ?? all.find(x => x.name.toLowerCase() === name.toLowerCase())
      if (v === undefined) throw new DeviceRequestError(`no vault named ${JSON.stringify(name)} on this device`)
      return v.id
    })
    if (ids.length === 0) throw new DeviceRequestError('name at least one vault to invite a device to')
    const unique = [...new Set(ids)]
    return { ...this.options.pairing.invite(ttlMs, unique), vaults: all.filter(v => unique.includes(v.id)).map(v => v.name) }
  }

  async join(invitation: string, password: string, name?: string): Promise<JoinResult> {
    return await this.options.pairing.join(invitation, password, name)
  }

  /** On the joining device: the join under way (its verification words once known), or null. */
  joining(): JoinState | null {
    return this.options.pairing.joinState ?? null
  }

  /** The joiners waiting for a person here to approve them. */
  pending(): PendingJoiner[] {
    return this.options.pairing.pending.list()
  }

  /** Lets a waiting joiner in (by id or unique id prefix): only now is it sent the roster and vault keys. */
  async approve(query: string): Promise<{ id: string; approved: true }> {
    const joiner = await this.options.pairing.pending.approve(query)
    this.options.log('info', `devices: approved ${joiner.id.slice(0, 12)}…`)
    return { id: joiner.id, approved: true }
  }

  /** Refuses a waiting joiner; its invitation is used up. */
  async deny(query: string): Promise<{ id: string; denied: true }> {
    const joiner = await this.options.pairing.pending.deny(query)
    this.options.log('info', `devices: denied ${joiner.id.slice(0, 12)}…`)
    return { id: joiner.id, denied: true }
  }
}
