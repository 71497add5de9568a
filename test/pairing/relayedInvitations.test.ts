/**
 * Pairing through a backup peer's relay (issue 13), over the memory network: a backup peer relays a
 * device that is not on its roster only after the inviter offered the invitation and that device
 * claimed it with the invitation's id — to that inviter only, one claimer per invitation, until the
 * invitation expires. An inviter's link carries its address through each backup peer it knows.
 */
import { describe, it, expect, afterEach, vi } from 'vitest'
import { composeKeylessPeer, type KeylessPeer } from '../../daemon/compose.js'
import { MemoryStorageAdapter } from '../../daemon/storage/MemoryStorageAdapter.js'
import { MemoryNetwork, type MemoryNetworkAdapter } from '../../daemon/network/memory/MemoryNetwork.js'
import { DeviceIdentity } from '../../daemon/keyring/DeviceIdentity.js'
import { Roster } from '../../daemon/pairing/Roster.js'
import type { Gate } from '../../daemon/network/NetworkAdapter.js'
import { randomBytes } from '../../daemon/crypto/random.js'
import { toHex } from '../../daemon/crypto/bytes.js'
import { testDevice } from './helpers/rosterSigner.js'
import {
  claimAtRelays,
  decodeRelayMessage,
  encodeRelayMessage,
  INVITE_RELAY_PROTOCOL,
  INVITE_RELAY_STREAM_OPTIONS,
  RelayMessageType,
  relaysOf,
  type RelayMessage
} from '../../daemon/pairing/invitationRelay.js'
import { decodeInvitation } from '../../daemon/pairing/Invitation.js'
import { RelayedInvitations } from '../../daemon/pairing/RelayedInvitations.js'
import { SyncDevice } from '../sync/helpers/syncDevice.js'

const stops: Array<() => Promise<void>> = []
afterEach(async () => {
  vi.useRealTimers()
  for (const s of stops.splice(0)) await s()
})

async function ask(from: MemoryNetworkAdapter, to: string, m: RelayMessage): Promise<RelayMessageType> {
  const s = await from.openStream(to, [], INVITE_RELAY_PROTOCOL, INVITE_RELAY_STREAM_OPTIONS)
  await s.write(encodeRelayMessage(m))
  const answer = await s.read()
  if (answer === undefined) throw new Error('no answer')
  return decodeRelayMessage(answer).type
}

async function keylessPeer(): Promise<{ net: MemoryNetwork; peer: KeylessPeer; gate: () => Gate }> {
  const identity = DeviceIdentity.generate()
  const net = new MemoryNetwork()
  let gate: Gate = () => false
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
  await peer.lifecycle.start()
  stops.push(async () => await peer.lifecycle.stop())
  return { net, peer, gate: () => gate }
}

async function backupPeerOfA(): Promise<{ net: MemoryNetwork; peer: KeylessPeer; gate: () => Gate; aNet: MemoryNetworkAdapter }> {
  const { net, peer, gate } = await keylessPeer()
  const identity = peer.identity
  const a = testDevice()
  const roster = new Roster(new MemoryStorageAdapter())
  await roster.createGenesis(a.roster, randomBytes(32), 'A')
  await roster.addBackupPeer(a.roster, identity.deviceId, 'pi', `/memory/${identity.deviceId}/p2p/${peer.network.peerId}`)
  await peer.roster.receive(roster.allRecords())
  const aNet = net.adapter(a.id)
  aNet.setGate(() => true)
  await aNet.start()
  return { net, peer, gate, aNet }
}

async function stranger(net: MemoryNetwork): Promise<MemoryNetworkAdapter> {
  const s = net.adapter(DeviceIdentity.generate().deviceId)
  s.setGate(() => true)
  await s.start()
  return s
}

describe('a backup peer relaying for an invitation', () => {
  it('admits a stranger only while an invitation is offered, and relays it only to that inviter after it claimed the invitation', async () => {
    const { net, peer, gate, aNet } = await backupPeerOfA()
    const [s1, s2, other] = [await stranger(net), await stranger(net), await stranger(net)]
    const bp = peer.identity.deviceId
    // nothing offered: a stranger cannot even connect (so it cannot claim)
    expect(gate()(s1.deviceId, 'inbound')).toBe(false)
    await expect(ask(s1, bp, { type: RelayMessageType.Claim, invitationId: toHex(randomBytes(16)) })).rejects.toThrow(/refused/)
    // a stranger cannot offer
    expect(gate()(other.deviceId, 'inbound')).toBe(false)

    const id = toHex(randomBytes(16))
    expect(await ask(aNet, bp, { type: RelayMessageType.Offer, invitationId: id, expiresAt: Date.now() + 600_000 })).toBe(
      RelayMessageType.Ok
    )
    // now a stranger may connect, but gets no circuit and no reservation until it claims
    expect(gate()(s1.deviceId, 'inbound')).toBe(true)
    expect(gate()(s1.deviceId, 'relay', aNet.deviceId)).toBe(false)
    expect(
      await ask(other, bp, { type: RelayMessageType.Offer, invitationId: toHex(randomBytes(16)), expiresAt: Date.now() + 600_000 })
    ).toBe(RelayMessageType.Refused)

    // a wrong id is refused; the right one is accepted, for that inviter only
    expect(await ask(s1, bp, { type: RelayMessageType.Claim, invitationId: toHex(randomBytes(16)) })).toBe(RelayMessageType.Refused)
    expect(gate()(s1.deviceId, 'relay', aNet.deviceId)).toBe(false)
    expect(await ask(s1, bp, { type: RelayMessageType.Claim, invitationId: id })).toBe(RelayMessageType.Ok)
    expect(gate()(s1.deviceId, 'relay', aNet.deviceId)).toBe(true)
    expect(gate()(s1.deviceId, 'relay', other.deviceId)).toBe(false)
    // no reservation for it (a reservation is asked without a target)
    expect(gate()(s1.deviceId, 'relay')).toBe(false)

    // one claimer per invitation: a second stranger with the same id gets nothing, not even a new connection
    await expect(ask(s2, bp, { type: RelayMessageType.Claim, invitationId: id })).rejects.toThrow(/refused/)
    expect(gate()(s2.deviceId, 'relay', aNet.deviceId)).toBe(false)
    expect(gate()(DeviceIdentity.generate().deviceId, 'inbound')).toBe(false)
    // the claimer itself stays admitted (its circuit to A runs over its connection to the backup peer)
    expect(gate()(s1.deviceId, 'inbound')).toBe(true)

    // the invitation expires: the claimer is neither admitted nor relayed
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now() + 11 * 60_000)
    expect(gate()(s1.deviceId, 'inbound')).toBe(false)
    expect(gate()(s1.deviceId, 'relay', aNet.deviceId)).toBe(false)
  })

  it('an offer lives 10 minutes at most, whatever it says, and a device keeps at most 8', async () => {
    const { net, peer, gate, aNet } = await backupPeerOfA()
    const bp = peer.identity.deviceId
    const s1 = await stranger(net)
    const ids = Array.from({ length: 9 }, () => toHex(randomBytes(16)))
    const answers: RelayMessageType[] = []
    for (const id of ids)
      answers.push(await ask(aNet, bp, { type: RelayMessageType.Offer, invitationId: id, expiresAt: Date.now() + 3_600_000 }))
    expect(answers.filter(a => a === RelayMessageType.Ok)).toHaveLength(8)
    expect(answers[8]).toBe(RelayMessageType.Refused)
    expect(await ask(s1, bp, { type: RelayMessageType.Claim, invitationId: ids[0] as string })).toBe(RelayMessageType.Ok)
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now() + 10 * 60_000 + 1000)
    expect(gate()(s1.deviceId, 'relay', aNet.deviceId)).toBe(false)
  })

  it('messages decode strictly', () => {
    const id = toHex(randomBytes(16))
    expect(decodeRelayMessage(encodeRelayMessage({ type: RelayMessageType.Claim, invitationId: id }))).toEqual({
      type: RelayMessageType.Claim,
      invitationId: id
    })
    const offer = encodeRelayMessage({ type: RelayMessageType.Offer, invitationId: id, expiresAt: 1_800_000_000_000 })
    expect(decodeRelayMessage(offer)).toEqual({ type: RelayMessageType.Offer, invitationId: id, expiresAt: 1_800_000_000_000 })
    expect(() => decodeRelayMessage(offer.subarray(0, 10))).toThrow(/bad invite-relay message/)
    expect(() => decodeRelayMessage(Uint8Array.of(RelayMessageType.Ok, 0))).toThrow(/bad invite-relay message/)
    expect(() => decodeRelayMessage(Uint8Array.of(0x77))).toThrow(/unknown message type/)
  })
})

describe('an invitation from a device with a backup peer', () => {
  it('carries its address through the backup peer; the joiner finds the relay in it and claims there', async () => {
    const { net, peer } = await backupPeerOfA()
    const a = await SyncDevice.create('A', net)
    stops.push(async () => await a.stop())
    await a.init()
    const address = `/memory/${peer.identity.deviceId}/p2p/${peer.network.peerId}`
    await a.device.roster.addBackupPeer(a.device.keyring.rosterSigner(), peer.identity.deviceId, 'pi', address)
    const inv = decodeInvitation(a.device.devices.invite().invitation)
    expect(inv.addrs).toEqual([`/memory/${a.identity.deviceId}`, `${address}/p2p-circuit`])
    const joiner = await stranger(net)
    expect(relaysOf(joiner, inv.addrs)).toEqual([{ relay: peer.identity.deviceId, addr: `/memory/${peer.identity.deviceId}` }])
    // the backup peer here never heard of A's roster (A is not its device), so the claim is refused
    expect(await claimAtRelays(joiner, relaysOf(joiner, inv.addrs), randomBytes(16), () => {}, 0)).toEqual([])
  })
})

describe('an inviter offering its invitation', () => {
  it('offers it to its backup peer as it makes it, so the backup peer admits a joiner for it', async () => {
    const { net, peer, gate } = await keylessPeer()
    const a = await SyncDevice.create('A', net)
    stops.push(async () => await a.stop())
    await a.init()
    const bp = peer.identity.deviceId
    await a.device.roster.addBackupPeer(a.device.keyring.rosterSigner(), bp, 'pi', `/memory/${bp}/p2p/${peer.network.peerId}`)
    await peer.roster.receive(a.device.roster.allRecords())
    const joiner = DeviceIdentity.generate().deviceId
    expect(gate()(joiner, 'inbound')).toBe(false)
    a.device.devices.invite()
    const deadline = Date.now() + 3000
    while (!gate()(joiner, 'inbound') && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 10))
    expect(gate()(joiner, 'inbound')).toBe(true)
    expect(gate()(joiner, 'relay', a.id)).toBe(false)
  })
})

describe('a device and its backup peer', () => {
  it('the device does not hang up on its backup peer as on a stranger (it is on the roster, though not a key holder)', async () => {
    const { net, peer } = await keylessPeer()
    const a = await SyncDevice.create('A', net, { pairingTimings: { strangerGraceMs: 50, waitingIntervalMs: 20_000 } })
    stops.push(async () => await a.stop())
    await a.init()
    const bp = peer.identity.deviceId
    await a.device.roster.addBackupPeer(a.device.keyring.rosterSigner(), bp, 'pi', `/memory/${bp}/p2p/${peer.network.peerId}`)
    await peer.roster.receive(a.device.roster.allRecords())
    let dropped = 0
    a.device.network.on('peer-disconnected', id => {
      if (id === bp) dropped++
    })
    await a.device.engine.dial(bp)
    expect(a.device.network.isConnected(bp)).toBe(true)
    await new Promise(resolve => setTimeout(resolve, 400))
    expect(dropped).toBe(0)
    expect(a.device.network.isConnected(bp)).toBe(true)
  })
})

describe('a backup peer hanging up on strangers', () => {
  it('drops a stranger that claimed nothing after the grace, and keeps the claimer', async () => {
    const net = new MemoryNetwork()
    const bpNet = net.adapter(DeviceIdentity.generate().deviceId)
    const inviter = net.adapter(DeviceIdentity.generate().deviceId)
    const invitations = new RelayedInvitations({
      network: bpNet,
      isDevice: id => id === inviter.deviceId,
      isPeer: id => id === inviter.deviceId,
      log: () => {},
      strangerGraceMs: 50
    })
    bpNet.setGate((id, direction) => id === inviter.deviceId || (direction === 'inbound' && invitations.admitsStranger(id)))
    await bpNet.start()
    await invitations.serve()
    inviter.setGate(() => true)
    await inviter.start()
    stops.push(async () => {
      invitations.stop()
      await bpNet.stop()
      await inviter.stop()
    })
    const id = toHex(randomBytes(16))
    expect(await ask(inviter, bpNet.deviceId, { type: RelayMessageType.Offer, invitationId: id, expiresAt: Date.now() + 600_000 })).toBe(
      RelayMessageType.Ok
    )
    const [idle, claimer] = [await stranger(net), await stranger(net)]
    expect(await ask(idle, bpNet.deviceId, { type: RelayMessageType.Claim, invitationId: toHex(randomBytes(16)) })).toBe(
      RelayMessageType.Refused
    )
    expect(await ask(claimer, bpNet.deviceId, { type: RelayMessageType.Claim, invitationId: id })).toBe(RelayMessageType.Ok)
    expect(bpNet.isConnected(idle.deviceId) && bpNet.isConnected(claimer.deviceId)).toBe(true)
    await new Promise(resolve => setTimeout(resolve, 200))
    expect(bpNet.isConnected(idle.deviceId)).toBe(false)
    expect(bpNet.isConnected(claimer.deviceId)).toBe(true)
    expect(bpNet.isConnected(inviter.deviceId)).toBe(true)
  })
})
