/**
 * A device's removal of itself (`kith destroy`), delivered and acknowledged before its data is
 * erased. The leaving device, unlocked, stops syncing, signs a REVOKE of its own id
 * (Roster.removeSelf) and hands its own roster log to every paired device it can reach, over a
 * protocol of its own (sync would carry the record too, but the receiver hangs up on a device the
 * moment it leaves the roster, which would swallow any answer):
 *
 *   protocol /kith/leave/1.0.0
 *   request := u32 count • count × (u32 length • roster record)   the sender's own records, in seq order
 *   answer  := u8 status   1 removed · 2 refused: this device is locked · 3 refused: the records do not remove the sender
 *
 * A receiver answers "removed" only when the records, added to its roster, remove their sender
 * (a REVOKE the sender signed about itself) and it holds the keys to rotate; it answers before it
 * stores them, waits (≤ 1 s) for the sender to close, then stores them and removes the device on
 * its side as `kith devices revoke` does: its own REVOKE and a new key epoch for every vault,
 * sealed to the remaining devices only. The records then reach every other device by sync.
 */
import { BinaryReader } from '../codec/BinaryReader.js'
import { BinaryWriter } from '../codec/BinaryWriter.js'
import type { FrameStream, NetworkAdapter } from '../network/NetworkAdapter.js'
import type { Log } from '../log.js'
import { toError } from '../toError.js'
import type { Roster } from './Roster.js'
import { rosterOf } from './Roster.js'
import { decodeRosterRecord, type RecordSigner } from './RosterRecord.js'

export const LEAVE_PROTOCOL = '/kith/leave/1.0.0'

export enum LeaveStatus {
  Removed = 1,
  Locked = 2,
  Refused = 3
}

const MAX_RECORDS = 1024
const MAX_RECORD_BYTES = 64 * 1024
const MAX_FRAME = 1024 * 1024
const STREAM_OPTIONS = { maxFrameBytes: MAX_FRAME, maxBufferBytes: 2 * MAX_FRAME }
/** how long a receiver waits for the request, and for the sender to close after the answer */
const READ_TIMEOUT_MS = 5000
/** the pause before a second round of telling the paired devices (see leave) */
const RETRY_AFTER_MS = 250
const CLOSE_WAIT_MS = 1000

/** What `destroy` reports about the roster. */
export interface LeaveResult {
  /** a paired device acknowledged the self-removal (it rotates the vault keys) */
  removedFromRoster: boolean
  /** the devices that acknowledged it */
  acknowledgedBy: string[]
  /** when not removed while other devices exist: what to do on one of them */
  hint: string | null
}

export interface SelfRemovalOptions {
  selfId: string
  network: Pick<NetworkAdapter, 'handle' | 'openStream'>
  roster: Pick<Roster, 'members' | 'isMember' | 'vector' | 'recordsAfter' | 'allRecords' | 'receive' | 'removeSelf'>
  /** whether this device holds its keys (leaving and taking a leave both need them) */
  unlocked: () => boolean
  /** the roster key (Keyring.rosterSigner(); throws while locked) */
  signer: () => RecordSigner
  /** per vault: the last envelope of this device's own */
  ownEnvelopeSeqs: () => Map<string, number>
  /** the known addresses of a device (dialled when it is not connected) */
  addrsOf: (deviceId: string) => string[]
  /** stops syncing, so that the REVOKE reaches peers only through this protocol */
  stopSync: () => Promise<void>
  /** removes a device on this side and rotates every vault key (KeyDistribution.revoke) */
  revoke: (deviceId: string) => Promise<Array<{ vaultId: string; epoch: number }>>
  log: Log
  /** how long `leave` waits for an acknowledgement */
  timeoutMs?: number
}

const short = (id: string): string => `${id.slice(0, 12)}…`

export function encodeLeaveRequest(records: Uint8Array[]): Uint8Array {
  const w = new BinaryWriter().u32(records.length)
  for (const r of records) w.bytes(r)
  return w.finish()
}

export function decodeLeaveRequest(frame: Uint8Array): Uint8Array[] {
  const r = new BinaryReader(frame)
  const n = r.u32()
  if (n > MAX_RECORDS) throw new RangeError(`a leave request of ${n} records exceeds ${MAX_RECORDS}`)
  const out: Uint8Array[] = []
  for (let i = 0; i < n; i++) out.push(Uint8Array.from(r.bytes(MAX_RECORD_BYTES)))
  r.end()
  return out
}

async function within<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<T>(resolve => {
    timer = setTimeout(() => resolve(fallback), ms)
  })
  try {
    return await Promise.race([p, timeout])
  } finally {
    clearTimeout(timer)
  }
}

export class SelfRemoval {
  constructor(private readonly options: SelfRemovalOptions) {}

  /** Serves the protocol: takes other devices' removals of themselves. */
  async serve(): Promise<void> {
    await this.options.network.handle(
      LEAVE_PROTOCOL,
      stream => {
        void this.accept(stream)
      },
      STREAM_OPTIONS
    )
  }

  /**
   * Removes this device from the roster, if it is unlocked and a paired device acknowledges it
   * within the timeout; then this device no longer syncs. Never throws: the caller erases anyway.
   */
  async leave(): Promise<LeaveResult> {
    const { selfId, roster, log } = this.options
    const others = roster.members().filter(d => d !== selfId)
    if (others.length === 0) return { removedFromRoster: false, acknowledgedBy: [], hint: null }
    const hint = (why: string): string =>
      `${why}: this device is still on your other devices' roster; remove it from one of them (\`kith devices revoke ${selfId.slice(0, 12)}\`, or Remove on its Devices page)`
    if (!this.options.unlocked()) return { removedFromRoster: false, acknowledgedBy: [], hint: hint('this device was locked') }
    try {
      await this.options.stopSync()
      await roster.removeSelf(this.options.signer(), this.options.ownEnvelopeSeqs())
    } catch (err) {
      log('warn', `devices: could not write this device's removal: ${toError(err).message}`)
      return { removedFromRoster: false, acknowledgedBy: [], hint: hint('the removal could not be written') }
    }
    const own = roster.recordsAfter(new Map([...roster.vector()].map(([author, n]) => [author, author === selfId ? 0 : n])))
    const request = encodeLeaveRequest(own)
    const acknowledgedBy: string[] = []
    const timeoutMs = this.options.timeoutMs ?? 5000
    const deadline = Date.now() + timeoutMs
    let reached = false
    await within(
      new Promise<void>(resolve => {
        let pending = others.length
        for (const peer of others) {
          void this.tell(peer, request, timeoutMs).then(status => {
            if (status !== undefined) reached = true
            if (status === LeaveStatus.Removed) {
              acknowledgedBy.push(peer)
              resolve()
            } else if (status === LeaveStatus.Locked) log('info', `devices: ${short(peer)} is locked and cannot take this device's removal`)
            if (--pending === 0) resolve()
          })
        }
      }),
      timeoutMs,
      undefined
    )
    // writing the removal makes sync close its connections, which can cut a first try that reused
    // one: when no device could be reached at all, one more round dials afresh
    if (!reached && deadline - Date.now() > RETRY_AFTER_MS) {
      await new Promise(resolve => setTimeout(resolve, RETRY_AFTER_MS))
      const again = await Promise.all(others.map(async peer => [peer, await this.tell(peer, request, deadline - Date.now())] as const))
      for (const [peer, status] of again) if (status === LeaveStatus.Removed) acknowledgedBy.push(peer)
    }
    if (acknowledgedBy.length === 0) {
      log('warn', "devices: no paired device acknowledged this device's removal")
      return {
        removedFromRoster: false,
        acknowledgedBy,
        hint: hint('no paired device was reachable and unlocked to acknowledge the removal')
      }
    }
    log('info', `devices: removed this device from the roster (acknowledged by ${acknowledgedBy.map(short).join(', ')})`)
    return { removedFromRoster: true, acknowledgedBy: [...acknowledgedBy], hint: null }
  }

  /** Sends the request to one device; its answer, or undefined when it could not be reached. */
  private async tell(peer: string, request: Uint8Array, timeoutMs: number): Promise<LeaveStatus | undefined> {
    let stream: FrameStream | undefined
    try {
      stream = await this.options.network.openStream(peer, this.options.addrsOf(peer), LEAVE_PROTOCOL, { ...STREAM_OPTIONS, timeoutMs })
      await stream.write(request)
      const answer = await within(stream.read(), timeoutMs, undefined)
      return answer?.length === 1 ? (answer[0] as LeaveStatus) : undefined
    } catch (err) {
      this.options.log('debug', `devices: telling ${short(peer)} of this device's removal failed: ${toError(err).message}`)
      return undefined
    } finally {
      await stream?.close()
    }
  }

  private async accept(stream: FrameStream): Promise<void> {
    const from = stream.remote
    try {
      const frame = await within(stream.read(), READ_TIMEOUT_MS, undefined)
      if (frame === undefined) return
      let records: Uint8Array[] = []
      let status = LeaveStatus.Refused
      try {
        records = decodeLeaveRequest(frame)
        status = this.check(from, records)
      } catch (err) {
        this.options.log('warn', `devices: refused a malformed removal from ${short(from)}: ${toError(err).message}`)
      }
      await stream.write(Uint8Array.of(status))
      if (status !== LeaveStatus.Removed) return
      // the sender reads the answer and closes; storing first would hang up on it before then
      await within(
        stream.read().catch(() => undefined),
        CLOSE_WAIT_MS,
        undefined
      )
      await this.take(from, records)
    } catch (err) {
      this.options.log('warn', `devices: taking the removal of ${short(from)} failed: ${toError(err).message}`)
    } finally {
      await stream.close()
    }
  }

  /** Whether `records`, all signed by `from`, remove `from` from this roster. */
  private check(from: string, records: Uint8Array[]): LeaveStatus {
    const { roster } = this.options
    if (!roster.isMember(from) || records.length === 0) return LeaveStatus.Refused
    if (records.some(r => decodeRosterRecord(r).author !== from)) return LeaveStatus.Refused
    if (!this.options.unlocked()) return LeaveStatus.Locked
    const next = rosterOf([...roster.allRecords(), ...records])
    return next.admitted.has(from) && next.bounds.has(from) ? LeaveStatus.Removed : LeaveStatus.Refused
  }

  private async take(from: string, records: Uint8Array[]): Promise<void> {
    const { roster, log } = this.options
    await roster.receive(records, from)
    if (roster.isMember(from)) {
      log('warn', `devices: the removal ${short(from)} sent did not apply here`)
      return
    }
    const rotated = await this.options.revoke(from)
    log('info', `devices: ${short(from)} removed itself from the roster; rotated ${rotated.length} vault key(s)`)
  }
}
