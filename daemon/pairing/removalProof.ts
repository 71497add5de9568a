/**
 * The roster records a removed device needs to see its own removal: every REVOKE of it that counts,
 * with its author's log up to it (logs are taken in seq order only), and the chain of ADDs that
 * admitted that author, back to the root's GENESIS, with their authors' logs up to them. Nothing
 * else: the records of devices the chain does not pass through stay unsent.
 */
import { computeRoster, findRoot, recordId } from './computeRoster.js'
import { decodeRosterRecord, RosterOp, type RosterRecord } from './RosterRecord.js'
import { toHex } from '../crypto/bytes.js'

/** The records that prove `device`'s removal, in (author, seq) order; empty when it is not removed. */
/** Records as per-author logs in seq order (a record that does not follow its log's last is left out). */
export function logsOf(records: Uint8Array[]): Map<string, RosterRecord[]> {
  const logs = new Map<string, RosterRecord[]>()
  for (const rec of records
    .map(decodeRosterRecord)
    .sort((a, b) => (a.author === b.author ? a.seq - b.seq : a.author < b.author ? -1 : 1))) {
    const log = logs.get(rec.author) ?? []
    if (rec.seq === log.length + 1) log.push(rec)
    logs.set(rec.author, log)
  }
  return logs
}

/**
 * Whether `records` added to `held` (a roster copy rooted at `root`) remove `device`, by the
 * roster's rules and that root: a GENESIS of another root among them changes nothing.
 */
export function removes(held: Uint8Array[], records: Uint8Array[], root: string | undefined, device: string): boolean {
  if (root === undefined) return false
  return computeRoster(logsOf([...held, ...records]), root).bounds.has(device)
}

/** The records that prove `device`'s removal, in (author, seq) order; empty when it is not removed. */
export function removalProof(records: Uint8Array[], device: string): Uint8Array[] {
  const logs = logsOf(records)
  const root = findRoot([...logs.values()].flat())
  const state = computeRoster(logs, root)
  if (root === undefined || !state.bounds.has(device)) return []
  const upTo = new Map<string, number>()
  const need = (author: string, seq: number): void => {
    upTo.set(author, Math.max(upTo.get(author) ?? 0, seq))
  }
  const all = [...logs.values()].flat()
  const admittedBy = (d: string): RosterRecord | undefined =>
    all.find(r => r.op === RosterOp.Add && r.device === d && state.valid.has(recordId(r)) && state.rosterKeys.get(d) === toHex(r.rosterKey))
  const walked = new Set<string>()
  /** the ADDs from the root down to `author` (each device's chain is walked once) */
  const chain = (author: string): void => {
    for (let d: string | undefined = author; d !== undefined && !walked.has(d); ) {
      walked.add(d)
      if (d === root) {
        need(root, 1)
        return
      }
      const add = admittedBy(d)
      if (add === undefined) return
      need(add.author, add.seq)
      d = add.author
    }
  }
  for (const r of all)
    if (r.op === RosterOp.Revoke && r.device === device && state.valid.has(recordId(r))) {
      need(r.author, r.seq)
      chain(r.author)
    }
  const out: Uint8Array[] = []
  for (const [author, seq] of [...upTo].sort(([a], [b]) => (a < b ? -1 : 1)))
    for (const rec of (logs.get(author) ?? []).slice(0, seq)) out.push(rec.bytes)
  return out
}
