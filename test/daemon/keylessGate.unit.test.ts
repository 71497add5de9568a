/**
 * A backup peer's gate (issue 13): while it belongs to no roster it lets a device in (to be given
 * one) but relays for no one; once claimed, it admits and relays for its roster's devices only.
 */
import { describe, it, expect } from 'vitest'
import { composeKeylessPeer } from '../../daemon/compose.js'
import { MemoryStorageAdapter } from '../../daemon/storage/MemoryStorageAdapter.js'
import { MemoryNetwork } from '../../daemon/network/memory/MemoryNetwork.js'
import { DeviceIdentity } from '../../daemon/keyring/DeviceIdentity.js'
import { Roster } from '../../daemon/pairing/Roster.js'
import type { Gate } from '../../daemon/network/NetworkAdapter.js'
import { randomBytes } from '../../daemon/crypto/random.js'
import { testDevice } from '../pairing/helpers/rosterSigner.js'

describe('a backup peer’s gate', () => {
  it('unclaimed: lets a device in but relays for no one; claimed: its roster only, for both', async () => {
    const identity = DeviceIdentity.generate()
    const net = new MemoryNetwork()
    let gate: Gate = () => true
    const peer = await composeKeylessPeer({
      storage: new MemoryStorageAdapter(),
      identity,
      network: () => net.adapter(identity.deviceId),
      log: () => {},
      wrapGate: g => {
        gate = g
        return g
      }
    })
    const [a, stranger] = [testDevice(), testDevice()]
    expect(gate(stranger.id, 'inbound')).toBe(true)
    expect(gate(stranger.id, 'relay')).toBe(false)

    const roster = new Roster(new MemoryStorageAdapter())
    await roster.createGenesis(a.roster, randomBytes(32), 'A')
    await roster.addBackupPeer(a.roster, identity.deviceId, 'pi', `/ip4/203.0.113.10/tcp/4001/p2p/${peer.network.peerId}`)
    await peer.roster.receive(roster.allRecords())
    expect(gate(a.id, 'inbound')).toBe(true)
    expect(gate(a.id, 'relay')).toBe(true)
    expect(gate(stranger.id, 'inbound')).toBe(false)
    expect(gate(stranger.id, 'relay')).toBe(false)
  })
})
