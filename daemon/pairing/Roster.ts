/**
 * The device roster: which devices belong to this user's vaults, built from signed records
 * (RosterRecord.ts). The first device's GENESIS makes it the root; a device is admitted when an
 * admitted device ADDs it; a REVOKE removes it for good and cuts off its records after the revoker's
 * view of its log. Membership is the fixed point of those rules over every stored record, so the
 * order records arrive in does not matter. Records sync between devices like envelopes.
 *
 * Storage: the roster/ view, one key per record (rosterLayout in storage/storageLayout.ts).
 */
import { EventEmitter } from 'node:events'
import type { StorageAdapter, StorageOp } from '../storage/StorageAdapter.js'
import { prefixOps } from '../storage/PrefixedStorage.js'
import { rosterLayout } from '../storage/storageLayout.js'
import { decodeRosterRecord, encodeRosterRecord, RosterOp, type RosterBody, type RosterRecord } from './RosterRecord.js'

const recordKey = rosterLayout.record
const id = (r: RosterRecord): string => `${r.author}:${r.seq}`

export interface DeviceEntry {
  id: string
  name: string
  sealingPublicKey: Uint8Array | undefined
  addedBy: string | undefined
  addedAt: number | undefined
  revoked: boolean
  revokedBy: string | undefined
  revokedAt: number | undefined
}

export interface RosterState {
  root: string | undefined
  valid: Set<string>
  admitted: Set<string>
  /** removed device → its highest roster seq still valid */
  bounds: Map<string, number>
  /** removed device → vault → its highest envelope seq still accepted */
  envelopeBounds: Map<string, Map<string, number>>
  devices: Map<string, DeviceEntry>
}

export interface RosterSigner {
  deviceId: string
  publicKey: Uint8Array
  sign: (message: Uint8Array) => Uint8Array
}

/** The root of a set of records: the author of a GENESIS at seq 1 (the smallest id if several). */
export function findRoot(records: Iterable<RosterRecord>): string | undefined {
  let root: string | undefined
  for (const r of records) if (r.op === RosterOp.Genesis && r.seq === 1 && (root === undefined || r.author < root)) root = r.author
  return root
}

/** Membership as the fixed point of the roster rules over contiguous per-author logs. */
export function computeRoster(logs: Map<string, RosterRecord[]>, root: string | undefined): RosterState {
  const state: RosterState = {
    root,
    valid: new Set(),
    admitted: new Set(),
    bounds: new Map(),
    envelopeBounds: new Map(),
    devices: new Map()
  }
  if (root === undefined) return state
  let bounds = new Map<string, number>()
  let validRecords: RosterRecord[] = []
  let admitted = new Set<string>()
  for (let round = 0; round < 32; round++) {
    const seen = new Set([root])
    const work = [root]
    const nextBounds = new Map<string, number>()
    validRecords = []
    while (work.length > 0) {
      const author = work.pop() as string
      const bound = bounds.get(author)
      for (const rec of logs.get(author) ?? []) {
        if (bound !== undefined && rec.seq > bound) break
        if (rec.op === RosterOp.Genesis && !(rec.author === root && rec.seq === 1)) break
        validRecords.push(rec)
        if (rec.op === RosterOp.Add && !seen.has(rec.device)) {
          seen.add(rec.device)
          work.push(rec.device)
        }
        if (rec.op === RosterOp.Revoke) nextBounds.set(rec.device, Math.max(nextBounds.get(rec.device) ?? 0, rec.rosterSeq))
      }
    }
    const stable = sameSet(seen, admitted) && sameMap(nextBounds, bounds)
    admitted = seen
    bounds = nextBounds
    if (stable) break
  }
  state.admitted = admitted
  state.bounds = bounds
  for (const rec of validRecords) state.valid.add(id(rec))
  const entry = (device: string): DeviceEntry => {
    let e = state.devices.get(device)
    if (e === undefined) {
      e = {
        id: device,
        name: '',
        sealingPublicKey: undefined,
        addedBy: undefined,
        addedAt: undefined,
        revoked: false,
        revokedBy: undefined,
        revokedAt: undefined
      }
      state.devices.set(device, e)
    }
    return e
  }
  for (const device of admitted) entry(device)
  const ordered = [...validRecords].sort((a, b) => (a.author === b.author ? a.seq - b.seq : a.time - b.time))
  for (const rec of ordered) {
    switch (rec.op) {
      case RosterOp.Genesis: {
        const e = entry(rec.author)
        e.name = rec.name
        e.sealingPublicKey = rec.sealingPublicKey
        e.addedBy = rec.author
        e.addedAt = rec.time
        break
      }
      case RosterOp.Add: {
        const e = entry(rec.device)
        if (e.addedBy === undefined) {
          e.addedBy = rec.author
          e.addedAt = rec.time
        }
        if (e.name === '') e.name = rec.name
        break
      }
      case RosterOp.Keys: {
        const e = entry(rec.author)
        e.sealingPublicKey = rec.sealingPublicKey
        if (rec.name !== '') e.name = rec.name
        break
      }
      case RosterOp.Revoke: {
        const e = entry(rec.device)
        e.revoked = true
        if (e.revokedAt === undefined || rec.time < e.revokedAt) {
          e.revokedAt = rec.time
          e.revokedBy = rec.author
        }
        let v = state.envelopeBounds.get(rec.device)
        if (v === undefined) {
          v = new Map()
          state.envelopeBounds.set(rec.device, v)
        }
        for (const [vaultId, seq] of rec.envelopeSeqs) v.set(vaultId, Math.max(v.get(vaultId) ?? 0, seq))
        break
      }
    }
  }
  for (const device of bounds.keys()) entry(device).revoked = true
  return state
}

function sameSet(a: Set<string>, b: Set<string>): boolean {
  if (a.size !== b.size) return false
  for (const x of a) if (!b.has(x)) return false
  return true
}

function sameMap(a: Map<string, number>, b: Map<string, number>): boolean {
  if (a.size !== b.size) return false
  for (const [k, v] of a) if (b.get(k) !== v) return false
  return true
}

export interface RosterEvents {
  /** membership or device details changed */
  changed: []
  /** records newly stored (local or received), to forward to peers */
  records: [Uint8Array[]]
}

export class Roster extends EventEmitter<RosterEvents> {
  private readonly logs = new Map<string, RosterRecord[]>()
  private state: RosterState = computeRoster(new Map(), undefined)
  private chain: Promise<unknown> = Promise.resolve()

  /** @param storage the roster/ view (storageViews(root).roster) */
  constructor(
    private readonly storage: StorageAdapter,
    private readonly signer: RosterSigner
  ) {
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

  /** Records the holder of `vector` lacks, valid ones only, in (author, seq) order. */
  recordsAfter(vector: Map<string, number>): Uint8Array[] {
    const out: Uint8Array[] = []
    for (const [author, log] of [...this.logs].sort(([a], [b]) => (a < b ? -1 : 1))) {
      for (const rec of log.slice(vector.get(author) ?? 0)) if (this.state.valid.has(id(rec))) out.push(rec.bytes)
    }
    return out
  }

  allRecords(): Uint8Array[] {
    return this.recordsAfter(new Map())
  }

  isMember(deviceId: string): boolean {
    return this.state.admitted.has(deviceId) && !this.state.bounds.has(deviceId)
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

  envelopeBound(author: string, vaultId: string): number | undefined {
    if (!this.state.bounds.has(author)) return undefined
    return this.state.envelopeBounds.get(author)?.get(vaultId) ?? 0
  }

  /** Appends a record to this device's own log and stores it. */
  async append(body: RosterBody): Promise<Uint8Array> {
    return await this.serial(async () => {
      const me = this.signer.deviceId
      const log = this.logs.get(me) ?? []
      const bytes = encodeRosterRecord(this.signer, log.length + 1, Date.now(), body)
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

  async createGenesis(sealingPublicKey: Uint8Array, name: string): Promise<void> {
    if (this.root !== undefined || this.logs.size > 0) return
    await this.append({ op: RosterOp.Genesis, sealingPublicKey, name })
  }

  async addDevice(device: string, name: string): Promise<void> {
    await this.append({ op: RosterOp.Add, device, name })
  }

  /** Removes a device: `envelopeSeqs` is, per vault, the last envelope of it this device holds. */
  async revoke(device: string, envelopeSeqs: Map<string, number>): Promise<void> {
    await this.append({ op: RosterOp.Revoke, device, rosterSeq: this.logs.get(device)?.length ?? 0, envelopeSeqs })
  }

  /**
   * This device removes itself (`kith destroy`): a REVOKE of its own id that bounds its roster log
   * at that record itself, so the record stays valid under its own bound.
   */
  async removeSelf(envelopeSeqs: Map<string, number>): Promise<Uint8Array> {
    const me = this.signer.deviceId
    // once nothing is queued, the record's seq is the log's length + 1 (append runs next)
    for (let queued = this.chain; ; queued = this.chain) {
      await queued
      if (queued === this.chain) break
    }
    return await this.append({ op: RosterOp.Revoke, device: me, rosterSeq: (this.logs.get(me)?.length ?? 0) + 1, envelopeSeqs })
  }

  /**
   * Takes records from a peer: keeps those that are well signed, next in their author's log and
   * valid under the roster rules together with what is already held. Records whose author is not
   * (yet) admitted are left for later; malformed, forged, out-of-order or foreign-root ones are refused.
   */
  async receive(list: Uint8Array[], _from?: string): Promise<{ accepted: number; rejected: number }> {
    return await this.serial(async () => {
      let rejected = 0
      const decoded: RosterRecord[] = []
      for (const bytes of list) {
        try {
          decoded.push(decodeRosterRecord(bytes))
        } catch {
          rejected++
        }
      }
      decoded.sort((a, b) => (a.author === b.author ? a.seq - b.seq : a.author < b.author ? -1 : 1))
      const candidate = new Map<string, RosterRecord[]>()
      for (const [author, log] of this.logs) candidate.set(author, [...log])
      const fresh: RosterRecord[] = []
      for (const rec of decoded) {
        const log = candidate.get(rec.author) ?? []
        if (rec.seq <= log.length) continue
        if (rec.seq !== log.length + 1) {
          rejected++
          continue
        }
        if (rec.op === RosterOp.Genesis && this.root !== undefined) {
          rejected++
          continue
        }
        log.push(rec)
        candidate.set(rec.author, log)
        fresh.push(rec)
      }
      if (fresh.length === 0) return { accepted: 0, rejected }
      const next = computeRoster(candidate, this.root ?? findRoot([...candidate.values()].flat()))
      const keep = fresh.filter(r => next.valid.has(id(r)))
      if (keep.length === 0) return { accepted: 0, rejected }
      await this.storage.batch(keep.map(r => ({ type: 'put' as const, key: recordKey(r.author, r.seq), value: r.bytes })))
      for (const rec of keep) {
        const log = this.logs.get(rec.author) ?? []
        log.push(rec)
        this.logs.set(rec.author, log)
      }
      this.recompute()
      this.emit(
        'records',
        keep.map(r => r.bytes)
      )
      this.emit('changed')
      return { accepted: keep.length, rejected }
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
