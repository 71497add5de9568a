/**
 * A device notices a backup peer that keeps less than it was given (issue 13 item 5): the peer's
 * answers carry heads signed by their authors, so it cannot claim what it does not hold, and one
 * that drops this device's envelopes shows as behind in status, in that vault; an honest one never does.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { composeKeylessPeer, type KeylessPeer } from '../../daemon/compose.js'
import { DeviceIdentity } from '../../daemon/keyring/DeviceIdentity.js'
import { MemoryNetwork } from '../../daemon/network/memory/MemoryNetwork.js'
import { MemoryStorageAdapter } from '../../daemon/storage/MemoryStorageAdapter.js'
import { eventually, SyncDevice } from './helpers/syncDevice.js'

const stops: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop().catch(() => {})
})

async function setup(): Promise<{ a: SyncDevice; peer: KeylessPeer; vaultId: string }> {
  const net = new MemoryNetwork()
  const a = await SyncDevice.create('A', net)
  stops.push(async () => await a.stop())
  await a.init()
  const identity = DeviceIdentity.generate()
  const peer = await composeKeylessPeer({
    storage: new MemoryStorageAdapter(),
    identity,
    network: () => net.adapter(identity.deviceId),
    log: () => {}
  })
  await peer.lifecycle.start()
  stops.push(async () => await peer.lifecycle.stop())
  await a.sync.roster.addBackupPeer(a.device.keyring.rosterSigner(), identity.deviceId, 'pi', '/ip4/203.0.113.10/tcp/4001')
  void a.sync.engine.dial(identity.deviceId)
  const vaultId = a.service.vaults()[0]?.id as string
  await eventually(() => peer.replicas.get(vaultId) !== undefined, 'the backup peer holds the vault')
  return { a, peer, vaultId }
}

describe('a device watches its backup peers', () => {
  it('an honest backup peer is never behind', async () => {
    const { a } = await setup()
    for (let i = 0; i < 5; i++) await a.service.createItem({ title: `item ${i}` })
    await new Promise(resolve => setTimeout(resolve, 1000))
    expect(a.device.backupPeersBehind()).toEqual([{ id: expect.any(String), behind: [] }])
    expect(a.logs.some(l => /is behind/.test(l.message))).toBe(false)
  })

  it('one that drops this device’s envelopes is reported behind, in status and once in the log', async () => {
    const { a, peer, vaultId } = await setup()
    const replica = peer.replicas.get(vaultId)
    if (replica === undefined) throw new Error('no replica')
    // a compromised backup peer: says it took each envelope, keeps none
    replica.receive = async () => true
    for (let i = 0; i < 3; i++) await a.service.createItem({ title: `withheld ${i}` })
    await eventually(() => a.device.backupPeersBehind()[0]?.behind.length === 1, 'A sees the backup peer behind', 5000)
    const [report] = a.device.backupPeersBehind()
    expect(report?.id).toBe(peer.identity.deviceId)
    expect(report?.behind[0]).toMatchObject({ vaultId })
    expect((report?.behind[0]?.written ?? 0) - (report?.behind[0]?.held ?? 0)).toBeGreaterThanOrEqual(1)
    await new Promise(resolve => setTimeout(resolve, 600))
    expect(a.logs.filter(l => /backup peer .* is behind/.test(l.message))).toHaveLength(1)
  })
})
