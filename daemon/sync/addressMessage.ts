/**
 * The ADDRS message of the address exchange (AddressExchange.ts): a device tells a roster peer the
 * addresses other roster devices stated to it. One frame:
 *
 *   addrs := u32 n • n × (device(32) • u8 m • m × string(address))     string := u32 length • UTF-8
 *
 * Caps (a message over any of them is refused whole): MAX_ENTRIES entries, MAX_ADDRS_PER_ENTRY
 * addresses per entry, MAX_ADDRESS_BYTES per address, MAX_ADDRS_FRAME bytes in all. What survives
 * decoding is filtered by `dialable`: only `/ip4/…/tcp/PORT` and `/ip6/…/tcp/PORT` with a literal,
 * non-wildcard, non-multicast address; DNS names, relays, `/p2p/` suffixes and other transports
 * are dropped.
 */
import { isIPv4, isIPv6 } from 'node:net'
import { BinaryReader } from '../codec/BinaryReader.js'
import { BinaryWriter } from '../codec/BinaryWriter.js'
import { toError } from '../toError.js'

export const MAX_ENTRIES = 64
export const MAX_ADDRS_PER_ENTRY = 8
export const MAX_ADDRESS_BYTES = 256
export const MAX_ADDRS_FRAME = 64 * 1024

export interface AddressEntry {
  /** the device the addresses belong to */
  device: string
  addrs: string[]
}

/** An ADDRS message that does not parse or breaks a cap. */
export class AddressMessageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'AddressMessageError'
  }
}

export function encodeAddrs(entries: AddressEntry[]): Uint8Array {
  const list = entries.slice(0, MAX_ENTRIES)
  const w = new BinaryWriter().u32(list.length)
  for (const e of list) {
    const addrs = e.addrs.filter(a => Buffer.byteLength(a) <= MAX_ADDRESS_BYTES).slice(0, MAX_ADDRS_PER_ENTRY)
    w.hex(e.device, 32).u8(addrs.length)
    for (const a of addrs) w.string(a)
  }
  return w.finish()
}

export function decodeAddrs(frame: Uint8Array): AddressEntry[] {
  if (frame.length > MAX_ADDRS_FRAME) throw new AddressMessageError(`an ADDRS message of ${frame.length} bytes exceeds ${MAX_ADDRS_FRAME}`)
  try {
    const r = new BinaryReader(frame)
    const n = r.u32()
    if (n > MAX_ENTRIES) throw new AddressMessageError(`an ADDRS message of ${n} entries exceeds ${MAX_ENTRIES}`)
    const out: AddressEntry[] = []
    for (let i = 0; i < n; i++) {
      const device = r.hex(32)
      const m = r.u8()
      if (m > MAX_ADDRS_PER_ENTRY) throw new AddressMessageError(`an ADDRS entry of ${m} addresses exceeds ${MAX_ADDRS_PER_ENTRY}`)
      const addrs: string[] = []
      for (let j = 0; j < m; j++) addrs.push(r.string(MAX_ADDRESS_BYTES))
      out.push({ device, addrs })
    }
    r.end()
    return out
  } catch (err) {
    if (err instanceof AddressMessageError) throw err
    throw new AddressMessageError(`malformed ADDRS message: ${toError(err).message}`, { cause: err })
  }
}

const IP_TCP = /^\/(ip4|ip6)\/([^/]+)\/tcp\/(\d{1,5})$/

/** Whether an address told by a peer may be dialled: a literal IP (not a wildcard or multicast) and a TCP port. */
export function dialable(address: string): boolean {
  const m = IP_TCP.exec(address)
  if (m === null) return false
  const [, family, host, port] = m as unknown as [string, string, string, string]
  const p = Number(port)
  if (p < 1 || p > 65_535 || String(p) !== port) return false
  if (family === 'ip4') {
    if (!isIPv4(host) || host === '0.0.0.0' || host === '255.255.255.255') return false
    const first = Number(host.split('.')[0])
    return first < 224
  }
  if (!isIPv6(host)) return false
  const lower = host.toLowerCase()
  return lower !== '::' && !lower.startsWith('ff')
}
