/** Invitations and the pairing exchange over the memory network, including every refusal. */
import { describe, it, expect, afterEach } from 'vitest'
import { MemoryNetwork } from '../../daemon/network/memory/MemoryNetwork.js'
import { DeviceIdentity } from '../../daemon/keyring/DeviceIdentity.js'
import { confirmationCode, decodeInvitation, encodeInvitation, invitationId } from '../../daemon/pairing/Invitation.js'
import { decodePair, encodePair, grantAad, PAIR_PROTOCOL, PairType, RefusedCode, PAIR_VERSION } from '../../daemon/pairing/messages.js'
import { generateBoxKeyPair, openBox } from '../../daemon/crypto/box.js'
import { randomBytes } from '../../daemon/crypto/random.js'
import { SyncDevice, PASSWORD } from '../sync/helpers/syncDevice.js'

const devices: SyncDevice[] = []
async function device(net: MemoryNetwork, name: string): Promise<SyncDevice> {
  const d = await SyncDevice.create(name, net)
  devices.push(d)
  return d
}
afterEach(async () => {
  for (const d of devices.splice(0)) await d.stop()
})

describe('invitation links', () => {
  it('round-trip as one line, and damaged ones are refused with a clear message', () => {
    const inv = {
      inviter: 'ab'.repeat(32),
      secret: randomBytes(16),
      expiresAt: new Date(Math.floor(Date.now() / 1000) * 1000 + 600_000),
      addrs: ['/ip4/127.0.0.1/tcp/4001', '/ip4/192.168.1.2/tcp/4001']
    }
    const link = encodeInvitation(inv)
    expect(link).toMatch(/^kith:\/\/pair\?v=1&d=[A-Za-z0-9_-]+$/)
    expect(decodeInvitation(`  ${link}\n`)).toEqual(inv)
    expect(() => decodeInvitation('https://example.com')).toThrow(/not a Kith invitation/)
    expect(() => decodeInvitation(link.slice(0, -5))).toThrow(/damaged/)
    expect(() => decodeInvitation(link.replace('v=1', 'v=9'))).toThrow(/unsupported version/)
    expect(confirmationCode(inv.secret)).toMatch(/^\d{3}-\d{3}$/)
    expect(invitationId(inv.secret)).toHaveLength(16)
  })

  it("the joiner opens vault keys sealed to its ephemeral key with the keyring's own binding", async () => {
    const net = new MemoryNetwork()
    const a = await device(net, 'A')
    await a.init()
    const eph = generateBoxKeyPair()
    const joiner = DeviceIdentity.generate().deviceId
    const grants = a.device.keyring.grantsFor(joiner, eph.publicKey)
    expect(grants.length).toBe(1)
    for (const g of grants) expect(openBox(eph, g.box, grantAad(g.vaultId, g.epoch, joiner))).toHaveLength(32)
  })
})

describe('pairing refusals', () => {
  it('an invitation works once', async () => {
    const net = new MemoryNetwork()
    const [a, b, c] = [await device(net, 'A'), await device(net, 'B'), await device(net, 'C')]
    await a.init()
    const { invitation, code } = a.sync.devices.invite()
    const joined = await b.sync.devices.join(invitation, PASSWORD)
    expect(joined.code).toBe(code)
    await expect(c.sync.devices.join(invitation, PASSWORD)).rejects.toMatchObject({
      name: 'InvitationError',
      message: expect.stringMatching(/unknown, used or expired/)
    })
    expect(c.service.initialized).toBe(false)
    await expect(b.sync.devices.join(a.sync.devices.invite().invitation, PASSWORD)).rejects.toMatchObject({
      name: 'AlreadyInitializedError'
    })
  })

  it('an expired invitation is refused by the joiner and by the inviter', async () => {
    const net = new MemoryNetwork()
    const [a, b] = [await device(net, 'A'), await device(net, 'B')]
    await a.init()
    const { invitation } = a.sync.devices.invite(50)
    await new Promise(resolve => setTimeout(resolve, 80))
    await expect(b.sync.devices.join(invitation, PASSWORD)).rejects.toThrow(/expired/)
    // a link whose expiry was edited: the inviter's own record has expired
    const forged = encodeInvitation({ ...decodeInvitation(invitation), expiresAt: new Date(Date.now() + 600_000) })
    await expect(b.sync.devices.join(forged, PASSWORD)).rejects.toThrow(/refused|unknown, used or expired/)
    expect(b.service.initialized).toBe(false)
  })

  it('a wrong proof is refused and burns the invitation; the secret never travels', async () => {
    const net = new MemoryNetwork()
    const [a, b] = [await device(net, 'A'), await device(net, 'B')]
    await a.init()
    const { invitation } = a.sync.devices.invite()
    const inv = decodeInvitation(invitation)
    // an attacker who saw the invitation id (not the secret) on the wire
    const attacker = net.adapter(DeviceIdentity.generate().deviceId)
    attacker.setGate(() => true)
    await attacker.start()
    const sent: Uint8Array[] = []
    const stream = await attacker.openStream(a.id, [], PAIR_PROTOCOL, { maxFrameBytes: 1 << 20, maxBufferBytes: 1 << 22 })
    const write = async (m: Parameters<typeof encodePair>[0]): Promise<void> => {
      const f = encodePair(m)
      sent.push(f)
      await stream.write(f)
    }
    await write({
      type: PairType.Hello,
      version: PAIR_VERSION,
      invitationId: invitationId(inv.secret),
      nonce: randomBytes(32),
      ephemeralPublic: generateBoxKeyPair().publicKey,
      rosterKey: randomBytes(32),
      name: 'guess'
    })
    const challenge = decodePair((await stream.read()) as Uint8Array)
    expect(challenge.type).toBe(PairType.Challenge)
    await write({ type: PairType.Proof, mac: randomBytes(32) })
    const refused = decodePair((await stream.read()) as Uint8Array)
    expect(refused).toMatchObject({ type: PairType.Refused, code: RefusedCode.WrongProof })
    await expect(b.sync.devices.join(invitation, PASSWORD)).rejects.toThrow(/refused|unknown, used or expired/)
    expect(a.sync.roster.members()).toEqual([a.id])
    expect(a.warnings().some(w => /proof of the invitation secret is wrong/.test(w))).toBe(true)
    const secretHex = Buffer.from(inv.secret).toString('hex')
    for (const f of sent) expect(Buffer.from(f).toString('hex')).not.toContain(secretHex)
    await attacker.stop()
  })

  it('a locked inviter refuses without burning the invitation; a removed device cannot pair again', async () => {
    const net = new MemoryNetwork()
    const [a, b] = [await device(net, 'A'), await device(net, 'B')]
    await a.init()
    const { invitation } = a.sync.devices.invite()
    await a.service.lock()
    await expect(b.sync.devices.join(invitation, PASSWORD)).rejects.toMatchObject({
      name: 'PairingError',
      message: expect.stringMatching(/locked/)
    })
    await a.service.unlock(PASSWORD)
    await b.sync.devices.join(invitation, PASSWORD)
    await a.sync.devices.revoke(b.id)
    // B is wiped (same identity, empty data) and asks to pair again: its device id stays removed
    await b.stop()
    const c = await SyncDevice.create('B again', net, { identity: b.identity })
    devices.push(c)
    await expect(c.sync.devices.join(a.sync.devices.invite().invitation, PASSWORD)).rejects.toMatchObject({
      name: 'InvitationError',
      message: expect.stringMatching(/removed/)
    })
    await expect(a.sync.devices.join('kith://pair?v=1&d=AA', PASSWORD)).rejects.toMatchObject({ name: 'AlreadyInitializedError' })
    await expect(c.sync.devices.join('not a link', PASSWORD)).rejects.toMatchObject({ name: 'InvitationError' })
    await expect(c.sync.devices.join(a.sync.devices.invite().invitation, 'short')).rejects.toMatchObject({ name: 'DeviceRequestError' })
  })
})
