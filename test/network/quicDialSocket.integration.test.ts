/**
 * Why Kith does not hole punch over QUIC (docs/decisions/0019-no-quic-hole-punching-yet.md), on
 * real libp2p nodes over 127.0.0.1 with @chainsafe/libp2p-quic, the only QUIC transport for js-libp2p
 * 3: a dial leaves from a UDP socket of its own, not from the listener's, and that socket accepts no
 * connection. A NAT maps the dialing socket, so the address the other side observes (and DCUtR would
 * offer) leads to a socket that refuses every connection, while the listener's port is never mapped.
 * When an upgrade makes dials leave from the listener's socket (ChainSafe/js-libp2p-quic#68), these
 * assertions fail: then wire QUIC into Libp2pNetwork and try the NAT lab again.
 */
import '../../daemon/polyfills.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLibp2p, type Libp2p } from 'libp2p'
import { quic } from '@chainsafe/libp2p-quic'
import { multiaddr } from '@multiformats/multiaddr'

const nodes: Libp2p[] = []
async function quicNode(): Promise<Libp2p> {
  const node = await createLibp2p({ addresses: { listen: ['/ip4/127.0.0.1/udp/0/quic-v1'] }, transports: [quic()] })
  nodes.push(node)
  return node
}
const udpPort = (addr: string): number => Number(/\/udp\/(\d+)\//.exec(addr)?.[1])

describe('QUIC dials with @chainsafe/libp2p-quic', () => {
  let x: Libp2p
  let y: Libp2p
  let listenPort = 0
  let dialledFrom = 0
  beforeAll(async () => {
    x = await quicNode()
    y = await quicNode()
    listenPort = udpPort(x.getMultiaddrs()[0]?.toString() ?? '')
    await x.dial(y.getMultiaddrs()[0] ?? multiaddr('/'), { signal: AbortSignal.timeout(5000) })
    // the dialled side registers its inbound connection a moment after the dial returns (slower under load)
    const deadline = Date.now() + 10_000
    while (y.getConnections(x.peerId).length === 0 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20))
    dialledFrom = udpPort(y.getConnections(x.peerId)[0]?.remoteAddr.toString() ?? '')
  })
  afterAll(async () => {
    await Promise.all(nodes.map(n => n.stop()))
  })

  it('leave from a UDP port other than the one the node listens on', () => {
    expect(listenPort).toBeGreaterThan(0)
    expect(dialledFrom).toBeGreaterThan(0)
    expect(dialledFrom).not.toBe(listenPort)
  })

  it('leave from a socket that accepts no connection, while the listener does', async () => {
    const observed = multiaddr(`/ip4/127.0.0.1/udp/${dialledFrom}/quic-v1/p2p/${x.peerId.toString()}`)
    // no handshake answers: the dial runs until its deadline
    await expect(y.dial(observed, { force: true, signal: AbortSignal.timeout(3000) })).rejects.toThrow(/timeout|aborted/i)
    const listener = multiaddr(`/ip4/127.0.0.1/udp/${listenPort}/quic-v1/p2p/${x.peerId.toString()}`)
    const direct = await y.dial(listener, { force: true, signal: AbortSignal.timeout(5000) })
    expect(udpPort(direct.remoteAddr.toString())).toBe(listenPort)
  })
})
