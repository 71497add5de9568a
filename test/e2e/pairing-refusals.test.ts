/**
 * What a real daemon refuses: a stranger (a stock js-libp2p node with its own key) gets no
 * connection and no envelope, with or without an open invitation; used, expired and wrongly
 * answered invitations are refused, and a wrong answer burns the invitation. Someone who saw the
 * link and proves its secret gets nothing until a person approves it, and a denial uses it up.
 */
import { describe, it, expect, afterAll, beforeAll } from 'vitest'
import { createLibp2p, type Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { request } from 'node:http'
import type { TestDaemon } from '../helpers/daemonProcess.js'
import { approveWhenWaiting, daemons, until, PASSWORD, JOIN_PASSWORD } from '../sync/helpers/daemons.js'
import { decodeInvitation, invitationId } from '../../daemon/pairing/Invitation.js'
import {
  decodePair,
  encodePair,
  nonceCommitment,
  PAIR_PROTOCOL,
  PAIR_VERSION,
  PairType,
  RefusedCode
} from '../../daemon/pairing/messages.js'
import { proveAsLinkHolder } from '../pairing/linkHolder.js'
import { encodeMessage, MsgType } from '../../daemon/sync/messages.js'
import { generateBoxKeyPair } from '../../daemon/crypto/box.js'
import { randomBytes } from '../../daemon/crypto/random.js'

async function strangerNode(): Promise<Libp2p> {
  return await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()]
  })
}

function addressOf(d: TestDaemon) {
  return multiaddr(`${d.info!.multiaddrs.find(a => a.includes('127.0.0.1')) as string}/p2p/${d.info!.peerId}`)
}

/** Everything a stream yields until it ends or fails (at most 2 s). */
async function drain(stream: { [Symbol.asyncIterator]: () => AsyncIterator<unknown> }): Promise<number> {
  let bytes = 0
  const timer = new Promise<void>(resolve => setTimeout(resolve, 2000))
  const reading = (async () => {
    try {
      for await (const chunk of stream as AsyncIterable<{ byteLength: number }>) bytes += chunk.byteLength
    } catch {}
  })()
  await Promise.race([reading, timer])
  return bytes
}

describe('refusals by a real daemon', () => {
  let a: TestDaemon
  let b: TestDaemon
  let c: TestDaemon
  let stranger: Libp2p
  beforeAll(async () => {
    ;[a, b, c] = await daemons(3)
    await a.init(PASSWORD)
    await a.api('POST', '/api/items', { title: 'secret', password: 'do not leak' })
    stranger = await strangerNode()
  })
  afterAll(async () => {
    await stranger?.stop()
    for (const d of [a, b, c]) await d?.destroy()
  })

  it('a stranger is refused and receives no envelope', async () => {
    const target = addressOf(a)
    // no invitation open: the gater drops the connection right after Noise
    await stranger.dial(target).catch(() => undefined)
    await expect(stranger.dialProtocol(target, '/kith/sync/1.0.0')).rejects.toThrow()
    await expect(stranger.dialProtocol(target, PAIR_PROTOCOL)).rejects.toThrow()
    await new Promise(resolve => setTimeout(resolve, 100))
    expect(stranger.getConnections().length).toBe(0)

    // with an invitation open the connection is admitted, but sync is for roster devices only
    const invite = await a.api('POST', '/api/pairing/invite', {})
    expect(invite.status).toBe(201)
    const stream = await stranger.dialProtocol(target, '/kith/sync/1.0.0')
    const lp = lpStream(stream)
    // the daemon may reset the stream before our HELLO is even written
    await lp
      .write(
        encodeMessage({
          type: MsgType.Hello,
          version: 1,
          deviceId: Buffer.from(stranger.peerId.publicKey!.raw).toString('hex'),
          addrs: [],
          roster: new Map()
        })
      )
      .catch(() => {})
    expect(await drain(stream)).toBe(0)
    await until(async () => /refused a session from .*not on the device roster/.test(await a.log()), 'the refusal in the log')
    // and its pairing attempt with a made-up invitation is refused
    const pair = await stranger.dialProtocol(target, PAIR_PROTOCOL)
    const plp = lpStream(pair)
    await plp.write(
      encodePair({
        type: PairType.Hello,
        version: PAIR_VERSION,
        invitationId: randomBytes(16),
        commitment: nonceCommitment(randomBytes(32)),
        ephemeralPublic: generateBoxKeyPair().publicKey,
        rosterKey: randomBytes(32),
        name: 'stranger'
      })
    )
    expect(decodePair((await plp.read()).subarray())).toMatchObject({ type: PairType.Refused, code: RefusedCode.UnknownInvitation })
    const devices = (await a.api('GET', '/api/devices')).body as unknown[]
    expect(devices).toHaveLength(1)
  })

  it('someone who saw the link and proves its secret gets nothing until approved; a denial uses the invitation up', async () => {
    const { invitation } = (await a.api('POST', '/api/pairing/invite', {})).body
    const inv = decodeInvitation(invitation)
    const holder = await strangerNode()
    try {
      const holderId = Buffer.from(holder.peerId.publicKey!.raw).toString('hex')
      const lp = lpStream(await holder.dialProtocol(addressOf(a), PAIR_PROTOCOL))
      const frames = { write: async (f: Uint8Array) => void (await lp.write(f)), read: async () => (await lp.read()).subarray() }
      const { words, reply } = await proveAsLinkHolder(frames, inv, holderId)
      // the inviter proves the secret back and waits for a person: no roster, no vault key
      expect(reply.type).toBe(PairType.Pending)
      const pending = (await a.api('GET', '/api/pairing/pending')).body
      expect(pending).toEqual([{ id: holderId, name: 'link holder', words, expiresAt: expect.any(String) }])
      // nothing else arrives while it waits
      const next = lp.read()
      const more = await Promise.race([next.then(() => 'a frame'), new Promise(resolve => setTimeout(() => resolve('nothing'), 1500))])
      expect(more).toBe('nothing')
      expect(((await a.api('GET', '/api/devices')).body as Array<{ id: string }>).map(d => d.id)).not.toContain(holderId)
      expect(await a.log()).not.toMatch(/pairing: approved/)
      // a person denies it: it is refused, and the invitation is used up
      const denied = await a.kith(['pair', 'deny', holderId.slice(0, 10)])
      expect(denied.code).toBe(0)
      expect(decodePair((await next).subarray())).toMatchObject({ type: PairType.Refused, code: RefusedCode.Denied })
      expect((await a.api('GET', '/api/pairing/pending')).body).toEqual([])
      const late = await b.api('POST', '/api/pairing/join', { invitation, password: JOIN_PASSWORD })
      expect(late.body.error).toMatchObject({ code: 'invitation_refused' })
      expect((await b.api('GET', '/api/status')).body.initialized).toBe(false)
      expect((await a.api('GET', '/api/devices')).body).toHaveLength(1)
    } finally {
      await holder.stop()
    }
  })

  it('an invitation answered with a wrong secret is refused and burnt', async () => {
    const { invitation } = (await a.api('POST', '/api/pairing/invite', {})).body
    const inv = decodeInvitation(invitation)
    const target = addressOf(a)
    const stream = await stranger.dialProtocol(target, PAIR_PROTOCOL)
    const lp = lpStream(stream)
    await lp.write(
      encodePair({
        type: PairType.Hello,
        version: PAIR_VERSION,
        invitationId: invitationId(inv.secret),
        commitment: nonceCommitment(randomBytes(32)),
        ephemeralPublic: generateBoxKeyPair().publicKey,
        rosterKey: randomBytes(32),
        name: 'guesser'
      })
    )
    expect(decodePair((await lp.read()).subarray()).type).toBe(PairType.Challenge)
    await lp.write(encodePair({ type: PairType.Proof, nonce: randomBytes(32), mac: randomBytes(32) }))
    expect(decodePair((await lp.read()).subarray())).toMatchObject({ type: PairType.Refused, code: RefusedCode.WrongProof })
    const join = await b.kith(['pair', 'join', '--password-stdin', '--json'], `${invitation}\n${JOIN_PASSWORD}\n`)
    expect(join.code).not.toBe(0)
    expect(JSON.parse(join.stdout).error.code).toBe('invitation_refused')
    expect((await b.api('GET', '/api/status')).body.initialized).toBe(false)
    expect(await a.log()).toMatch(/proof of the invitation secret is wrong/)
  })

  it('a used invitation and an expired one are refused', async () => {
    const { invitation } = (await a.api('POST', '/api/pairing/invite', {})).body
    const joining = b.api('POST', '/api/pairing/join', { invitation, password: JOIN_PASSWORD })
    await approveWhenWaiting(a, b)
    expect((await joining).status).toBe(201)
    const again = await c.kith(['pair', 'join', '--password-stdin', '--json'], `${invitation}\n${JOIN_PASSWORD}\n`)
    expect(again.code).not.toBe(0)
    expect(again.stderr).toMatch(/already used/)
    const expiring = (await a.api('POST', '/api/pairing/invite', { ttlSeconds: 1 })).body as { invitation: string; expiresAt: string }
    expect(Date.parse(expiring.expiresAt) - Date.now()).toBeLessThanOrEqual(1000)
    await new Promise(resolve => setTimeout(resolve, 1200))
    const late = await c.api('POST', '/api/pairing/join', { invitation: expiring.invitation, password: JOIN_PASSWORD })
    expect(late.status).toBe(400)
    expect(late.body.error).toMatchObject({ code: 'invitation_refused', message: expect.stringMatching(/expired/) })
    expect((await c.api('GET', '/api/status')).body.initialized).toBe(false)
    // the join route is public but still Host- and Origin-checked
    const url = new URL(c.info!.url)
    const post = async (headers: Record<string, string>): Promise<number> =>
      await new Promise<number>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: url.port,
            method: 'POST',
            path: '/api/pairing/join',
            headers: { 'Content-Type': 'application/json', ...headers }
          },
          res => {
            res.resume()
            resolve(res.statusCode ?? 0)
          }
        )
        req.on('error', reject)
        req.end(JSON.stringify({ invitation: expiring.invitation, password: JOIN_PASSWORD }))
      })
    expect(await post({ Host: 'evil.example' })).toBe(403)
    expect(await post({ Host: url.host, Origin: 'http://evil.example', 'Sec-Fetch-Site': 'cross-site' })).toBe(403)
  })
})
