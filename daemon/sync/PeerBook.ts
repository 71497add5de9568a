/**
 * What this device remembers about its peers between runs: the addresses each one stated itself
 * (in its HELLO over an authenticated session, or in an invitation), the addresses other roster
 * devices told it (the address exchange, AddressExchange.ts), the addresses local discovery (mDNS)
 * announced for it, and when it was last connected.
 *
 * mDNS announcements are unauthenticated: anyone on the LAN can announce any device id with any
 * addresses. So what discovery hears is kept beside the stated addresses, never in their place:
 * at most HEARD_MAX of them, newest first, and an announcement may change that list (and write
 * storage) at most HEARD_CHANGES_PER_MINUTE times a minute per device; announcements past that are
 * ignored.
 *
 * What a roster device tells about another is kept per teller (TOLD_MAX addresses each, at most
 * MAX_TELLERS tellers per device, the least recently updated dropped first), so one lying peer
 * cannot push out what an honest one said; a teller may change its list for a device at most
 * TOLD_CHANGES_PER_MINUTE times a minute. Dials try the stated addresses first, then the told ones
 * (one of each teller in turn), then the heard ones, MAX_DIAL_ADDRS in all (under libp2p's 25 per
 * dial, with room for relayed addresses).
 *
 * Storage: the sync/peer/ view, JSON {"addrs": [...], "heard": [...], "told": {teller: [...]},
 * "lastSeen": ms} per device (peerBookLayout).
 */
import type { StorageAdapter } from '../storage/StorageAdapter.js'
import { peerBookLayout } from '../storage/storageLayout.js'

export interface PeerRecord {
  /** what the device stated itself (HELLO, invitation) */
  addrs: string[]
  /** what discovery announced for it, newest first */
  heard: string[]
  /** what other roster devices told about it, by teller (least recently updated first) */
  told: Record<string, string[]>
  lastSeen: number
}

export const STATED_MAX = 16
export const HEARD_MAX = 8
export const HEARD_CHANGES_PER_MINUTE = 4
export const TOLD_MAX = 8
export const MAX_TELLERS = 16
export const TOLD_CHANGES_PER_MINUTE = 4
export const MAX_DIAL_ADDRS = 20
const MAX_ADDR_LENGTH = 512

function cleanList(value: unknown, max: number): string[] {
  if (!Array.isArray(value)) return []
  return [...new Set(value.filter((a): a is string => typeof a === 'string' && a.length > 0 && a.length <= MAX_ADDR_LENGTH))].slice(0, max)
}

function cleanTold(value: unknown): Record<string, string[]> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {}
  const out: Record<string, string[]> = {}
  for (const [teller, list] of Object.entries(value).slice(-MAX_TELLERS)) {
    const clean = cleanList(list, TOLD_MAX)
    if (/^[0-9a-f]{64}$/.test(teller) && clean.length > 0) out[teller] = clean
  }
  return out
}

/** One address of each list in turn: [[a1, a2], [b1]] → [a1, b1, a2]. */
function interleave(lists: string[][]): string[] {
  const out: string[] = []
  for (let i = 0; lists.some(l => i < l.length); i++) for (const l of lists) if (i < l.length) out.push(l[i] as string)
  return out
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

export class PeerBook {
  private readonly peers = new Map<string, PeerRecord>()
  /** per device: when announcements last changed its heard list (within the last minute) */
  private readonly heardChanges = new Map<string, number[]>()
  /** per device and teller: when what it told changed (within the last minute) */
  private readonly toldChanges = new Map<string, number[]>()

  /**
   * @param storage the sync/peer/ view (storageViews(root).peerBook)
   * @param now the clock (tests step it)
   */
  constructor(
    private readonly storage: StorageAdapter,
    private readonly now: () => number = Date.now
  ) {}

  async load(): Promise<void> {
    for await (const [key, value] of this.storage.entries(peerBookLayout.peers)) {
      try {
        const rec = JSON.parse(new TextDecoder().decode(value)) as Partial<Record<keyof PeerRecord, unknown>>
        const addrs = cleanList(rec.addrs, STATED_MAX)
        this.peers.set(key, {
          addrs,
          heard: cleanList(rec.heard, HEARD_MAX).filter(a => !addrs.includes(a)),
          told: cleanTold(rec.told),
          lastSeen: typeof rec.lastSeen === 'number' ? rec.lastSeen : 0
        })
      } catch {}
    }
  }

  get(deviceId: string): PeerRecord | undefined {
    return this.peers.get(deviceId)
  }
  /** The addresses to dial a device at: the ones it stated first, then the told ones, then the heard ones (newest first). */
  addrs(deviceId: string): string[] {
    const rec = this.peers.get(deviceId)
    if (rec === undefined) return []
    return [...new Set([...rec.addrs, ...interleave(Object.values(rec.told)), ...rec.heard])].slice(0, MAX_DIAL_ADDRS)
  }
  lastSeen(deviceId: string): number | undefined {
    return this.peers.get(deviceId)?.lastSeen
  }

  /**
   * Remembers the addresses a device stated itself (they replace its older stated ones; heard ones
   * they repeat are dropped) and when it was seen; persists.
   */
  async update(deviceId: string, addrs: string[] | undefined, seen = this.now()): Promise<void> {
    const old = this.peers.get(deviceId)
    const stated = addrs === undefined || addrs.length === 0 ? (old?.addrs ?? []) : cleanList(addrs, STATED_MAX)
    const rec = {
      addrs: stated,
      heard: (old?.heard ?? []).filter(a => !stated.includes(a)),
      told: old?.told ?? {},
      lastSeen: Math.max(seen, old?.lastSeen ?? 0)
    }
    await this.save(deviceId, rec)
  }

  /**
   * Adds what discovery announced for a device in front of its heard addresses (bounded; stated
   * addresses are never touched), unless announcements already changed them too often this
   * minute. Does not count as seeing the device. Resolves whether the list changed.
   */
  async heard(deviceId: string, announced: string[]): Promise<boolean> {
    const old = this.peers.get(deviceId) ?? { addrs: [], heard: [], told: {}, lastSeen: 0 }
    const fresh = cleanList(announced, HEARD_MAX).filter(a => !old.addrs.includes(a))
    const heard = [...new Set([...fresh, ...old.heard])].slice(0, HEARD_MAX)
    if (sameList(heard, old.heard)) return false
    const now = this.now()
    const recent = (this.heardChanges.get(deviceId) ?? []).filter(t => now - t < 60_000)
    if (recent.length >= HEARD_CHANGES_PER_MINUTE) {
      this.heardChanges.set(deviceId, recent)
      return false
    }
    recent.push(now)
    this.heardChanges.set(deviceId, recent)
    await this.save(deviceId, { ...old, heard })
    return true
  }

  /**
   * Replaces what `teller` (a roster device, over an authenticated stream) said a device's
   * addresses are (bounded; the caller checked both are roster devices and the addresses are
   * dialable), unless that teller already changed them too often this minute. Does not count as
   * seeing the device. Resolves whether the list changed.
   */
  async told(deviceId: string, teller: string, addrs: string[]): Promise<boolean> {
    const old = this.peers.get(deviceId) ?? { addrs: [], heard: [], told: {}, lastSeen: 0 }
    const list = cleanList(addrs, TOLD_MAX)
    if (sameList(list, old.told[teller] ?? [])) return false
    const key = `${deviceId}:${teller}`
    const now = this.now()
    const recent = (this.toldChanges.get(key) ?? []).filter(t => now - t < 60_000)
    if (recent.length >= TOLD_CHANGES_PER_MINUTE) {
      this.toldChanges.set(key, recent)
      return false
    }
    recent.push(now)
    if (this.toldChanges.size > 10_000) this.toldChanges.clear()
    this.toldChanges.set(key, recent)
    const told = Object.fromEntries(Object.entries(old.told).filter(([t]) => t !== teller))
    if (list.length > 0) told[teller] = list
    const kept = Object.entries(told).slice(-MAX_TELLERS)
    await this.save(deviceId, { ...old, told: Object.fromEntries(kept) })
    return true
  }

  async forget(deviceId: string): Promise<void> {
    this.peers.delete(deviceId)
    this.heardChanges.delete(deviceId)
    for (const key of this.toldChanges.keys()) if (key.startsWith(`${deviceId}:`)) this.toldChanges.delete(key)
    await this.storage.del(peerBookLayout.peer(deviceId))
  }

  private async save(deviceId: string, rec: PeerRecord): Promise<void> {
    this.peers.set(deviceId, rec)
    await this.storage.put(peerBookLayout.peer(deviceId), new TextEncoder().encode(JSON.stringify(rec)))
  }
}
