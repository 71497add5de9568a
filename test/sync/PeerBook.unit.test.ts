/**
 * The peer book: what mDNS announces is kept beside the addresses a device stated itself, never in
 * their place, bounded and rate-limited; a flood of bogus announcements neither evicts the address
 * that works nor writes storage more than a few times a minute. The last test goes through a whole
 * device (the composition root's wiring of discovery into the peer book).
 */
import { describe, it, expect, afterEach } from 'vitest'
import { MemoryStorageAdapter } from '../../daemon/storage/MemoryStorageAdapter.js'
import type { StorageOp } from '../../daemon/storage/StorageAdapter.js'
import { HEARD_CHANGES_PER_MINUTE, HEARD_MAX, PeerBook } from '../../daemon/sync/PeerBook.js'
import { MemoryNetwork } from '../../daemon/network/memory/MemoryNetwork.js'
import { SyncDevice, eventually } from './helpers/syncDevice.js'

const DEVICE = 'ab'.repeat(32)
const WORKS = '/ip4/192.168.1.20/tcp/4001'

/** Counts the writes that reach storage. */
class CountingStorage extends MemoryStorageAdapter {
  writes = 0
  override async put(key: string, value: Uint8Array): Promise<void> {
    this.writes++
    await super.put(key, value)
  }
  override async batch(ops: StorageOp[]): Promise<void> {
    this.writes++
    await super.batch(ops)
  }
}

function bogus(i: number): string[] {
  return Array.from({ length: 8 }, (_, j) => `/ip4/10.66.${i % 250}.${j}/tcp/${1000 + i}`)
}

describe('PeerBook', () => {
  it('a flood of announcements with bogus addresses keeps the stated address and writes at most a few times a minute', async () => {
    const storage = new CountingStorage()
    let clock = 1_000_000
    const book = new PeerBook(storage, () => clock)
    await book.update(DEVICE, [WORKS])
    const before = storage.writes
    for (let i = 0; i < 1000; i++) {
      await book.heard(DEVICE, bogus(i))
      clock += 10 // a thousand announcements in ten seconds
    }
    expect(storage.writes - before).toBeLessThanOrEqual(HEARD_CHANGES_PER_MINUTE)
    expect(book.addrs(DEVICE)[0]).toBe(WORKS)
    expect(book.get(DEVICE)?.heard.length).toBeLessThanOrEqual(HEARD_MAX)
    expect(book.addrs(DEVICE).length).toBeLessThan(25) // libp2p dials at most 25 addresses of a peer

    // a minute later announcements count again, still beside the stated address
    clock += 60_000
    expect(await book.heard(DEVICE, ['/ip4/192.168.1.77/tcp/4001'])).toBe(true)
    expect(book.addrs(DEVICE)).toEqual([WORKS, '/ip4/192.168.1.77/tcp/4001', ...(book.get(DEVICE)?.heard.slice(1) ?? [])])

    // and all of it survives a restart
    const reloaded = new PeerBook(storage)
    await reloaded.load()
    expect(reloaded.addrs(DEVICE)[0]).toBe(WORKS)
    expect(reloaded.get(DEVICE)?.heard[0]).toBe('/ip4/192.168.1.77/tcp/4001')
  })

  it('merges newest first, bounded, and repeating what is already heard writes nothing', async () => {
    const storage = new CountingStorage()
    let clock = 0
    const book = new PeerBook(storage, () => clock)
    await book.update(DEVICE, [WORKS])
    expect(await book.heard(DEVICE, ['/ip4/192.168.1.30/tcp/1'])).toBe(true)
    clock += 20_000
    expect(await book.heard(DEVICE, ['/ip4/192.168.1.31/tcp/1', WORKS])).toBe(true)
    expect(book.addrs(DEVICE)).toEqual([WORKS, '/ip4/192.168.1.31/tcp/1', '/ip4/192.168.1.30/tcp/1'])
    const writes = storage.writes
    for (let i = 0; i < 50; i++) expect(await book.heard(DEVICE, ['/ip4/192.168.1.31/tcp/1'])).toBe(false)
    expect(storage.writes).toBe(writes)
    clock += 60_000
    await book.heard(
      DEVICE,
      Array.from({ length: 20 }, (_, i) => `/ip4/192.168.2.${i}/tcp/1`)
    )
    expect(book.get(DEVICE)?.heard).toHaveLength(HEARD_MAX)
    expect(book.get(DEVICE)?.heard[0]).toBe('/ip4/192.168.2.0/tcp/1')
    expect(book.get(DEVICE)?.addrs).toEqual([WORKS])
  })

  it('what the device states itself replaces its stated addresses and takes heard ones it repeats out of the heard list', async () => {
    const book = new PeerBook(new MemoryStorageAdapter())
    await book.heard(DEVICE, ['/ip4/192.168.1.40/tcp/1', '/ip4/192.168.1.41/tcp/1'])
    expect(book.lastSeen(DEVICE)).toBe(0) // an announcement is not a sighting
    await book.update(DEVICE, ['/ip4/192.168.1.40/tcp/1'], 5)
    expect(book.get(DEVICE)).toEqual({ addrs: ['/ip4/192.168.1.40/tcp/1'], heard: ['/ip4/192.168.1.41/tcp/1'], told: {}, lastSeen: 5 })
  })

  it('skips malformed stored records and entries', async () => {
    const storage = new MemoryStorageAdapter()
    const enc = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v))
    await storage.put(
      DEVICE,
      enc({ addrs: [WORKS, 7, 'x'.repeat(600)], heard: 'nope', told: { short: [WORKS], [DEVICE]: 'nope' }, lastSeen: 'soon' })
    )
    await storage.put('cd'.repeat(32), new TextEncoder().encode('{not json'))
    const book = new PeerBook(storage)
    await book.load()
    expect(book.get(DEVICE)).toEqual({ addrs: [WORKS], heard: [], told: {}, lastSeen: 0 })
    expect(book.get('cd'.repeat(32))).toBeUndefined()
  })
})

describe('discovery on a whole device', () => {
  const devices: SyncDevice[] = []
  afterEach(async () => {
    for (const d of devices.splice(0)) await d.stop()
  })

  it('announcements for a paired device that is away do not replace the addresses it stated in its HELLO', async () => {
    const net = new MemoryNetwork()
    const a = await SyncDevice.create('A', net)
    const b = await SyncDevice.create('B', net)
    devices.push(a, b)
    await a.init()
    await b.joinFrom(a)
    await eventually(() => a.sync.engine.isOnline(b.id), 'B online on A')
    const stated = a.sync.peers.get(b.id)?.addrs
    expect(stated).toEqual([`/memory/${b.id}`])
    await a.partition(b)
    await eventually(() => !a.sync.engine.isOnline(b.id), 'B away')
    for (let i = 0; i < 200; i++) a.sync.network.emit('peer-discovered', b.id, bogus(i))
    await new Promise(resolve => setTimeout(resolve, 50))
    expect(a.sync.peers.addrs(b.id)[0]).toBe(`/memory/${b.id}`)
    expect(a.sync.peers.get(b.id)?.heard.length).toBeLessThanOrEqual(HEARD_MAX)
  })
})
