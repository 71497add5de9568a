/**
 * A removed device learns that it was removed and stops dialling, as whole devices over the memory
 * network (fast redials: 20 ms doubling to 200 ms, so a device that kept dialling would try many
 * times in a second): removed while away, it is told when it comes back; removed while connected,
 * it learns by sync. Either way it opens no stream afterwards and the roster device tells it once.
 */
import { describe, it, expect, afterEach } from 'vitest'
import { MemoryNetwork } from '../../daemon/network/memory/MemoryNetwork.js'
import { SyncDevice, eventually } from '../sync/helpers/syncDevice.js'
import type { FrameStream } from '../../daemon/network/NetworkAdapter.js'

const devices: SyncDevice[] = []
afterEach(async () => {
  for (const d of devices.splice(0)) await d.stop()
})

async function pair(): Promise<[SyncDevice, SyncDevice]> {
  const net = new MemoryNetwork()
  const [a, b] = [await SyncDevice.create('Laptop', net), await SyncDevice.create('Phone', net)]
  devices.push(a, b)
  await a.init()
  await b.joinFrom(a)
  await eventually(() => a.sync.engine.isOnline(b.id) && b.sync.engine.isOnline(a.id), 'A and B online')
  return [a, b]
}

/** Counts the streams a device opens from now on. */
function countStreams(d: SyncDevice): { count: () => number } {
  const network = d.sync.network
  const open = network.openStream.bind(network)
  let n = 0
  network.openStream = async (...args): Promise<FrameStream> => {
    n++
    return await open(...args)
  }
  return { count: () => n }
}

describe('a removed device', () => {
  it('removed while away: told when it comes back, it says who removed it and opens no stream afterwards', async () => {
    const [a, b] = await pair()
    await b.stop()
    await a.sync.devices.revoke(b.id)
    await b.restart()
    await eventually(() => b.sync.removalNotice.removed, 'B to learn that it was removed')
    expect(b.sync.removalNotice.removal()).toMatchObject({ by: a.id, byName: 'Laptop' })
    const streams = countStreams(b)
    await new Promise(resolve => setTimeout(resolve, 1000))
    expect(streams.count()).toBe(0)
    expect(b.sync.engine.connected()).toEqual([])
    expect(a.logs.filter(l => l.message.includes('that it was removed from the roster'))).toHaveLength(1)
    expect(b.logs.filter(l => l.message.includes('This device was removed from the roster by Laptop'))).toHaveLength(1)
    // and after a restart it still knows, and still dials no one
    await b.stop()
    await b.restart()
    const again = countStreams(b)
    await new Promise(resolve => setTimeout(resolve, 500))
    expect(b.sync.removalNotice.removed).toBe(true)
    expect(again.count()).toBe(0)
  })

  it('a device that removes itself (destroy) still dials its peers to hand them the removal', async () => {
    const [a, b] = await pair()
    await b.sync.network.disconnect(a.id)
    const left = await b.sync.selfRemoval.leave()
    expect(left).toMatchObject({ removedFromRoster: true, acknowledgedBy: [a.id] })
    await eventually(() => a.sync.roster.isRevoked(b.id), 'A to remove B')
  })

  it('removed while connected: it learns by sync or by the notice, closes its sessions and stops dialling', async () => {
    const [a, b] = await pair()
    await a.sync.devices.revoke(b.id)
    await eventually(() => b.sync.removalNotice.removed, 'B to learn that it was removed')
    await eventually(() => b.sync.engine.connected().length === 0, 'B to close its sessions')
    const streams = countStreams(b)
    await new Promise(resolve => setTimeout(resolve, 1000))
    expect(streams.count()).toBe(0)
    expect(a.sync.network.isConnected(b.id)).toBe(false)
  })
})
