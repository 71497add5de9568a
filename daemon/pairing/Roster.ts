/**
 * The device roster: which devices belong to this user's vaults, built from signed records
 * (RosterRecord.ts) by the pure rules of computeRoster.ts, so the order records arrive in does not
 * matter. Every well-signed record of every device ever admitted is stored and relayed, valid or
 * not, so that every device ends up with the same set. Records are written only with the unlocked
 * device's roster key (a `RecordSigner`, from Keyring.rosterSigner()).
 *
 * Storage: the roster/ view, one key per record (rosterLayout in storage/storageLayout.ts).
 */
import { EventEmitter } from 'node:events'
import type { StorageAdapter, StorageOp } from '../storage/StorageAdapter.js'
import { prefixOps } from '../storage/PrefixedStorage.js'
import { rosterLayout } from '../storage/storageLayout.js'
import { fromHex } from '../crypto/bytes.js'
import {
  decodeRosterRecord,
  encodeRosterRecord,
  RosterOp,
  type EpochStatement,
  type RecordSigner,
  type VaultAccess,
  type RosterBody,
  type RosterRecord
} from './RosterRecord.js'
import { rosterHeaderOf } from '../codec/RecordHeader.js'
import { vaultRef } from './vaultRef.js'
import { computeRoster, findRoot, hasEpochs, recordId, type DeviceEntry, type RosterState } from './computeRoster.js'
import { RosterError } from './errors.js'

export type { DeviceEntry, RosterState }

const recordKey = rosterLayout.record

/** A vault key epoch to declare, by vault id (the record names the vault by its ref). */
export interface EpochDeclaration {
  vaultId: string
  epoch: number
  commitment: Uint8Array
}

const statements = (epochs: EpochDeclaration[]): EpochStatement[] =>
  epochs.map(e => ({ vault: vaultRef(e.vaultId), epoch: e.epoch, commitment: e.commitment }))
const accessOf = (vaultIds: string[] | 'all'): VaultAccess =>
  vaultIds === 'all' ? { all: true } : { all: false, vaults: vaultIds.map(vaultRef) }
/** records whose author is not admitted (yet), held in memory until it is */
const MAX_PENDING = 10_000

export interface RosterEvents {
  /** membership or device details changed */
  changed: []
  /** records newly stored (local or received), to forward to peers */
  records: [Uint8Array[]]
}

export class Roster extends EventEmitter<RosterEvents> {
  private readonly logs = new Map<string, RosterRecord[]>()
  private readonly pending = new Map<string, RosterRecord>()
  private state: RosterState = computeRoster(new Map(), undefined)
  private chain: Promise<unknown> = Promise.resolve()

  /** @param storage the roster/ view (storageViews(root).roster) */
  constructor(private readonly storage: StorageAdapter) {
    super()
  }

  async load(): Promise<void> {
    this.logs.clear()
    for await (const [key, bytes] of this.storage.entries(rosterLayout.records)) {
      try {
        const rec = decodeRosterRecord(bytes)
        if (key !== recordKey(rec.author, rec.seq)) continue
        const log = this.logs.get(rec.author) ?? []
        if (rec.seq !== log.length + 1) continue
        log.push(rec)
        this.logs.set(rec.author, log)
      } catch {}
    }
    this.recompute()
    this.emit('changed')
  }

  private recompute(): void {
    this.state = computeRoster(this.logs, findRoot([...this.logs.values()].flat()))
  }

  private async serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn)
    this.chain = run.catch(() => {})
    return await run
  }

  /** The device that created the roster; undefined before init/join. */
  get root(): string | undefined {
    return this.state.root
  }

  vector(): Map<string, number> {
    const v = new Map<string, number>()
    for (const [author, log] of this.logs) if (log.length > 0) v.set(author, log.length)
    return v
  }

  /** Stored records the holder of `vector` lacks, in (author, seq) order (valid or not: every device keeps the same set). */
  recordsAfter(vector: Map<string, number>): Uint8Array[] {
    const out: Uint8Array[] = []
    for (const [author, log] of [...this.logs].sort(([a], [b]) => (a < b ? -1 : 1)))
      for (const rec of log.slice(vector.get(author) ?? 0)) out.push(rec.bytes)
    return out
  }

  allRecords(): Uint8Array[] {
    return this.recordsAfter(new Map())
  }

  isMember(deviceId: string): boolean {
    return this.state.admitted.has(deviceId) && !this.state.bounds.has(deviceId)
  }
  /** a current backup peer (computeRoster rule 8): syncs sealed records and relays, never authors, never holds a key */
  isBackupPeer(deviceId: string): boolean {
    return this.state.backupPeers.has(deviceId)
  }
  /** a current device or backup peer: whom the network admits and sync talks to */
  isPeer(deviceId: string): boolean {
    return this.isMember(deviceId) || this.isBackupPeer(deviceId)
  }
  backupPeers(): DeviceEntry[] {
    return [...this.state.backupPeers]
      .sort()
      .map(d => this.state.devices.get(d))
      .filter((e): e is DeviceEntry => e !== undefined)
  }
  /** current devices and backup peers, by id */
  peers(): string[] {
    return [...this.members(), ...[...this.state.backupPeers].sort()]
  }
  /** admitted at some point (a removed device's earlier envelopes stay acceptable) */
  wasAdmitted(deviceId: string): boolean {
    return this.state.admitted.has(deviceId)
  }
  isRevoked(deviceId: string): boolean {
    return this.state.bounds.has(deviceId)
  }
  members(): string[] {
    return [...this.state.admitted].filter(d => !this.state.bounds.has(d)).sort()
  }
  device(deviceId: string): DeviceEntry | undefined {
    return this.state.devices.get(deviceId)
  }
  /** current devices (removed ones excluded) */
  devices(): DeviceEntry[] {
    return this.members()
      .map(d => this.state.devices.get(d))
      .filter((e): e is DeviceEntry => e !== undefined)
  }
  sealingKey(deviceId: string): Uint8Array | undefined {
    return this.state.devices.get(deviceId)?.sealingPublicKey
  }
  /** hex of a device's bound roster key */
  rosterKey(deviceId: string): string | undefined {
    return this.state.rosterKeys.get(deviceId)
  }
  /** Devices whose only admitter is `deviceId` (offered for removal with it). */
  addedOnlyBy(deviceId: string): string[] {
    const admitters = new Map<string, Set<string>>()
    for (const [author, log] of this.logs)
      for (const rec of log)
        if (rec.op === RosterOp.Add && this.state.valid.has(recordId(rec)))
          admitters.set(rec.device, (admitters.get(rec.device) ?? new Set<string>()).add(author))
    return this.members().filter(d => {
      const by = admitters.get(d)
      return by !== undefined && by.size === 1 && by.has(deviceId)
    })
  }

  envelopeBound(author: string, vaultId: string): number | undefined {
    if (!this.state.bounds.has(author)) return undefined
    return this.state.envelopeBounds.get(author)?.get(vaultRef(vaultId)) ?? 0
  }

  /** Whether a device may hold a vault (its keys, envelopes and snapshots). */
  mayHold(deviceId: string, vaultId: string): boolean {
    const access = this.state.access.get(deviceId)
    return access === undefined || access.has(vaultRef(vaultId))
  }
  /** Whether a device may hold every vault (no list restricts it). */
  holdsAll(deviceId: string): boolean {
    return !this.state.access.has(deviceId)
  }

  /** The commitment declared for a vault key epoch; undefined when none (or two) was declared. */
  epochCommitment(vaultId: string, epoch: number): Uint8Array | undefined {
    const hex = this.state.epochs.get(vaultRef(vaultId))?.get(epoch)
    return hex === undefined ? undefined : fromHex(hex)
  }
  /** The newest epoch of a vault declared by a current device. */
  currentEpoch(vaultId: string): number | undefined {
    return this.state.currentEpochs.get(vaultRef(vaultId))
  }
  private statementsOf(author: string, counting: boolean): EpochStatement[] {
    return (this.logs.get(author) ?? [])
      .filter(r => !counting || this.state.valid.has(recordId(r)))
      .flatMap(r => (hasEpochs(r) ? r.epochs : []))
  }
  /** Whether `author` has stated an epoch (stored records, whether or not they count). */
  hasDeclared(author: string, vaultId: string, epoch: number): boolean {
    const ref = vaultRef(vaultId)
    return this.statementsOf(author, false).some(e => e.vault === ref && e.epoch === epoch)
  }
  /** Epochs of a vault that a device declared in records that count. */
  epochsDeclaredBy(author: string, vaultId: string): number[] {
    const ref = vaultRef(vaultId)
    return this.statementsOf(author, true)
      .filter(e => e.vault === ref)
      .map(e => e.epoch)
  }
  /** Epochs of a vault declared (by anyone who counts), highest last. */
  declaredEpochs(vaultId: string): number[] {
    return [...(this.state.epochs.get(vaultRef(vaultId))?.keys() ?? [])].sort((a, b) => a - b)
  }

  /** Appends a record to the signer's own log and stores it (the signer is this unlocked device). */
  async append(signer: RecordSigner, body: RosterBody): Promise<Uint8Array> {
    return await this.serial(async () => {
      const me = signer.deviceId
      const log = this.logs.get(me) ?? []
      const bytes = encodeRosterRecord(signer, log.length + 1, Date.now(), body)
      const rec = decodeRosterRecord(bytes)
      await this.storage.put(recordKey(me, rec.seq), bytes)
      log.push(rec)
      this.logs.set(me, log)
      this.recompute()
      this.emit('records', [bytes])
      this.emit('changed')
      return bytes
    })
  }

  async createGenesis(signer: RecordSigner, sealingPublicKey: Uint8Array, name: string): Promise<void> {
    if (this.root !== undefined || this.logs.size > 0) return
    await this.append(signer, { op: RosterOp.Genesis, sealingPublicKey, name })
  }

  /** Admits a device whose roster key was shown in the pairing handshake, to every vault or to those listed. */
  async addDevice(
    signer: RecordSigner,
    device: string,
    rosterKey: Uint8Array,
    name: string,
    vaultIds: string[] | 'all' = 'all'
  ): Promise<void> {
    await this.append(signer, { op: RosterOp.Add, device, rosterKey, name, access: accessOf(vaultIds) })
  }

  /** Admits a backup peer (keyless: it is bound no roster key) at `address`, for every vault or those listed. */
  async addBackupPeer(
    signer: RecordSigner,
    device: string,
    name: string,
    address: string,
    vaultIds: string[] | 'all' = 'all'
  ): Promise<void> {
    await this.append(signer, { op: RosterOp.Backup, device, name, address, access: accessOf(vaultIds) })
  }

  /** Sets which vaults a device may hold, with the new keys of the vaults it no longer may. */
  async setAccess(signer: RecordSigner, device: string, vaultIds: string[] | 'all', epochs: EpochDeclaration[]): Promise<void> {
    await this.append(signer, { op: RosterOp.Access, device, access: accessOf(vaultIds), epochs: statements(epochs) })
  }

  /** Declares vault key epochs (a new vault, or a rotation not tied to a removal). */
  async declareEpochs(signer: RecordSigner, epochs: EpochDeclaration[]): Promise<void> {
    if (epochs.length > 0) await this.append(signer, { op: RosterOp.Epochs, epochs: statements(epochs) })
  }

  /**
   * Removes a device, with the vault keys that replace the ones it held in the same record:
   * `envelopeSeqs` is, per vault, the last envelope of it this device holds. Fails loudly when
   * the removal did not take effect.
   */
  async revoke(signer: RecordSigner, device: string, envelopeSeqs: Map<string, number>, epochs: EpochDeclaration[]): Promise<void> {
    await this.append(signer, {
      op: RosterOp.Revoke,
      device,
      rosterSeq: this.logs.get(device)?.length ?? 0,
      envelopeSeqs: new Map([...envelopeSeqs].map(([vaultId, seq]) => [vaultRef(vaultId), seq])),
      epochs: statements(epochs)
    })
    if (this.isPeer(device)) throw new RosterError(`the removal of device ${device.slice(0, 12)}… did not take effect`)
  }

  /**
   * This device removes itself (`kith destroy`): a REVOKE of its own id that bounds its roster log
   * at that record itself. Needs the roster key (the device is unlocked).
   */
  async removeSelf(signer: RecordSigner, envelopeSeqs: Map<string, number>): Promise<Uint8Array> {
    const me = signer.deviceId
    // once nothing is queued, the record's seq is the log's length + 1 (append runs next)
    for (let queued = this.chain; ; queued = this.chain) {
      await queued
      if (queued === this.chain) break
    }
    return await this.append(signer, {
      op: RosterOp.Revoke,
      device: me,
      rosterSeq: (this.logs.get(me)?.length ?? 0) + 1,
      envelopeSeqs: new Map([...envelopeSeqs].map(([vaultId, seq]) => [vaultRef(vaultId), seq])),
      epochs: []
    })
  }

  /**
   * Takes records from a peer: keeps every well-formed record that is next in its author's log
   * and signed by its author's bound roster key; records of authors not admitted (yet) wait in
   * memory. Malformed, forged and foreign-root ones are refused.
   */
  async receive(list: Uint8Array[], _from?: string): Promise<{ accepted: number; rejected: number }> {
    return await this.serial(async () => {
      let rejected = 0
      for (const bytes of list) {
        try {
          // already held: skip before the signature check
          const head = rosterHeaderOf(bytes)
          if (head.seq <= (this.logs.get(head.author)?.length ?? 0) || this.pending.has(recordId(head))) continue
          const rec = decodeRosterRecord(bytes)
          if (rec.op === RosterOp.Genesis && this.root !== undefined && rec.author !== this.root) {
            rejected++
            continue
          }
          if (rec.seq > (this.logs.get(rec.author)?.length ?? 0) && this.pending.size < MAX_PENDING) this.pending.set(recordId(rec), rec)
        } catch {
          rejected++
        }
      }
      const kept: RosterRecord[] = []
      for (;;) {
        const candidate = new Map<string, RosterRecord[]>()
        for (const [author, log] of this.logs) candidate.set(author, [...log])
        const fresh: RosterRecord[] = []
        for (const rec of [...this.pending.values()].sort((a, b) => a.seq - b.seq)) {
          const log = candidate.get(rec.author) ?? []
          if (rec.seq <= log.length) {
            this.pending.delete(recordId(rec))
            continue
          }
          if (rec.seq !== log.length + 1) continue
          log.push(rec)
          candidate.set(rec.author, log)
          fresh.push(rec)
        }
        if (fresh.length === 0) break
        const next = computeRoster(candidate, this.root ?? findRoot([...candidate.values()].flat()))
        const keep = fresh.filter(r => next.everAdmitted.has(r.author) && next.rosterKeys.get(r.author) === r.signedBy)
        for (const r of fresh) {
          if (next.everAdmitted.has(r.author) && next.rosterKeys.get(r.author) !== r.signedBy) {
            this.pending.delete(recordId(r))
            rejected++
          }
        }
        if (keep.length === 0) break
        await this.storage.batch(keep.map(r => ({ type: 'put' as const, key: recordKey(r.author, r.seq), value: r.bytes })))
        for (const rec of keep) {
          this.pending.delete(recordId(rec))
          const log = this.logs.get(rec.author) ?? []
          log.push(rec)
          this.logs.set(rec.author, log)
        }
        this.recompute()
        kept.push(...keep)
      }
      if (kept.length === 0) return { accepted: 0, rejected }
      this.emit(
        'records',
        kept.map(r => r.bytes)
      )
      this.emit('changed')
      return { accepted: kept.length, rejected }
    })
  }
}

/**
 * Storage ops that hold a set of records, in the root key space: the roster a joining device
 * receives, written in one batch with its keyring.
 */
export function rosterOps(records: Uint8Array[]): StorageOp[] {
  return prefixOps(
    rosterLayout.prefix,
    records.map(bytes => {
      const rec = decodeRosterRecord(bytes)
      return { type: 'put' as const, key: recordKey(rec.author, rec.seq), value: bytes }
    })
  )
}

/** Builds the roster state of a set of records (checks what an inviter sent before joining). */
export function rosterOf(records: Uint8Array[]): RosterState {
  const logs = new Map<string, RosterRecord[]>()
  for (const rec of records
    .map(decodeRosterRecord)
    .sort((a, b) => (a.author === b.author ? a.seq - b.seq : a.author < b.author ? -1 : 1))) {
    const log = logs.get(rec.author) ?? []
    if (rec.seq === log.length + 1) log.push(rec)
    logs.set(rec.author, log)
  }
  return computeRoster(logs, findRoot([...logs.values()].flat()))
}
