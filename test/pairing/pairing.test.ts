/** Invitations and the pairing exchange over the memory network: approval by a person, and every refusal. */
import { describe, it, expect, afterEach } from 'vitest'
import { MemoryNetwork } from '../../daemon/network/memory/MemoryNetwork.js'
import { DeviceIdentity } from '../../daemon/keyring/DeviceIdentity.js'
import { decodeInvitation, encodeInvitation, invitationId, LINK_PREFIX } from '../../daemon/pairing/Invitation.js'
import {
  decodePair,
  encodePair,
  grantAad,
  nonceCommitment,
  PAIR_PROTOCOL,
  PAIR_VERSION,
  PairType,
  RefusedCode
} from '../../daemon/pairing/messages.js'
import { generateBoxKeyPair, openBox } from '../../daemon/crypto/box.js'
import { randomBytes } from '../../daemon/crypto/random.js'
import { SyncDevice, PASSWORD, eventually } from '../sync/helpers/syncDevice.js'
import { proveAsLinkHolder } from './linkHolder.js'
import type { FrameStream } from '../../daemon/network/NetworkAdapter.js'
import { eventSourceFrom } from '../../daemon/api/routes/events.js'

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
    // F38: a damaged or cut link says so in words, without the byte-level reason
    for (const bad of [link.slice(0, -5), `${LINK_PREFIX}v=1&d=`, `${LINK_PREFIX}v=1&d=abc`, `${LINK_PREFIX}v=1&d=a b`]) {
      expect(() => decodeInvitation(bad)).toThrow('this invitation is damaged or incomplete — copy the whole line again')
      expect(() => decodeInvitation(bad)).not.toThrow(/byte|needed|truncated/)
    }
    expect(() => decodeInvitation(link.replace('v=1', 'v=9'))).toThrow(/unsupported version/)
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
    const { invitation } = a.sync.devices.invite()
    await b.joinApproved(a, invitation)
    await expect(c.sync.devices.join(invitation, PASSWORD)).rejects.toMatchObject({
      name: 'InvitationError',
      message: expect.stringMatching(/already used/)
    })
    expect(c.service.initialized).toBe(false)
    await expect(b.sync.devices.join(a.sync.devices.invite().invitation, PASSWORD)).rejects.toMatchObject({
      name: 'AlreadyInitializedError'
    })
  })

  it('the inviter overwrites an invitation secret in memory once it is used', async () => {
    const net = new MemoryNetwork()
    const [a, b] = [await device(net, 'A'), await device(net, 'B')]
    await a.init()
    const { invitation } = a.sync.devices.invite()
    // the inviter's own copy (private state, read here only to check it is wiped)
    const open = (a.sync.pairing as unknown as { open: Map<string, { secret: Uint8Array }> }).open
    const secret = [...open.values()][0]?.secret as Uint8Array
    expect(secret.some(x => x !== 0)).toBe(true)
    await b.joinApproved(a, invitation)
    expect(open.size).toBe(0)
    expect(secret.every(x => x === 0)).toBe(true)
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
    await expect(b.sync.devices.join(forged, PASSWORD)).rejects.toThrow(/already used/)
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
      commitment: nonceCommitment(randomBytes(32)),
      ephemeralPublic: generateBoxKeyPair().publicKey,
      rosterKey: randomBytes(32),
      name: 'guess'
    })
    const challenge = decodePair((await stream.read()) as Uint8Array)
    expect(challenge.type).toBe(PairType.Challenge)
    await write({ type: PairType.Proof, nonce: randomBytes(32), mac: randomBytes(32) })
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
    await b.joinApproved(a, invitation)
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

/** A device with the link (not on the roster) that speaks the protocol to `inviter` over the memory network. */
async function linkHolder(
  net: MemoryNetwork,
  inviter: SyncDevice
): Promise<{ id: string; stream: FrameStream; stop: () => Promise<void> }> {
  const id = DeviceIdentity.generate().deviceId
  const adapter = net.adapter(id)
  adapter.setGate(() => true)
  await adapter.start()
  const stream = await adapter.openStream(inviter.id, [], PAIR_PROTOCOL, { maxFrameBytes: 1 << 20, maxBufferBytes: 1 << 22 })
  return { id, stream, stop: async () => await adapter.stop() }
}

function framesOf(stream: FrameStream) {
  return {
    write: async (f: Uint8Array) => await stream.write(f),
    read: async () => {
      const f = await stream.read()
      if (f === undefined) throw new Error('the stream ended')
      return f
    }
  }
}

describe('approval by a person on the inviting device', () => {
  it('someone who saw the link gets nothing without approval: no roster record, no key, no frame; a denial uses the invitation up', async () => {
    const net = new MemoryNetwork()
    const [a, b] = [await device(net, 'A'), await device(net, 'B')]
    await a.init()
    const { invitation } = a.sync.devices.invite()
    const inv = decodeInvitation(invitation)
    const holder = await linkHolder(net, a)
    const { words, reply } = await proveAsLinkHolder(framesOf(holder.stream), inv, holder.id)
    expect(reply.type).toBe(PairType.Pending)
    expect(a.sync.devices.pending()).toEqual([{ id: holder.id, name: 'link holder', words, expiresAt: expect.any(String) }])
    // it waits until the invitation expires (the link rounds that down to a second)
    expect(Date.parse(a.sync.devices.pending()[0]?.expiresAt ?? '') - inv.expiresAt.getTime()).toBeLessThan(1000)
    // nothing but the wait: no WELCOME, no roster record naming it, no vault key sealed to it
    const next = holder.stream.read()
    const first = await Promise.race([next.then(() => 'a frame'), new Promise(resolve => setTimeout(() => resolve('nothing'), 300))])
    expect(first).toBe('nothing')
    expect(a.sync.roster.members()).toEqual([a.id])
    expect(a.sync.roster.device(holder.id)).toBeUndefined()
    expect(a.sync.roster.allRecords().some(r => Buffer.from(r).toString('hex').includes(holder.id))).toBe(false)
    expect(a.logs.some(l => /approved|sealed \d+ vault key/.test(l.message))).toBe(false)
    // a person denies it
    await expect(a.sync.devices.deny(holder.id.slice(0, 8))).resolves.toEqual({ id: holder.id, denied: true })
    expect(decodePair((await next) as Uint8Array)).toMatchObject({ type: PairType.Refused, code: RefusedCode.Denied })
    expect(a.sync.devices.pending()).toEqual([])
    await expect(a.sync.devices.approve(holder.id)).rejects.toMatchObject({ name: 'PendingJoinerNotFoundError' })
    await expect(b.sync.devices.join(invitation, PASSWORD)).rejects.toThrow(/unknown, used or expired|refused/)
    expect(a.sync.roster.members()).toEqual([a.id])
    await holder.stop()
  })

  it('the joiner sees the words the inviter lists, waits, and is denied with a named error', async () => {
    const net = new MemoryNetwork()
    const [a, b] = [await device(net, 'A'), await device(net, 'B')]
    await a.init()
    const { invitation } = a.sync.devices.invite()
    // what the API's event stream carries (the dashboard lists the joiner when it hears this)
    const events: Array<{ event: string; data: unknown }> = []
    const unsubscribe = eventSourceFrom(a.sync.feeds).subscribe((event, data) => events.push({ event, data }))
    let shown: string[] = []
    const joining = b.sync.pairing.join(invitation, PASSWORD, 'B', words => {
      shown = words
    })
    joining.catch(() => {})
    await eventually(() => a.sync.devices.pending().length === 1, 'B to wait')
    const [waiting] = a.sync.devices.pending()
    expect(waiting?.id).toBe(b.id)
    expect(waiting?.words).toHaveLength(4)
    await eventually(() => shown.length > 0, 'B to show its words')
    expect(shown).toEqual(waiting?.words)
    expect(b.sync.devices.joining()).toMatchObject({ words: shown, inviter: a.id })
    expect(events.find(e => e.event === 'pairing-pending')?.data).toEqual(waiting)
    await a.sync.devices.deny(b.id)
    await expect(joining).rejects.toMatchObject({ name: 'JoinDeniedError', message: expect.stringMatching(/refused this device/) })
    expect(b.service.initialized).toBe(false)
    expect(b.sync.devices.joining()).toBeNull()
    expect(a.sync.roster.members()).toEqual([a.id])
    expect(events.find(e => e.event === 'pairing-resolved')?.data).toEqual({ id: b.id, outcome: 'denied' })
    unsubscribe()
  })

  it('approving needs the inviter unlocked; an approved joiner (with a long name) gets the same words and joins', async () => {
    const net = new MemoryNetwork()
    const [a, b] = [await device(net, 'A'), await device(net, 'B')]
    await a.init()
    const { invitation } = a.sync.devices.invite()
    // a name longer than HELLO carries is cut the same way on both sides (the proof still holds)
    const joining = b.sync.devices.join(invitation, PASSWORD, 'n'.repeat(300))
    await eventually(() => a.sync.devices.pending().length === 1, 'B to wait')
    expect(a.sync.devices.pending()[0]?.name).toBe('n'.repeat(200))
    const words = a.sync.devices.pending()[0]?.words
    await a.service.lock()
    await expect(a.sync.devices.approve(b.id)).rejects.toMatchObject({ name: 'LockedError' })
    expect(a.sync.devices.pending().map(p => p.id)).toEqual([b.id])
    await a.service.unlock(PASSWORD)
    await expect(a.sync.devices.approve(b.id.slice(0, 6))).resolves.toEqual({ id: b.id, approved: true })
    const joined = await joining
    expect(joined.words).toEqual(words)
    expect(a.sync.devices.pending()).toEqual([])
    expect(a.sync.roster.members().sort()).toEqual([a.id, b.id].sort())
  })

  it('a joiner that leaves is dropped from the list and the invitation can be used again', async () => {
    const net = new MemoryNetwork()
    const [a, b] = [await device(net, 'A'), await device(net, 'B')]
    await a.init()
    const { invitation } = a.sync.devices.invite()
    const holder = await linkHolder(net, a)
    await proveAsLinkHolder(framesOf(holder.stream), decodeInvitation(invitation), holder.id)
    expect(a.sync.devices.pending().map(p => p.id)).toEqual([holder.id])
    holder.stream.abort(new Error('gone'))
    await eventually(() => a.sync.devices.pending().length === 0, 'the joiner to be dropped')
    await holder.stop()
    await b.joinApproved(a, invitation)
    expect(a.sync.roster.isMember(b.id)).toBe(true)
  })

  it('an invitation that expires while its joiner waits refuses it', async () => {
    const net = new MemoryNetwork()
    const [a, b] = [await device(net, 'A'), await device(net, 'B')]
    await a.init()
    const { invitation } = a.sync.devices.invite(1500)
    const joining = b.sync.devices.join(invitation, PASSWORD)
    joining.catch(() => {})
    await eventually(() => a.sync.devices.pending().length === 1, 'B to wait')
    await expect(joining).rejects.toMatchObject({ name: 'InvitationError', message: expect.stringMatching(/expired before/) })
    expect(a.sync.devices.pending()).toEqual([])
    expect(a.sync.roster.members()).toEqual([a.id])
  })

  it('a joiner that waits longer than a stranger may stay keeps its connection and hears that the inviter is there', async () => {
    const net = new MemoryNetwork()
    const a = await SyncDevice.create('A', net, { pairingTimings: { strangerGraceMs: 150, waitingIntervalMs: 100 } })
    devices.push(a)
    await a.init()
    const { invitation } = a.sync.devices.invite()
    const holder = await linkHolder(net, a)
    const frames = framesOf(holder.stream)
    await proveAsLinkHolder(frames, decodeInvitation(invitation), holder.id)
    // several stranger grace periods go by: it stays pending, and the keep-alives arrive
    const kinds: PairType[] = []
    for (let i = 0; i < 5; i++) kinds.push(decodePair(await frames.read()).type)
    expect(kinds).toEqual(Array(5).fill(PairType.Waiting))
    expect(a.sync.devices.pending().map(p => p.id)).toEqual([holder.id])
    expect(a.sync.network.isConnected(holder.id)).toBe(true)
    await a.sync.devices.deny(holder.id)
    await holder.stop()
  })
})
