/**
 * What a lying paired device can do with the address exchange, on real libp2p over 127.0.0.1: it
 * tells B that its paired device D listens where another node E does. B dials that address and the
 * Noise handshake fails (E cannot prove D's key), so B neither talks to E as D nor gives E anything;
 * once D itself is reachable, B finds it at the address D stated, beside the lie.
 */
import { describe, it, expect, afterEach } from 'vitest'
import { SyncDevice, eventually } from './helpers/syncDevice.js'

const devices: SyncDevice[] = []
afterEach(async () => {
  for (const d of devices.splice(0)) await d.stop()
})

async function device(name: string): Promise<SyncDevice> {
  const d = await SyncDevice.create(name, 'libp2p')
  devices.push(d)
  return d
}

describe('told addresses', () => {
  it('a wrong address costs a dial that Noise refuses: B never talks to the node there as D', async () => {
    const [a, b, d] = [await device('A'), await device('B'), await device('D')]
    await a.init()
    await b.joinFrom(a)
    await d.joinFrom(a)
    await eventually(() => b.sync.roster.isMember(d.id), 'B to know D from the roster', 10_000)
    // D goes away; E, a node of its own (a stranger to this roster), listens elsewhere
    await d.stop()
    const e = await device('E')
    await e.init()
    // an open invitation makes E's gate let anyone in: only B's side of Noise can stop the dial now
    e.sync.devices.invite()
    const lie = e.sync.network.multiaddrs()
    expect(lie.length).toBeGreaterThan(0)
    // A (a paired device) tells B that D is where E is
    expect(await b.sync.exchange.take(a.id, [{ device: d.id, addrs: lie }])).toBe(1)
    expect(b.sync.peers.get(d.id)?.told[a.id]).toEqual(lie)
    await b.sync.engine.dial(d.id)
    await eventually(() => b.logs.some(l => l.message.includes('EncryptionFailedError')), 'the dial to reach E', 10_000)
    expect(b.sync.engine.isOnline(d.id)).toBe(false)
    expect(b.sync.network.isConnected(e.id)).toBe(false)
    expect(e.sync.network.isConnected(b.id)).toBe(false)
    expect(e.sync.engine.connected()).toEqual([])
    // the dial reached E, and Noise ended it: E's key is not D's
    expect(
      b.logs.some(l => /dialling .* failed .*EncryptionFailedError.*does not match expected remote identity key/.test(l.message))
    ).toBe(true)
    // D back (at the port it had): B finds it, the lie notwithstanding
    await d.restart()
    await b.sync.engine.connect(d.id, [])
    await eventually(() => b.sync.engine.isOnline(d.id), 'B and D online', 15_000)
  })
})
