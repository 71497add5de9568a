/** The sync wire format and the flow-controlled channel. */
import { describe, it, expect } from 'vitest'
import {
  ByeReason,
  decodeMessage,
  encodeMessage,
  envelopeHeader,
  MAX_BUFFER_BYTES,
  MAX_FRAME_BYTES,
  MsgType,
  snapshotHeader,
  type Message
} from '../../daemon/sync/messages.js'
import { Channel } from '../../daemon/sync/Channel.js'
import { MemoryNetwork } from '../../daemon/network/memory/MemoryNetwork.js'
import { DeviceIdentity } from '../../daemon/keyring/DeviceIdentity.js'
import { decodeEnvelope, sealEnvelope } from '../../daemon/replica/Envelope.js'
import { decodeSnapshot, sealSnapshot } from '../../daemon/replica/Snapshot.js'
import { randomBytes } from '../../daemon/crypto/random.js'
import type { FrameStream } from '../../daemon/network/NetworkAdapter.js'

const id = DeviceIdentity.generate()
const other = DeviceIdentity.generate()
const vaultId = '0123456789abcdef0123456789abcdef'

describe('sync messages', () => {
  it('every message round-trips', () => {
    const samples: Message[] = [
      {
        type: MsgType.Hello,
        version: 1,
        deviceId: id.deviceId,
        addrs: ['/ip4/127.0.0.1/tcp/1'],
        roster: new Map([
          [id.deviceId, 3],
          [other.deviceId, 1]
        ])
      },
      { type: MsgType.Roster, records: [randomBytes(120), randomBytes(3)] },
      { type: MsgType.Grants, grants: [randomBytes(200)] },
      {
        type: MsgType.Vault,
        vaultId,
        heads: [
          { author: id.deviceId, seq: 41, prevHash: randomBytes(32), hash: randomBytes(32), signature: randomBytes(64) },
          { author: other.deviceId, seq: 7, prevHash: randomBytes(32), hash: randomBytes(32), signature: randomBytes(64) }
        ],
        replyWanted: true
      },
      { type: MsgType.Envelopes, envelopes: [randomBytes(300), randomBytes(90)] },
      { type: MsgType.Snapshot, snapshot: randomBytes(1000) },
      { type: MsgType.Credit, bytes: 123456 },
      { type: MsgType.CaughtUp, vaultId },
      { type: MsgType.Bye, reason: ByeReason.Duplicate, message: 'dup' }
    ]
    for (const m of samples) expect(decodeMessage(encodeMessage(m))).toEqual(m)
  })

  it('malformed frames are protocol errors, never crashes', () => {
    const hello = encodeMessage({ type: MsgType.Hello, version: 1, deviceId: id.deviceId, addrs: [], roster: new Map() })
    for (const bad of [
      Uint8Array.of(0x55),
      hello.subarray(0, 10),
      Uint8Array.of(...hello, 0),
      Uint8Array.of(MsgType.Envelopes, 0xff, 0xff, 0xff, 0xff),
      randomBytes(64)
    ]) {
      expect(() => decodeMessage(bad)).toThrow(expect.objectContaining({ name: 'ProtocolError' }))
    }
  })

  it('reads envelope and snapshot routing fields exactly as the replica format defines them', () => {
    const bytes = sealEnvelope({ vaultId, epoch: 3, seq: 42, prevHash: randomBytes(32) }, randomBytes(32), randomBytes(50), {
      publicKey: id.publicKey,
      sign: m => id.sign(m)
    })
    const env = decodeEnvelope(bytes)
    expect(envelopeHeader(bytes)).toEqual({ vaultId: env.vaultId, author: env.author, seq: env.seq })
    const head = (author: string, seq: number) => ({
      author,
      seq,
      prevHash: randomBytes(32),
      hash: randomBytes(32),
      signature: randomBytes(64)
    })
    const snap = sealSnapshot(vaultId, 0, [head(id.deviceId, 9), head(other.deviceId, 2)], randomBytes(32), randomBytes(100), {
      publicKey: id.publicKey,
      sign: m => id.sign(m)
    })
    const s = decodeSnapshot(snap)
    expect(snapshotHeader(snap)).toEqual({ vaultId: s.vaultId, author: s.author, vector: s.vector })
    expect(() => envelopeHeader(snap)).toThrow()
  })
})

/** A channel whose own reads run in the background, as a session's do (credit arrives that way). */
function sender(stream: FrameStream): Channel {
  const ch = new Channel(stream)
  void (async () => {
    while ((await ch.next().catch(() => undefined)) !== undefined) {}
  })()
  return ch
}

async function streamPair(): Promise<[FrameStream, FrameStream]> {
  const net = new MemoryNetwork()
  const a = net.adapter(id.deviceId)
  const b = net.adapter(other.deviceId)
  for (const x of [a, b]) {
    x.setGate(() => true)
    await x.start()
  }
  const opts = { maxFrameBytes: MAX_FRAME_BYTES + 64, maxBufferBytes: MAX_BUFFER_BYTES }
  const inbound = new Promise<FrameStream>(resolve => {
    void b.handle('/t', resolve, opts)
  })
  const out = await a.openStream(b.deviceId, [], '/t', opts)
  return [out, await inbound]
}

describe('channel', () => {
  it('cuts a message larger than a frame into parts and reassembles it', async () => {
    const [x, y] = await streamPair()
    const tx = sender(x)
    const rx = new Channel(y)
    const snapshot = randomBytes(5 * 1024 * 1024 + 17)
    tx.send({ type: MsgType.Snapshot, snapshot })
    tx.send({ type: MsgType.CaughtUp, vaultId })
    const got = await rx.next()
    expect(got?.message.type).toBe(MsgType.Snapshot)
    expect(Buffer.from((got?.message as { snapshot: Uint8Array }).snapshot).equals(Buffer.from(snapshot))).toBe(true)
    expect((await rx.next())?.message).toEqual({ type: MsgType.CaughtUp, vaultId })
    expect(tx.bytesOut).toBeGreaterThan(snapshot.length)
  })

  it('never overruns a slow receiver: the sender waits for credit', async () => {
    const [x, y] = await streamPair()
    const tx = sender(x)
    const rx = new Channel(y)
    const total = 24 * 1024 * 1024
    const batch = Array.from({ length: 100 }, () => randomBytes(1024))
    let sent = 0
    const sending = (async () => {
      while (sent < total) {
        tx.send({ type: MsgType.Envelopes, envelopes: batch })
        sent += 100 * 1024
        await tx.waitForRoom()
      }
      tx.send({ type: MsgType.CaughtUp, vaultId })
    })()
    let received = 0
    let messages = 0
    while (true) {
      const got = await rx.next()
      if (got === undefined) throw new Error('ended early')
      if (got.message.type === MsgType.CaughtUp) break
      received += 100 * 1024
      // a slow consumer: 20 ms pause every ~2 MiB, while the sender would happily run ahead
      if (++messages % 20 === 0) await new Promise(resolve => setTimeout(resolve, 20))
      rx.processed(got.bytes)
    }
    await sending
    expect(received).toBe(sent)
    expect(rx.error).toBeUndefined()
  })
})
