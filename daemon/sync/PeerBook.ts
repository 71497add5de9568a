/**
 * What this device remembers about its peers between runs: the addresses each one last announced
 * (so a restarted daemon can dial the devices it knew) and when it was last seen.
 * Storage: the sync/peer/ view, JSON {"addrs": [...], "lastSeen": ms} per device (peerBookLayout).
 */
import type { StorageAdapter } from '../storage/StorageAdapter.js'
import { peerBookLayout } from '../storage/storageLayout.js'

export interface PeerRecord {
  addrs: string[]
  lastSeen: number
}

export class PeerBook {
  private readonly peers = new Map<string, PeerRecord>()

  /** @param storage the sync/peer/ view (storageViews(root).peerBook) */
  constructor(private readonly storage: StorageAdapter) {}

  async load(): Promise<void> {
    for await (const [key, value] of this.storage.entries(peerBookLayout.peers)) {
      try {
        const rec = JSON.parse(new TextDecoder().decode(value)) as Partial<PeerRecord>
        this.peers.set(key, {
          addrs: Array.isArray(rec.addrs) ? rec.addrs.filter(a => typeof a === 'string').slice(0, 32) : [],
          lastSeen: typeof rec.lastSeen === 'number' ? rec.lastSeen : 0
        })
      } catch {}
    }
  }

  get(deviceId: string): PeerRecord | undefined {
    return this.peers.get(deviceId)
  }
  addrs(deviceId: string): string[] {
    return this.peers.get(deviceId)?.addrs ?? []
  }
  lastSeen(deviceId: string): number | undefined {
    return this.peers.get(deviceId)?.lastSeen
  }

  /** Remembers the addresses a device announced (they replace older ones) and when it was seen; persists. */
  async update(deviceId: string, addrs: string[] | undefined, seen = Date.now()): Promise<void> {
    const old = this.peers.get(deviceId)
    const next = addrs === undefined || addrs.length === 0 ? (old?.addrs ?? []) : [...new Set(addrs)].slice(0, 16)
    const rec = { addrs: next, lastSeen: Math.max(seen, old?.lastSeen ?? 0) }
    this.peers.set(deviceId, rec)
    await this.storage.put(peerBookLayout.peer(deviceId), new TextEncoder().encode(JSON.stringify(rec)))
  }

  async forget(deviceId: string): Promise<void> {
    this.peers.delete(deviceId)
    await this.storage.del(peerBookLayout.peer(deviceId))
  }
}
