/**
 * Files between two devices over real libp2p (TCP + Noise + yamux on 127.0.0.1): many chunks in a
 * row, file after file. libp2p buffers whatever arrives whether or not it is read, and limits the
 * open streams per protocol: a transfer that ignored either broke after a megabyte or a few files.
 */
import { createHash, randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { eventually, SyncDevice } from './helpers/syncDevice.js'

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')
async function* once(data: Uint8Array): AsyncGenerator<Uint8Array> {
  yield data
}

const devices: SyncDevice[] = []
afterEach(async () => {
  for (const d of devices.splice(0)) await d.stop()
})

describe('attachments over libp2p', () => {
  it('four 10 MB files reach the other device whole, one after another', async () => {
    const a = await SyncDevice.create('A', 'libp2p')
    const b = await SyncDevice.create('B', 'libp2p')
    devices.push(a, b)
    await a.init()
    await b.joinFrom(a)
    await eventually(() => a.sync.engine.isOnline(b.id) && b.sync.engine.isOnline(a.id), 'both online', 20_000)
    const item = await a.service.createItem({ title: 'Archive' })
    for (let i = 0; i < 4; i++) {
      const data = new Uint8Array(randomBytes(10 * 1000 * 1000))
      const info = await a.device.attachments.add(item.id, `part-${i}.bin`, once(data))
      await eventually(() => b.service.listItems().some(x => x.attachments.some(f => f.id === info.id)), 'the record on B', 10_000)
      expect(sha(await b.device.attachments.readAll(item.id, info.id))).toBe(sha(data))
    }
    expect(b.logs.filter(l => /stopped/.test(l.message))).toEqual([])
  }, 120_000)
})
