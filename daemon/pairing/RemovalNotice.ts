/**
 * A removed device learns that it was removed, says so, and stops dialling.
 *
 * On a roster device: a device removed from the roster is let in again (inbound only, a few times
 * per run) for one thing: when it connects, this device opens the removal protocol to it, hands it
 * the signed records that removed it (removalProof.ts: the REVOKEs and the ADD chain that gives
 * their authors authority, nothing more), reads its answer and, once it took them, hangs up (any
 * other connection of a non-member is closed within 30 s by PairingService). Sync, pairing and
 * every other protocol still refuse it: they ask the roster, not the gate.
 *
 *   protocol /kith/removed/1.0.0
 *   the roster device writes  records := u32 count • count × (u32 length • roster record)
 *   the removed device answers u8 status   1 taken: it now knows it was removed · 2 refused
 *
 * On the removed device: the records are checked against its own roster copy with the roster's
 * own rules and its own root (removalProof.ts `removes`: signatures by bound roster keys, authority
 * by admission, removals that count); only when they remove this device are they stored
 * (Roster.receive). A forged removal —
 * records that do not remove it, or signed by no device with authority — is refused and stored
 * nowhere. Once its roster says it was removed, the device syncs with no one and refuses every
 * connection (compose.ts), logs it once, and its status says who removed it and when.
 */
import { BinaryReader } from '../codec/BinaryReader.js'
import { BinaryWriter } from '../codec/BinaryWriter.js'
import type { FrameStream, NetworkAdapter } from '../network/NetworkAdapter.js'
import type { Log } from '../log.js'
import { toError } from '../toError.js'
import type { Roster } from './Roster.js'
import { removalProof, removes } from './removalProof.js'

export const REMOVED_PROTOCOL = '/kith/removed/1.0.0'

export enum RemovalStatus {
  Taken = 1,
  Refused = 2
}

export const MAX_NOTICE_RECORDS = 1024
const MAX_RECORD_BYTES = 64 * 1024
export const MAX_NOTICE_FRAME = 1024 * 1024
const STREAM_OPTIONS = { maxFrameBytes: MAX_NOTICE_FRAME, maxBufferBytes: 2 * MAX_NOTICE_FRAME }
const READ_TIMEOUT_MS = 5000
/** how often per run a removed device is let in to be told (a device that never takes it is refused afterwards) */
const MAX_TELLS = 3

/** A removal notice that does not parse or breaks a cap. */
export class RemovalNoticeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'RemovalNoticeError'
  }
}

/** Who removed this device, and when (ISO 8601), and the sentence the CLI and the dashboard show. */
export interface RemovalView {
  by: string
  byName: string
  at: string | null
  message: string
}

export function encodeNotice(records: Uint8Array[]): Uint8Array {
  const w = new BinaryWriter().u32(records.length)
  for (const r of records) w.bytes(r)
  return w.finish()
}

export function decodeNotice(frame: Uint8Array): Uint8Array[] {
  try {
    const r = new BinaryReader(frame)
    const n = r.u32()
    if (n === 0 || n > MAX_NOTICE_RECORDS) throw new RemovalNoticeError(`a removal notice of ${n} records (1 to ${MAX_NOTICE_RECORDS})`)
    const out: Uint8Array[] = []
    for (let i = 0; i < n; i++) out.push(Uint8Array.from(r.bytes(MAX_RECORD_BYTES)))
    r.end()
    return out
  } catch (err) {
    if (err instanceof RemovalNoticeError) throw err
    throw new RemovalNoticeError(`malformed removal notice: ${toError(err).message}`, { cause: err })
  }
}

async function within<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    const timeout = new Promise<T>(resolve => {
      timer = setTimeout(() => resolve(fallback), ms)
    })
    return await Promise.race([p, timeout])
  } finally {
    clearTimeout(timer)
  }
}

const short = (id: string): string => `${id.slice(0, 12)}…`

export interface RemovalNoticeOptions {
  selfId: string
  network: Pick<NetworkAdapter, 'handle' | 'openStream' | 'disconnect' | 'isConnected'> & {
    on: (event: 'peer-connected', listener: (deviceId: string) => void) => unknown
  }
  roster: Pick<Roster, 'allRecords' | 'receive' | 'isRevoked' | 'wasAdmitted' | 'isPeer' | 'device' | 'on' | 'root'>
  log: Log
}

export class RemovalNotice {
  /** per removed device: how often it was let in to be told this run */
  private readonly tells = new Map<string, number>()
  private readonly forgeriesLogged = new Set<string>()
  private readonly telling = new Set<string>()
  private removalLogged = false

  constructor(private readonly options: RemovalNoticeOptions) {
    const { roster, network } = options
    roster.on('changed', () => this.logRemoval())
    network.on('peer-connected', deviceId => {
      if (this.admits(deviceId)) void this.tell(deviceId)
    })
  }

  /** A removed device's sync stream was refused: tell it (again), unless a telling is under way. */
  onRefused(deviceId: string): void {
    if (this.admits(deviceId) && !this.telling.has(deviceId)) void this.tell(deviceId)
  }

  /** Whether this device was removed from the roster (its own copy says so). */
  get removed(): boolean {
    return this.options.roster.isRevoked(this.options.selfId)
  }

  /** Who removed this device and when; null while it is on the roster. */
  removal(): RemovalView | null {
    const { roster, selfId } = this.options
    if (!this.removed) return null
    const entry = roster.device(selfId)
    const by = entry?.revokedBy ?? ''
    const byName = by === selfId ? 'this device' : (roster.device(by)?.name ?? '') || 'a device'
    const at = entry?.revokedAt === undefined ? null : new Date(entry.revokedAt).toISOString()
    return { by, byName, at, message: removalText(byName, at) }
  }

  /** The gate's exception: a device removed from this roster, not yet told this often, on a device still on it. */
  admits(deviceId: string): boolean {
    const { roster } = this.options
    return !this.removed && roster.wasAdmitted(deviceId) && roster.isRevoked(deviceId) && (this.tells.get(deviceId) ?? 0) < MAX_TELLS
  }

  async serve(): Promise<void> {
    await this.options.network.handle(
      REMOVED_PROTOCOL,
      stream => {
        void this.accept(stream)
      },
      STREAM_OPTIONS
    )
  }

  /** Hands a connected removed device the records that removed it, then hangs up. */
  private async tell(deviceId: string): Promise<void> {
    const { network, roster, log } = this.options
    if (this.telling.has(deviceId)) return
    this.telling.add(deviceId)
    const count = (this.tells.get(deviceId) ?? 0) + 1
    if (this.tells.size > 1000) this.tells.clear()
    this.tells.set(deviceId, count)
    const name = roster.device(deviceId)?.name ?? ''
    const who = `${short(deviceId)}${name === '' ? '' : ` (${name})`}`
    let stream: FrameStream | undefined
    let status: number | undefined
    try {
      const proof = removalProof(roster.allRecords(), deviceId)
      if (proof.length === 0 || proof.length > MAX_NOTICE_RECORDS || !network.isConnected(deviceId)) return
      stream = await network.openStream(deviceId, [], REMOVED_PROTOCOL, { ...STREAM_OPTIONS, timeoutMs: READ_TIMEOUT_MS })
      await stream.write(encodeNotice(proof))
      status = (await within(stream.read(), READ_TIMEOUT_MS, undefined))?.[0]
    } catch (err) {
      log('debug', `devices: telling ${who} that it was removed failed: ${toError(err).message}`)
    } finally {
      await stream?.close().catch(() => {})
      this.telling.delete(deviceId)
    }
    // otherwise (an older version, a wiped device pairing again) the pairing service's grace for strangers closes it
    if (status === RemovalStatus.Taken) {
      await network.disconnect(deviceId)
      log('info', `devices: told ${who} that it was removed from the roster; it stops connecting`)
    } else if (count === 1) log('info', `devices: ${who} was removed from the roster and connected; it was told so but did not take it`)
  }

  private async accept(stream: FrameStream): Promise<void> {
    const from = stream.remote
    const { roster, log } = this.options
    if (this.removed || !roster.isPeer(from)) {
      stream.abort(new Error('not on the device roster'))
      return
    }
    let status = RemovalStatus.Refused
    try {
      const frame = await within(stream.read(), READ_TIMEOUT_MS, undefined)
      if (frame === undefined) return
      status = await this.take(from, decodeNotice(frame))
      await stream.write(Uint8Array.of(status))
    } catch (err) {
      this.logForgery(from, toError(err).message)
    } finally {
      await stream.close().catch(() => {})
    }
    if (status === RemovalStatus.Refused) log('debug', `devices: refused a removal notice from ${short(from)}`)
  }

  /** Stores `records` only when, with this roster copy, they remove this device. */
  async take(from: string, records: Uint8Array[]): Promise<RemovalStatus> {
    const { roster, selfId } = this.options
    let removesSelf = false
    try {
      removesSelf = removes(roster.allRecords(), records, roster.root, selfId)
    } catch (err) {
      this.logForgery(from, `a record does not parse (${toError(err).message})`)
      return RemovalStatus.Refused
    }
    if (!removesSelf) {
      this.logForgery(from, 'it does not remove this device by a device with authority')
      return RemovalStatus.Refused
    }
    await roster.receive(records, from)
    return this.removed ? RemovalStatus.Taken : RemovalStatus.Refused
  }

  private logForgery(from: string, why: string): void {
    if (this.forgeriesLogged.has(from)) return
    this.forgeriesLogged.add(from)
    this.options.log('warn', `devices: ignored a removal notice from ${short(from)}: ${why}`)
  }

  /** Once per run, when this device's roster first says it was removed. */
  private logRemoval(): void {
    const removal = this.removal()
    if (removal === null || this.removalLogged) return
    this.removalLogged = true
    this.options.log('warn', `devices: ${removal.message}`)
  }
}

/** "This device was removed from the roster by Laptop at 2026-…" and what that means. */
function removalText(byName: string, at: string | null): string {
  const what =
    byName === 'this device'
      ? 'This device removed itself from the roster'
      : `This device was removed from the roster by ${byName}${at === null ? '' : ` at ${at}`}`
  return `${what}. It no longer syncs or connects to any device; to use it with your vaults again, erase it (kith destroy) and pair it anew.`
}
