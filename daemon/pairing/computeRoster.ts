/**
 * Membership as a pure function of a set of roster records (RosterRecord.ts), so every device that
 * holds the same records agrees, whatever order they arrived in. The rules:
 *
 * 1. Keys. The root is the author of a GENESIS at seq 1 (the smallest id if several); its roster
 *    key is the one that signed that GENESIS. Every other device's roster key is the one bound by
 *    the ADD that admitted it. A record counts only when signed by its author's bound key, so a
 *    device's transport (identity) key alone — all a copied data directory holds — says nothing.
 *    Two ADDs binding different keys to one device void its admission altogether (no one may
 *    re-bind a device that is already admitted).
 * 2. Removals. A REVOKE counts when its author was ever admitted, unless its author had already
 *    been removed by a third device before writing it (the remover saw the author's log only up
 *    to an earlier seq). A removal of the device that removed it always counts: concurrent mutual
 *    removals remove both, and a removal by a device that was being removed voids nothing.
 * 3. Bounds. A removed device's records after the highest `rosterSeq` any counting REVOKE names
 *    no longer count (except removals, rule 2), nor its envelopes after `envelopeSeqs`.
 * 4. Admission. From the root, a device is admitted by an ADD of an admitted device that counts
 *    (within its author's bound). Removing a device does not remove those it added; DeviceService
 *    offers to remove them too (a REVOKE each).
 * 5. Epochs. A vault key epoch exists only when an EPOCHS or REVOKE record that counts declares it,
 *    with a commitment to the key; two different commitments for one (vault, epoch) void it. The
 *    current epoch of a vault is the highest one declared by a current member.
 * 6. Names. Two current devices never show one name: a later-added duplicate gets " (2)", " (3)"….
 * 7. Vault access. A device may hold every vault unless the ADD that admitted it, or a later
 *    ACCESS statement, lists the vaults it may hold; the newest statement (by time, then author
 *    and seq) wins.
 * 8. Backup peers. A BACKUP record of an admitted device admits a backup peer: no roster key is
 *    bound to it, so no record it signs ever counts, it is never a member (no envelope author, no
 *    key holder, no granter) and it takes part only in sync and relaying. A device named both by a
 *    BACKUP and by an ADD is voided altogether (as in rule 1): a backup peer cannot be promoted to
 *    a key-holding device, nor a device silently turned into one. It is removed by a REVOKE.
 */
import { RosterOp, type RosterRecord, type VaultAccess } from './RosterRecord.js'
import { toHex } from '../crypto/bytes.js'

export interface DeviceEntry {
  id: string
  name: string
  sealingPublicKey: Uint8Array | undefined
  /** hex of the roster key bound at admission */
  rosterKey: string | undefined
  addedBy: string | undefined
  addedAt: number | undefined
  revoked: boolean
  revokedBy: string | undefined
  revokedAt: number | undefined
  /** a device holds keys and authors; a backup peer (rule 8) only syncs sealed records and relays */
  kind: 'device' | 'backup-peer'
  /** a backup peer's address as its BACKUP record states it (a multiaddr with /p2p/) */
  address: string | undefined
}

export interface RosterState {
  root: string | undefined
  /** every device ever admitted (its well-signed records are kept and relayed) */
  everAdmitted: Set<string>
  /** admitted now or before its removal (devices; backup peers are apart) */
  admitted: Set<string>
  /** current backup peers (rule 8) */
  backupPeers: Set<string>
  /** record ids (author:seq) that take effect */
  valid: Set<string>
  /** removed device → its highest roster seq still valid */
  bounds: Map<string, number>
  /** removed device → vault → its highest envelope seq still accepted */
  envelopeBounds: Map<string, Map<string, number>>
  /** device → hex of its bound roster key */
  rosterKeys: Map<string, string>
  /** vault → epoch → commitment (hex); void epochs are absent */
  epochs: Map<string, Map<number, string>>
  /** vault → highest epoch declared by a current member */
  currentEpochs: Map<string, number>
  /** device → the vault refs it may hold; absent: every vault */
  access: Map<string, Set<string>>
  devices: Map<string, DeviceEntry>
}

/** The records that declare vault key epochs. */
export const hasEpochs = (rec: RosterRecord): rec is RosterRecord & { op: RosterOp.Epochs | RosterOp.Revoke | RosterOp.Access } =>
  rec.op === RosterOp.Epochs || rec.op === RosterOp.Revoke || rec.op === RosterOp.Access

export const recordId = (r: { author: string; seq: number }): string => `${r.author}:${r.seq}`

/** The root of a set of records: the author of a GENESIS at seq 1 (the smallest id if several). */
export function findRoot(records: Iterable<RosterRecord>): string | undefined {
  let root: string | undefined
  for (const r of records) if (r.op === RosterOp.Genesis && r.seq === 1 && (root === undefined || r.author < root)) root = r.author
  return root
}

type Logs = Map<string, RosterRecord[]>

/** Walks ADDs from the root; `counts` says whether a record of an admitted author takes effect. */
function admit(
  logs: Logs,
  root: string,
  rootKey: string,
  excluded: Set<string>,
  counts: (rec: RosterRecord) => boolean
): { admitted: Set<string>; keys: Map<string, string>; conflicted: Set<string>; backups: Set<string> } {
  const keys = new Map<string, string>([[root, rootKey]])
  const conflicted = new Set<string>()
  const admitted = new Set([root])
  const backups = new Set<string>()
  const work = [root]
  while (work.length > 0) {
    const author = work.shift() as string
    for (const rec of logs.get(author) ?? []) {
      if (rec.signedBy !== keys.get(author) || (rec.op !== RosterOp.Add && rec.op !== RosterOp.Backup) || !counts(rec)) continue
      if (excluded.has(rec.device) || rec.device === root) continue
      if (rec.op === RosterOp.Backup) {
        // rule 8: no key is bound, nothing is walked from it
        if (keys.has(rec.device)) conflicted.add(rec.device)
        else backups.add(rec.device)
        continue
      }
      if (backups.has(rec.device)) conflicted.add(rec.device)
      const key = toHex(rec.rosterKey)
      const bound = keys.get(rec.device)
      if (bound !== undefined && bound !== key) conflicted.add(rec.device)
      if (admitted.has(rec.device)) continue
      admitted.add(rec.device)
      keys.set(rec.device, key)
      work.push(rec.device)
    }
  }
  for (const d of backups) if (keys.has(d)) conflicted.add(d)
  return { admitted, keys, conflicted, backups }
}

export function computeRoster(logs: Logs, root: string | undefined): RosterState {
  const state: RosterState = {
    root,
    everAdmitted: new Set(),
    admitted: new Set(),
    backupPeers: new Set(),
    valid: new Set(),
    bounds: new Map(),
    envelopeBounds: new Map(),
    rosterKeys: new Map(),
    epochs: new Map(),
    currentEpochs: new Map(),
    access: new Map(),
    devices: new Map()
  }
  const genesis = root === undefined ? undefined : logs.get(root)?.[0]
  if (root === undefined || genesis === undefined || genesis.op !== RosterOp.Genesis) return state
  const rootKey = genesis.signedBy
  // rule 1: every device ever admitted, ignoring removals; a device bound to two keys is out
  let ever = admit(logs, root, rootKey, new Set(), () => true)
  const conflicted = new Set(ever.conflicted)
  if (conflicted.size > 0) ever = admit(logs, root, rootKey, conflicted, () => true)
  for (const d of ever.conflicted) conflicted.add(d)
  const signed = (rec: RosterRecord): boolean => ever.admitted.has(rec.author) && rec.signedBy === ever.keys.get(rec.author)
  const revokes: Array<RosterRecord & { op: RosterOp.Revoke }> = []
  for (const author of ever.admitted)
    for (const rec of logs.get(author) ?? []) if (rec.op === RosterOp.Revoke && signed(rec)) revokes.push(rec)
  // rule 2: a removal is void when a third device had removed its author before it was written
  const removedBefore = (rec: RosterRecord & { op: RosterOp.Revoke }): boolean =>
    revokes.some(r => r.device === rec.author && r.author !== rec.device && r.author !== rec.author && r.rosterSeq < rec.seq)
  const counting = revokes.filter(r => !removedBefore(r))
  // rule 3
  for (const r of counting) {
    state.bounds.set(r.device, Math.max(state.bounds.get(r.device) ?? 0, r.rosterSeq))
    let v = state.envelopeBounds.get(r.device)
    if (v === undefined) {
      v = new Map()
      state.envelopeBounds.set(r.device, v)
    }
    for (const [vaultId, seq] of r.envelopeSeqs) v.set(vaultId, Math.max(v.get(vaultId) ?? 0, seq))
  }
  const countingIds = new Set(counting.map(recordId))
  const takesEffect = (rec: RosterRecord): boolean => {
    if (!signed(rec)) return false
    if (rec.op === RosterOp.Revoke) return countingIds.has(recordId(rec))
    const bound = state.bounds.get(rec.author)
    return bound === undefined || rec.seq <= bound
  }
  // rule 4
  const now = admit(logs, root, rootKey, conflicted, takesEffect)
  state.everAdmitted = ever.admitted
  state.admitted = now.admitted
  for (const d of now.backups) if (!state.bounds.has(d)) state.backupPeers.add(d)
  state.rosterKeys = ever.keys
  for (const author of ever.admitted) for (const rec of logs.get(author) ?? []) if (takesEffect(rec)) state.valid.add(recordId(rec))
  const effective = [...ever.admitted]
    .flatMap(a => logs.get(a) ?? [])
    .filter(rec => state.valid.has(recordId(rec)))
    .sort((a, b) => (a.author === b.author ? a.seq - b.seq : a.time - b.time || (a.author < b.author ? -1 : 1)))
  const isMember = (d: string): boolean => now.admitted.has(d) && !state.bounds.has(d)
  describeDevices(state, effective)
  // rule 5
  const commitments = new Map<string, Map<number, Set<string>>>()
  const byMembers = new Map<string, Set<number>>()
  for (const rec of effective) {
    if (!hasEpochs(rec)) continue
    for (const e of rec.epochs) {
      const byEpoch = commitments.get(e.vault) ?? new Map<number, Set<string>>()
      commitments.set(e.vault, byEpoch)
      byEpoch.set(e.epoch, (byEpoch.get(e.epoch) ?? new Set<string>()).add(toHex(e.commitment)))
      if (isMember(rec.author)) byMembers.set(e.vault, (byMembers.get(e.vault) ?? new Set<number>()).add(e.epoch))
    }
  }
  for (const [vaultId, byEpoch] of commitments) {
    const clean = new Map<number, string>()
    for (const [epoch, set] of byEpoch) if (set.size === 1) clean.set(epoch, [...set][0] as string)
    state.epochs.set(vaultId, clean)
    const candidates = [...(byMembers.get(vaultId) ?? [])].filter(e => clean.has(e))
    if (candidates.length > 0) state.currentEpochs.set(vaultId, Math.max(...candidates))
  }
  // rule 7
  const newest = new Map<string, { rec: RosterRecord; access: VaultAccess }>()
  const later = (a: RosterRecord, b: RosterRecord): boolean =>
    a.time !== b.time ? a.time > b.time : a.author !== b.author ? a.author > b.author : a.seq > b.seq
  for (const rec of effective) {
    let device: string
    let access: VaultAccess
    if (rec.op === RosterOp.Add && state.rosterKeys.get(rec.device) === toHex(rec.rosterKey)) {
      device = rec.device
      access = rec.access
    } else if (rec.op === RosterOp.Backup && now.backups.has(rec.device)) {
      device = rec.device
      access = rec.access
    } else if (rec.op === RosterOp.Access) {
      device = rec.device
      access = rec.access
    } else continue
    const held = newest.get(device)
    if (held === undefined || later(rec, held.rec)) newest.set(device, { rec, access })
  }
  for (const [device, { access }] of newest) if (!access.all) state.access.set(device, new Set(access.vaults))
  return state
}

/** Names, sealing keys, who added and removed whom (rule 6 for names). */
function describeDevices(state: RosterState, effective: RosterRecord[]): void {
  const entry = (device: string): DeviceEntry => {
    let e = state.devices.get(device)
    if (e === undefined) {
      e = {
        id: device,
        name: '',
        sealingPublicKey: undefined,
        rosterKey: state.rosterKeys.get(device),
        addedBy: undefined,
        addedAt: undefined,
        revoked: false,
        revokedBy: undefined,
        revokedAt: undefined,
        kind: 'device',
        address: undefined
      }
      state.devices.set(device, e)
    }
    return e
  }
  for (const device of state.admitted) entry(device)
  for (const device of state.backupPeers) entry(device).kind = 'backup-peer'
  for (const rec of effective) {
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
        if (!state.admitted.has(rec.device) || state.rosterKeys.get(rec.device) !== toHex(rec.rosterKey)) break
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
        break
      }
      case RosterOp.Backup: {
        if (!state.backupPeers.has(rec.device)) break
        const e = entry(rec.device)
        if (e.addedBy === undefined) {
          e.addedBy = rec.author
          e.addedAt = rec.time
          e.name = rec.name
        }
        // the newest statement of its address wins
        e.address = rec.address
        break
      }
      case RosterOp.Epochs:
      case RosterOp.Access:
        break
    }
  }
  for (const device of state.bounds.keys()) entry(device).revoked = true
  const current = [...state.devices.values()]
    .filter(e => (state.admitted.has(e.id) || state.backupPeers.has(e.id)) && !e.revoked)
    .sort(
      (a, b) => Number(b.id === state.root) - Number(a.id === state.root) || (a.addedAt ?? 0) - (b.addedAt ?? 0) || (a.id < b.id ? -1 : 1)
    )
  const taken = new Set<string>()
  for (const e of current) {
    const base = e.name === '' ? 'device' : e.name
    let name = base
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base} (${n})`
    taken.add(name.toLowerCase())
    e.name = name
  }
}
