/**
 * The relay watchdog (network/libp2p/relayWatchdog.ts) on real libp2p nodes over TCP on 127.0.0.1:
 * a relay refuses a device's first reservation (as a backup peer does before the roster that admits
 * the device reaches it); once it would accept, the device holds a relayed address again only with
 * the watchdog — libp2p alone never asks a second time on the same connection.
 */
import '../../daemon/polyfills.js'
import { afterEach, describe, expect, it } from 'vitest'
import { createLibp2p, type Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { idlePeerRouting } from '../../daemon/network/libp2p/idlePeerRouting.js'
import { watchRelayReservation } from '../../daemon/network/libp2p/relayWatchdog.js'

const nodes: Libp2p[] = []
const stops: Array<() => void> = []
afterEach(async () => {
  for (const stop of stops.splice(0)) stop()
  await Promise.all(nodes.splice(0).map(n => n.stop()))
})

async function relay(admit: () => boolean): Promise<Libp2p> {
  const node = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyInboundRelayReservation: () => !admit() },
    services: { identify: identify(), relay: circuitRelayServer({ reservations: { maxReservations: 8 } }) }
  })
  nodes.push(node)
  return node
}

async function device(): Promise<Libp2p> {
  const node = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0', '/p2p-circuit'] },
    transports: [tcp(), circuitRelayTransport({ reservationConcurrency: 2 })],
    peerRouters: [idlePeerRouting()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify() }
  })
  nodes.push(node)
  return node
}

const relayed = (node: Libp2p): boolean => node.getMultiaddrs().some(a => a.toString().includes('/p2p-circuit'))
const waitFor = async (test: () => boolean, ms: number): Promise<boolean> => {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (test()) return true
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  return test()
}

async function refusedFirst(withWatchdog: boolean): Promise<boolean> {
  let admit = false
  const server = await relay(() => admit)
  const client = await device()
  if (withWatchdog) stops.push(watchRelayReservation(client, { intervalMs: 500 }))
  await client.dial(server.getMultiaddrs()[0] as never)
  // the first reservation is refused
  expect(await waitFor(() => relayed(client), 2000)).toBe(false)
  admit = true
  return await waitFor(() => relayed(client), 6000)
}

describe('relay watchdog', () => {
  it('without it, a device refused once never gets a relayed address on that connection', async () => {
    expect(await refusedFirst(false)).toBe(false)
  }, 20_000)

  it('with it, the device asks again and holds a relayed address once the relay admits it', async () => {
    expect(await refusedFirst(true)).toBe(true)
  }, 20_000)
})
