/**
 * A paired peer that misbehaves. M pairs with daemon A through a real invitation (so it is on the
 * roster), then speaks the sync protocol by hand over real libp2p: garbage, a frame over the size
 * limit, an envelope with a bad signature, a skipped seq, an envelope by a device not on the roster:
 * each time A rejects it, logs it, stays up, stores nothing from it, and keeps syncing with the
 * good peer G. A replayed seq with other bytes (a forked log) quarantines M instead, and the
 * session goes on.
 */
import { describe, it, expect, afterAll, beforeAll } from 'vitest'
import * as Y from 'yjs'
import type { TestDaemon } from '../helpers/daemonProcess.js'
import { daemons, itemOn, pairByApi, until, PASSWORD, JOIN_PASSWORD } from '../sync/helpers/daemons.js'
import { SyncDevice } from '../sync/helpers/syncDevice.js'
import { Channel } from '../../daemon/sync/Channel.js'
import { MAX_FRAME_BYTES, MsgType, PROTOCOL_VERSION, SYNC_PROTOCOL } from '../../daemon/sync/messages.js'
import { sealEnvelope, decodeEnvelope } from '../../daemon/replica/Envelope.js'
import { VaultDoc } from '../../daemon/vault/VaultDoc.js'
import { DeviceIdentity } from '../../daemon/keyring/DeviceIdentity.js'
import { randomBytes } from '../../daemon/crypto/random.js'
import type { FrameStream } from '../../daemon/network/NetworkAdapter.js'
import type { Item } from '../../daemon/vault/Item.js'
import type { SignedHead } from '../../daemon/codec/SignedHead.js'

/** A Yjs update that would add an item titled EVIL to the vault if anyone applied it. */
function evilUpdate(n: number): Uint8Array {
  const doc = new VaultDoc(new Y.Doc())
  let update: Uint8Array = new Uint8Array()
  doc.doc.on('update', (u: Uint8Array) => {
    update = u
  })
  doc.createWithId(`evil-${n}`, { title: 'EVIL' })
  return update
}

describe('a malicious paired peer', () => {
  let a: TestDaemon
  let g: TestDaemon
  let m: SyncDevice
  let aId: string
  let vaultId: string
  beforeAll(async () => {
    ;[a, g] = await daemons(2)
    await a.init(PASSWORD)
    await pairByApi(a, g)
    m = await SyncDevice.create('M', 'libp2p')
    const { invitation } = (await a.api('POST', '/api/pairing/invite', {})).body
    const joining = m.sync.devices.join(invitation, JOIN_PASSWORD)
    // a person on A approves M (it proved the invitation: the attack needs a paired peer)
    await until(async () => (await a.api('GET', '/api/pairing/pending')).body.some((p: { id: string }) => p.id === m.id), 'M to wait')
    await a.api('POST', `/api/pairing/pending/${m.id}/approve`)
    await joining
    aId = (await a.api('GET', '/api/status')).body.deviceId
    vaultId = m.device.replicas.ids()[0] as string
    // one honest item from M first, so A holds M's seq 1
    const honest = await m.service.createItem({ title: 'honest item from M' })
    await until(async () => await itemOn(a, honest.id), "M's honest item on A")
    // from now on M speaks only by hand
    await m.sync.engine.stop()
  })
  afterAll(async () => {
    await m?.stop()
    await a?.destroy()
    await g?.destroy()
  })

  const held = (): number => m.device.replicas.get(vaultId)?.vector().get(m.id) ?? 0
  const signerM = () => ({ publicKey: m.identity.publicKey, sign: (b: Uint8Array) => m.identity.sign(b) })
  const keyM = () => m.device.keyring.vaultKey(vaultId, m.device.keyring.currentEpoch(vaultId))
  const tipM = () =>
    m.device.replicas
      .get(vaultId)
      ?.heads()
      .find(h => h.author === m.id) as SignedHead

  /** Opens a sync session to A by hand and waits for A's VAULT announcement. */
  async function session(): Promise<{ ch: Channel; stream: FrameStream; ended: () => Promise<void> }> {
    const stream = await m.sync.network.openStream(aId, a.info!.multiaddrs, SYNC_PROTOCOL, {
      maxFrameBytes: 1 << 24,
      maxBufferBytes: 1 << 26
    })
    const ch = new Channel(stream)
    ch.send({ type: MsgType.Hello, version: PROTOCOL_VERSION, deviceId: m.id, addrs: [], roster: m.sync.roster.vector() })
    for (;;) {
      const got = await ch.next()
      if (got === undefined) throw new Error('A ended the session early')
      ch.processed(got.bytes)
      if (got.message.type === MsgType.Vault) break
    }
    const ended = async (): Promise<void> => {
      const deadline = Date.now() + 5000
      while (Date.now() < deadline) {
        const got = await ch.next().catch(() => undefined)
        if (got === undefined) return
        if (got.message.type === MsgType.Bye) return
      }
      throw new Error('A did not end the session')
    }
    return { ch, stream, ended }
  }

  async function expectRejected(what: RegExp): Promise<void> {
    await until(async () => what.test(await a.log()), `A logs ${String(what)}`)
    expect((await a.api('GET', '/api/status')).status).toBe(200)
  }

  it('garbage: the session ends, A stays up', async () => {
    const { stream, ended } = await session()
    await stream.write(Uint8Array.of(0x55, ...randomBytes(40)))
    await ended()
    await expectRejected(/rejected data from .*unknown message type 0x55/)
  })

  it('a frame over the size limit: the stream is reset', async () => {
    const { stream, ended } = await session()
    await stream.write(new Uint8Array(MAX_FRAME_BYTES + 1024))
    await ended()
    await expectRejected(/rejected data from .*FrameLimitError/)
  })

  it('an envelope with a bad signature, a skipped seq, an unknown author: all refused, none stored', async () => {
    const have = held()
    expect(have).toBeGreaterThanOrEqual(1)
    const prevHash = tipM().hash
    const badSig = Uint8Array.from(sealEnvelope({ vaultId, epoch: 0, seq: have + 1, prevHash }, keyM(), evilUpdate(1), signerM()))
    badSig[badSig.length - 80] = (badSig[badSig.length - 80] ?? 0) ^ 0xff
    const skipped = sealEnvelope({ vaultId, epoch: 0, seq: have + 2, prevHash }, keyM(), evilUpdate(2), signerM())
    const outsider = DeviceIdentity.generate()
    const foreign = sealEnvelope({ vaultId, epoch: 0, seq: 1, prevHash: new Uint8Array(32) }, keyM(), evilUpdate(4), {
      publicKey: outsider.publicKey,
      sign: b => outsider.sign(b)
    })
    const cases: Array<[Uint8Array, RegExp]> = [
      [badSig, /rejected data from .*bad signature/],
      [skipped, new RegExp(`rejected data from .*seq ${have + 2} skips ahead`)],
      [foreign, /rejected data from .*not on the device roster/]
    ]
    for (const [bytes, logged] of cases) {
      const { ch, ended } = await session()
      ch.send({ type: MsgType.Envelopes, envelopes: [bytes] })
      await ended()
      await expectRejected(logged)
    }
    // an exact repeat of an envelope A holds is harmless: ignored, the session stays
    const [stored] = await m.device.replicas.get(vaultId)!.envelopesAfter(m.id, have - 1, 1)
    expect(decodeEnvelope(stored!).seq).toBe(have)
    const { ch } = await session()
    ch.send({ type: MsgType.Envelopes, envelopes: [stored!] })
    await new Promise(resolve => setTimeout(resolve, 300))
    expect(ch.isClosed).toBe(false)
    await ch.close(0)
  })

  it('a different envelope for a held seq (a forked log): M is quarantined, the session goes on, nothing stored', async () => {
    const have = held()
    const [stored] = await m.device.replicas.get(vaultId)!.envelopesAfter(m.id, have - 1, 1)
    const prevHash = decodeEnvelope(stored!).prevHash as Uint8Array
    const forked = sealEnvelope({ vaultId, epoch: 0, seq: have, prevHash }, keyM(), evilUpdate(3), signerM())
    const { ch } = await session()
    ch.send({ type: MsgType.Envelopes, envelopes: [forked] })
    await until(async () => /equivocation/.test(await a.log()), 'A logs the equivocation')
    const status = (await a.api('GET', '/api/status')).body as { quarantined: Array<{ deviceId: string; vaultId: string }> }
    expect(status.quarantined).toEqual([expect.objectContaining({ deviceId: m.id, vaultId })])
    await new Promise(resolve => setTimeout(resolve, 200))
    expect(ch.isClosed).toBe(false)
    await ch.close(0)
  })

  it('A stored nothing from it (also after a restart) and kept syncing with the good peer', async () => {
    const fromG = (await g.api('POST', '/api/items', { title: 'from the good peer' })).body.id as string
    await until(async () => await itemOn(a, fromG), "G's item on A")
    const fromA = (await a.api('POST', '/api/items', { title: 'from A after the attacks' })).body.id as string
    await until(async () => await itemOn(g, fromA), "A's item on G")
    const titles = ((await a.api('GET', '/api/items')).body as Item[]).map(i => i.title)
    expect(titles).not.toContain('EVIL')
    await a.stop()
    await a.start()
    await a.api('POST', '/api/unlock', { password: PASSWORD })
    const after = ((await a.api('GET', '/api/items')).body as Item[]).map(i => i.title)
    expect(after).not.toContain('EVIL')
    expect(after).toEqual(expect.arrayContaining(['honest item from M', 'from the good peer', 'from A after the attacks']))
    expect((await a.api('GET', '/api/status')).body.corruptRecords).toEqual([])
  })
})
