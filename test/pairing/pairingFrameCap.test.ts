/** While an invitation is open, a device not on the roster can make the inviter read at most 4 KiB a frame, on one stream. */
import { afterEach, describe, expect, it } from 'vitest'
import { randomBytes } from '../../daemon/crypto/random.js'
import { generateBoxKeyPair } from '../../daemon/crypto/box.js'
import { DeviceIdentity } from '../../daemon/keyring/DeviceIdentity.js'
import { MemoryNetwork } from '../../daemon/network/memory/MemoryNetwork.js'
import { decodeInvitation, invitationId } from '../../daemon/pairing/Invitation.js'
import {
  decodePair,
  encodePair,
  MAX_JOINER_FRAME,
  nonceCommitment,
  PAIR_PROTOCOL,
  PAIR_VERSION,
  PairType,
  RefusedCode
} from '../../daemon/pairing/messages.js'
import { eventually, SyncDevice } from '../sync/helpers/syncDevice.js'

const devices: SyncDevice[] = []
async function device(net: MemoryNetwork, name: string): Promise<SyncDevice> {
  const d = await SyncDevice.create(name, net)
  devices.push(d)
  return d
}
afterEach(async () => {
  for (const d of devices.splice(0)) await d.stop()
})

const BIG = { maxFrameBytes: 1 << 24, maxBufferBytes: 1 << 25 }

function hello(secret: Uint8Array, name = 'stranger'): Uint8Array {
  return encodePair({
    type: PairType.Hello,
    version: PAIR_VERSION,
    invitationId: invitationId(secret),
    commitment: nonceCommitment(randomBytes(32)),
    ephemeralPublic: generateBoxKeyPair().publicKey,
    rosterKey: randomBytes(32),
    name
  })
}

describe('pairing frames from a device not on the roster', () => {
  it('the largest HELLO a joiner can send fits in the 4 KiB limit', () => {
    expect(MAX_JOINER_FRAME).toBe(4096)
    expect(hello(randomBytes(16), '\u{1F600}'.repeat(400)).length).toBeLessThan(MAX_JOINER_FRAME)
  })

  it('a frame above 4 KiB resets the stream at the transport, and the invitation still works', async () => {
    const net = new MemoryNetwork()
    const [a, b] = [await device(net, 'A'), await device(net, 'B')]
    await a.init()
    const { invitation } = a.sync.devices.invite()
    const stranger = net.adapter(DeviceIdentity.generate().deviceId)
    stranger.setGate(() => true)
    await stranger.start()
    const stream = await stranger.openStream(a.id, [], PAIR_PROTOCOL, BIG)
    await stream.write(new Uint8Array(MAX_JOINER_FRAME + 1))
    await expect(stream.read()).rejects.toThrow(/reset/)
    await eventually(() => a.logs.some(l => /over the limit: 4097 > 4096/.test(l.message)), 'the inviter to log the limit')
    await stranger.stop()
    await b.joinApproved(a, invitation)
    expect(a.sync.roster.members()).toContain(b.id)
  })

  it('one stream per invitation at a time: a second HELLO, even from the same device, is refused as in use', async () => {
    const net = new MemoryNetwork()
    const [a, b] = [await device(net, 'A'), await device(net, 'B')]
    await a.init()
    const { invitation } = a.sync.devices.invite()
    const { secret } = decodeInvitation(invitation)
    const stranger = net.adapter(DeviceIdentity.generate().deviceId)
    stranger.setGate(() => true)
    await stranger.start()
    const first = await stranger.openStream(a.id, [], PAIR_PROTOCOL, BIG)
    await first.write(hello(secret))
    expect(decodePair((await first.read()) as Uint8Array).type).toBe(PairType.Challenge)
    const second = await stranger.openStream(a.id, [], PAIR_PROTOCOL, BIG)
    await second.write(hello(secret))
    expect(decodePair((await second.read()) as Uint8Array)).toMatchObject({ type: PairType.Refused, code: RefusedCode.InUse })
    await stranger.stop()
    // the stranger never proved anything: once its stream is gone, the invitation is free again
    await eventually(
      () => a.logs.some(l => /the exchange with .* ended/.test(l.message)),
      "the inviter to notice the stranger's stream end"
    )
    await b.joinApproved(a, invitation)
    expect(a.sync.roster.members()).toContain(b.id)
  })
})
