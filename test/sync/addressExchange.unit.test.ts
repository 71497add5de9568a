/**
 * The address exchange seen as an attacker would use it: a message over any cap is refused whole;
 * entries for devices off the receiver's roster (or about itself, or the teller) are dropped, and so
 * are addresses that are not a literal IP and TCP port; a device off the roster is refused before
 * anything is read, and is told nothing; what a lying paired device says sits beside what an
 * honest one said and never in its place, and persists like every remembered address.
 */
import { describe, it, expect } from 'vitest'
import { BinaryWriter } from '../../daemon/codec/BinaryWriter.js'
import {
  AddressMessageError,
  decodeAddrs,
  dialable,
  encodeAddrs,
  MAX_ADDRESS_BYTES,
  MAX_ADDRS_FRAME,
  MAX_ADDRS_PER_ENTRY,
  MAX_ENTRIES
} from '../../daemon/sync/addressMessage.js'
import { AddressExchange, ADDRS_PROTOCOL } from '../../daemon/sync/AddressExchange.js'
import { MAX_DIAL_ADDRS, MAX_TELLERS, PeerBook, TOLD_CHANGES_PER_MINUTE, TOLD_MAX } from '../../daemon/sync/PeerBook.js'
import { MemoryStorageAdapter } from '../../daemon/storage/MemoryStorageAdapter.js'
import type { FrameStream, StreamHandler } from '../../daemon/network/NetworkAdapter.js'

const id = (c: string): string => c.repeat(64)
const SELF = id('0')
const A = id('a')
const B = id('b')
const D = id('d')
const STRANGER = id('e')
const D_ADDR = '/ip4/127.0.0.1/tcp/40123'

describe('the ADDRS message', () => {
  it('round-trips and refuses a message over any cap, whole', () => {
    const entries = [{ device: D, addrs: [D_ADDR, '/ip6/::1/tcp/40124'] }]
    expect(decodeAddrs(encodeAddrs(entries))).toEqual(entries)

    const tooMany = new BinaryWriter().u32(MAX_ENTRIES + 1)
    expect(() => decodeAddrs(tooMany.finish())).toThrow(AddressMessageError)

    const wideEntry = new BinaryWriter()
      .u32(1)
      .hex(D, 32)
      .u8(MAX_ADDRS_PER_ENTRY + 1)
    for (let i = 0; i <= MAX_ADDRS_PER_ENTRY; i++) wideEntry.string(`/ip4/10.0.0.${i}/tcp/1`)
    expect(() => decodeAddrs(wideEntry.finish())).toThrow(/exceeds 8/)

    const longAddr = new BinaryWriter()
      .u32(1)
      .hex(D, 32)
      .u8(1)
      .string(`/ip4/10.0.0.1/tcp/1${'0'.repeat(MAX_ADDRESS_BYTES)}`)
    expect(() => decodeAddrs(longAddr.finish())).toThrow(AddressMessageError)

    expect(() => decodeAddrs(new Uint8Array(MAX_ADDRS_FRAME + 1))).toThrow(/exceeds/)
    const trailing = new Uint8Array([...encodeAddrs(entries), 0])
    expect(() => decodeAddrs(trailing)).toThrow(/malformed ADDRS message/)
    expect(() => decodeAddrs(new Uint8Array([0, 0, 0, 1, 1, 2]))).toThrow(AddressMessageError)
  })

  it('the sender keeps within the caps however much it knows', () => {
    const many = Array.from({ length: MAX_ENTRIES + 10 }, (_, i) => ({
      device: i.toString(16).padStart(64, '0'),
      addrs: Array.from({ length: 20 }, (_, j) => `/ip4/10.0.${i % 250}.${j}/tcp/1`)
    }))
    const decoded = decodeAddrs(encodeAddrs(many))
    expect(decoded).toHaveLength(MAX_ENTRIES)
    expect(decoded.every(e => e.addrs.length === MAX_ADDRS_PER_ENTRY)).toBe(true)
  })

  it('only a literal IP with a TCP port is dialable: DNS, relays, /p2p/ suffixes, wildcards and other transports are dropped', () => {
    for (const ok of [D_ADDR, '/ip4/192.168.1.20/tcp/4001', '/ip6/::1/tcp/1', '/ip6/fe80::1/tcp/65535']) expect(dialable(ok), ok).toBe(true)
    for (const bad of [
      '/dns4/evil.example/tcp/4001',
      '/dns/evil.example/tcp/4001',
      `/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWQ`,
      '/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWQ/p2p-circuit',
      '/p2p-circuit',
      '/unix/tmp/socket',
      '/memory/abc',
      '/ip4/127.0.0.1/udp/4001/quic-v1',
      '/ip4/0.0.0.0/tcp/4001',
      '/ip4/255.255.255.255/tcp/4001',
      '/ip4/224.0.0.251/tcp/5353',
      '/ip6/::/tcp/4001',
      '/ip6/ff02::1/tcp/4001',
      '/ip4/127.0.0.1/tcp/0',
      '/ip4/127.0.0.1/tcp/65536',
      '/ip4/127.0.0.1/tcp/0080',
      '/ip4/999.1.1.1/tcp/4001',
      '/ip4/127.0.0.1/tcp/4001/ws',
      'garbage'
    ])
      expect(dialable(bad), bad).toBe(false)
  })
})

/** One side of a stream that holds one frame, records whether it was aborted or read. */
function inbound(remote: string, frame: Uint8Array): FrameStream & { aborted: boolean; reads: number } {
  const s = {
    remote,
    aborted: false,
    reads: 0,
    read: async () => {
      s.reads++
      return s.reads === 1 ? frame : undefined
    },
    write: async () => {},
    close: async () => {},
    abort: () => {
      s.aborted = true
    }
  }
  return s
}

function exchange(options: { members?: string[]; peers?: PeerBook; connected?: string[] } = {}) {
  const members = options.members ?? [SELF, A, B, D]
  const peers = options.peers ?? new PeerBook(new MemoryStorageAdapter())
  const dialled: string[] = []
  const sent: Array<{ to: string; frame: Uint8Array }> = []
  let handler: StreamHandler | undefined
  const ex = new AddressExchange({
    network: {
      deviceId: SELF,
      handle: async (_p, h) => {
        handler = h
      },
      openStream: async (to, _addrs, protocol) => {
        expect(protocol).toBe(ADDRS_PROTOCOL)
        return { ...inbound(to, new Uint8Array()), write: async (frame: Uint8Array) => void sent.push({ to, frame }) }
      }
    },
    peers,
    members: () => members,
    isMember: d => members.includes(d),
    connected: () => options.connected ?? [],
    dial: d => void dialled.push(d),
    log: () => {}
  })
  const serve = async (): Promise<StreamHandler> => {
    await ex.serve()
    return handler as StreamHandler
  }
  return { ex, peers, dialled, sent, serve }
}

describe('AddressExchange', () => {
  it('keeps only entries for other devices on its own roster, at dialable addresses, and dials them', async () => {
    const { ex, peers, dialled } = exchange()
    const kept = await ex.take(A, [
      { device: D, addrs: [D_ADDR, '/dns4/evil.example/tcp/1', '/ip4/0.0.0.0/tcp/2'] },
      { device: STRANGER, addrs: ['/ip4/10.9.9.9/tcp/1'] },
      { device: SELF, addrs: ['/ip4/10.9.9.8/tcp/1'] },
      { device: A, addrs: ['/ip4/10.9.9.7/tcp/1'] },
      { device: B, addrs: ['/unix/tmp/x'] },
      { device: D, addrs: ['/ip4/10.9.9.6/tcp/1'] }
    ])
    expect(kept).toBe(1)
    expect(peers.addrs(D)).toEqual([D_ADDR])
    for (const d of [STRANGER, SELF, A, B]) expect(peers.get(d)).toBeUndefined()
    expect(dialled).toEqual([D])
  })

  it('refuses a stream from a device off its roster before reading it', async () => {
    const { serve, peers } = exchange()
    const handler = await serve()
    const stream = inbound(STRANGER, encodeAddrs([{ device: D, addrs: [D_ADDR] }]))
    handler(stream)
    await new Promise(resolve => setTimeout(resolve, 10))
    expect(stream.aborted).toBe(true)
    expect(stream.reads).toBe(0)
    expect(peers.get(D)).toBeUndefined()
    // a roster member's message is read and kept
    const fromA = inbound(A, encodeAddrs([{ device: D, addrs: [D_ADDR] }]))
    handler(fromA)
    await new Promise(resolve => setTimeout(resolve, 10))
    expect(peers.addrs(D)).toEqual([D_ADDR])
  })

  it('a message over a cap from a member changes nothing', async () => {
    const { serve, peers } = exchange()
    const handler = await serve()
    const tooMany = new BinaryWriter().u32(MAX_ENTRIES + 1)
    for (let i = 0; i <= MAX_ENTRIES; i++) tooMany.hex(D, 32).u8(1).string(D_ADDR)
    handler(inbound(A, tooMany.finish()))
    await new Promise(resolve => setTimeout(resolve, 10))
    expect(peers.get(D)).toBeUndefined()
  })

  it('tells a new peer where the others are (only what they stated themselves), and the others where it is; a non-member is told nothing', async () => {
    const peers = new PeerBook(new MemoryStorageAdapter())
    await peers.update(B, ['/ip4/127.0.0.1/tcp/1111', '/dns4/b.example/tcp/1'])
    await peers.update(D, [D_ADDR])
    await peers.told(A, B, ['/ip4/10.1.1.1/tcp/1'])
    await peers.heard(A, ['/ip4/10.1.1.2/tcp/1'])
    const { ex, sent } = exchange({ peers, connected: [B, D] })
    ex.onConnected(D)
    await new Promise(resolve => setTimeout(resolve, 10))
    const toD = sent.filter(s => s.to === D).map(s => decodeAddrs(s.frame))
    expect(toD).toEqual([[{ device: B, addrs: ['/ip4/127.0.0.1/tcp/1111'] }]])
    const toB = sent.filter(s => s.to === B).map(s => decodeAddrs(s.frame))
    expect(toB).toEqual([[{ device: D, addrs: [D_ADDR] }]])

    sent.length = 0
    ex.onConnected(STRANGER)
    await new Promise(resolve => setTimeout(resolve, 10))
    expect(sent.filter(s => s.to === STRANGER)).toEqual([])
    expect(ex.entriesFor(D).map(e => e.device)).not.toContain(SELF)
  })
})

describe('PeerBook: what roster devices told', () => {
  it('a lying teller sits beside an honest one, never in its place, and the stated addresses come first', async () => {
    const book = new PeerBook(new MemoryStorageAdapter())
    await book.told(D, A, [D_ADDR])
    const lies = Array.from({ length: 20 }, (_, i) => `/ip4/10.66.0.${i}/tcp/1`)
    await book.told(D, B, lies)
    expect(book.get(D)?.told[B]).toHaveLength(TOLD_MAX)
    const dial = book.addrs(D)
    expect(dial.slice(0, 2)).toEqual([D_ADDR, lies[0]])
    await book.update(D, ['/ip4/192.168.1.5/tcp/9'])
    expect(book.addrs(D)[0]).toBe('/ip4/192.168.1.5/tcp/9')
    expect(book.addrs(D)).toContain(D_ADDR)
    expect(book.addrs(D).length).toBeLessThanOrEqual(MAX_DIAL_ADDRS)
  })

  it('a teller changes its list for a device a few times a minute at most; tellers are bounded', async () => {
    let clock = 1_000_000
    const book = new PeerBook(new MemoryStorageAdapter(), () => clock)
    let changes = 0
    for (let i = 0; i < 50; i++) if (await book.told(D, A, [`/ip4/10.0.0.${i}/tcp/1`])) changes++
    expect(changes).toBe(TOLD_CHANGES_PER_MINUTE)
    clock += 61_000
    expect(await book.told(D, A, [D_ADDR])).toBe(true)
    for (let i = 0; i < MAX_TELLERS + 5; i++) await book.told(D, i.toString(16).padStart(64, '1'), [`/ip4/10.1.0.${i}/tcp/1`])
    expect(Object.keys(book.get(D)?.told ?? {})).toHaveLength(MAX_TELLERS)
  })

  it('persists what it was told and reads it back', async () => {
    const storage = new MemoryStorageAdapter()
    const book = new PeerBook(storage)
    await book.told(D, A, [D_ADDR])
    const again = new PeerBook(storage)
    await again.load()
    expect(again.addrs(D)).toEqual([D_ADDR])
    expect(again.get(D)?.told).toEqual({ [A]: [D_ADDR] })
  })
})
