/**
 * `/kith/blob/1.0.0` on its own (sync/BlobExchange.ts): who is answered, what a hostile peer's
 * frames do, and that a node which takes no uploads (a device) refuses them.
 */
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { MemoryNetwork } from '../../daemon/network/memory/MemoryNetwork.js'
import { BlobStore } from '../../daemon/replica/BlobStore.js'
import { sealChunk } from '../../daemon/replica/blobChunk.js'
import { MemoryStorageAdapter } from '../../daemon/storage/MemoryStorageAdapter.js'
import { BlobExchange } from '../../daemon/sync/BlobExchange.js'
import { BLOB_PROTOCOL, MAX_BLOB_FRAME } from '../../daemon/sync/blobMessage.js'

const VAULT = 'ab'.repeat(16)

async function node(
  net: MemoryNetwork,
  id: string,
  options: { acceptsPuts?: boolean; serves?: (peer: string) => boolean; quotaBytes?: number; reclaim?: () => void } = {}
) {
  const network = net.adapter(id)
  network.setGate(() => true)
  await network.start()
  const store = new BlobStore(new MemoryStorageAdapter(), { quotaBytes: options.quotaBytes })
  const exchange = new BlobExchange({
    network,
    store,
    mayServe: peer => options.serves?.(peer) ?? true,
    acceptsPuts: options.acceptsPuts === true,
    mayDrop: peer => options.serves?.(peer) ?? true,
    reclaim: options.reclaim,
    log: () => {}
  })
  await exchange.serve()
  return { network, store, exchange }
}

const key = new Uint8Array(randomBytes(32))
const sealed = (i: number, last: boolean): Uint8Array => sealChunk(key, { blobId: 'f1', index: i, last }, new Uint8Array(randomBytes(1000)))

describe('the blob exchange', () => {
  it('serves the chunks asked for, in order, and only those it holds', async () => {
    const net = new MemoryNetwork()
    const a = await node(net, 'a'.repeat(64))
    const b = await node(net, 'b'.repeat(64))
    await a.store.putChunks(VAULT, 'f1', [
      [0, sealed(0, false)],
      [2, sealed(2, true)]
    ])
    const got: number[] = []
    const n = await b.exchange.fetch(a.network.deviceId, { vaultId: VAULT, blobId: 'f1', count: 3, indices: [0, 1, 2] }, async i => {
      got.push(i)
    })
    expect(n).toBe(2)
    expect(got).toEqual([0, 2])
  })

  it('takes a file window by window, in order, and reclaims each window once its chunks are handed over', async () => {
    const net = new MemoryNetwork()
    const a = await node(net, 'a'.repeat(64))
    const events: Array<number | 'reclaim'> = []
    const b = await node(net, 'b'.repeat(64), { reclaim: () => events.push('reclaim') })
    const count = 10
    await a.store.putChunks(
      VAULT,
      'f1',
      Array.from({ length: count }, (_, i): [number, Uint8Array] => [i, sealed(i, i === count - 1)])
    )
    const indices = Array.from({ length: count }, (_, i) => i)
    const n = await b.exchange.fetch(a.network.deviceId, { vaultId: VAULT, blobId: 'f1', count, indices }, async i => {
      await new Promise(resolve => setTimeout(resolve, 2)) // checking and storing a chunk takes a while
      events.push(i)
    })
    expect(n).toBe(count)
    // never two windows read side by side: a buffer alive at two collections in a row would outlive them both
    expect(events).toEqual([0, 1, 'reclaim', 2, 3, 'reclaim', 4, 5, 'reclaim', 6, 7, 'reclaim', 8, 9, 'reclaim'])
  })

  it('a transfer that breaks closes the window it had asked for ahead: no stream is left open', async () => {
    const net = new MemoryNetwork()
    const a = await node(net, 'a'.repeat(64))
    const b = await node(net, 'b'.repeat(64))
    const count = 12
    await a.store.putChunks(
      VAULT,
      'f1',
      Array.from({ length: count }, (_, i): [number, Uint8Array] => [i, sealed(i, i === count - 1)])
    )
    const indices = Array.from({ length: count }, (_, i) => i)
    const kept: number[] = []
    await expect(
      b.exchange.fetch(a.network.deviceId, { vaultId: VAULT, blobId: 'f1', count, indices }, async i => {
        // the last of the fourth window (windows of 2): the fifth was asked for as it arrived
        if (i === 7) throw new Error('chunk 7 does not open under the file key')
        kept.push(i)
      })
    ).rejects.toThrow(/fetching a file from/)
    expect(kept).toEqual([0, 1, 2, 3, 4, 5, 6])
    await new Promise(resolve => setTimeout(resolve, 20))
    expect(b.network.connections.get(a.network.deviceId)?.streams.size).toBe(0)
  })

  it('refuses a peer the roster does not let hold the vault: no chunk, no list, no upload, no drop', async () => {
    const net = new MemoryNetwork()
    const stranger = 's'.repeat(64)
    const a = await node(net, 'a'.repeat(64), { acceptsPuts: true, serves: peer => peer !== stranger })
    const s = await node(net, stranger)
    await a.store.putChunks(VAULT, 'f1', [[0, sealed(0, true)]])
    await a.store.setCount(VAULT, 'f1', 1)
    await expect(
      s.exchange.fetch(a.network.deviceId, { vaultId: VAULT, blobId: 'f1', count: 1, indices: [0] }, async () => {})
    ).rejects.toThrow(/does not serve this vault/)
    expect(await s.exchange.lacks(a.network.deviceId, VAULT, [{ blobId: 'f1', count: 1 }])).toEqual([])
    await expect(
      s.exchange.push(a.network.deviceId, { vaultId: VAULT, blobId: 'f2', count: 1, indices: [0] }, async () => sealed(0, true))
    ).rejects.toThrow(/takes no files/)
    await s.exchange.drop(a.network.deviceId, VAULT, ['f1'])
    await new Promise(resolve => setTimeout(resolve, 20))
    expect(await a.store.complete(VAULT, 'f1')).toBe(true)
    expect(await a.store.ids(VAULT)).toEqual(['f1'])
  })

  it('a device takes no uploads; a backup peer takes them, says what it lacks, and drops on request', async () => {
    const net = new MemoryNetwork()
    const device = await node(net, 'd'.repeat(64))
    const backup = await node(net, 'p'.repeat(64), { acceptsPuts: true })
    const sender = await node(net, 'a'.repeat(64))
    const chunks = [sealed(0, false), sealed(1, true)]
    await expect(
      sender.exchange.push(device.network.deviceId, { vaultId: VAULT, blobId: 'f1', count: 2, indices: [0, 1] }, async i => chunks[i])
    ).rejects.toThrow(/takes no files/)
    expect(await device.store.ids(VAULT)).toEqual([])
    expect(await sender.exchange.lacks(backup.network.deviceId, VAULT, [{ blobId: 'f1', count: 2 }])).toEqual([
      { blobId: 'f1', indices: [0, 1] }
    ])
    expect(
      await sender.exchange.push(backup.network.deviceId, { vaultId: VAULT, blobId: 'f1', count: 2, indices: [0, 1] }, async i => chunks[i])
    ).toBe(2)
    expect(await backup.store.complete(VAULT, 'f1')).toBe(true)
    expect(await sender.exchange.lacks(backup.network.deviceId, VAULT, [{ blobId: 'f1', count: 2 }])).toEqual([])
    await sender.exchange.drop(backup.network.deviceId, VAULT, ['f1'])
    await new Promise(resolve => setTimeout(resolve, 20))
    expect(await backup.store.ids(VAULT)).toEqual([])
  })

  it('a backup peer’s quota refuses an upload past it and keeps what fit', async () => {
    const net = new MemoryNetwork()
    const backup = await node(net, 'p'.repeat(64), { acceptsPuts: true, quotaBytes: 5000 })
    const sender = await node(net, 'a'.repeat(64))
    const chunks = Array.from({ length: 8 }, (_, i) => sealed(i, i === 7))
    await expect(
      sender.exchange.push(
        backup.network.deviceId,
        { vaultId: VAULT, blobId: 'f1', count: 8, indices: [0, 1, 2, 3, 4, 5, 6, 7] },
        async i => chunks[i]
      )
    ).rejects.toThrow()
    expect(await backup.store.used(VAULT)).toBeLessThanOrEqual(5000)
    expect(await backup.store.complete(VAULT, 'f1')).toBe(false)
  })

  it('garbage on the wire ends that stream only: a malformed request, a chunk out of range, an oversize frame', async () => {
    const net = new MemoryNetwork()
    const backup = await node(net, 'p'.repeat(64), { acceptsPuts: true })
    const other = await node(net, 'a'.repeat(64))
    const options = { maxFrameBytes: 2 * MAX_BLOB_FRAME, maxBufferBytes: 8 * MAX_BLOB_FRAME }
    const garbage = await other.network.openStream(backup.network.deviceId, [], BLOB_PROTOCOL, options)
    await garbage.write(new Uint8Array([9, 9, 9]))
    await expect(garbage.read()).rejects.toThrow()
    // a chunk index past the count it announced
    const push = await other.network.openStream(backup.network.deviceId, [], BLOB_PROTOCOL, options)
    const { encodeBlobRequest, BlobOp, encodeChunk } = await import('../../daemon/sync/blobMessage.js')
    await push.write(encodeBlobRequest({ op: BlobOp.Put, vaultId: VAULT, blobId: 'f9', count: 1 }))
    await push.write(encodeChunk(5, sealed(5, true)))
    await expect(push.read()).rejects.toThrow()
    expect(await backup.store.ids(VAULT)).toEqual(['f9']) // the count only: no chunk was kept
    expect(await backup.store.missing(VAULT, 'f9', 1)).toEqual([0])
    // the exchange still answers honest requests
    expect(await other.exchange.lacks(backup.network.deviceId, VAULT, [{ blobId: 'f1', count: 1 }])).toEqual([
      { blobId: 'f1', indices: [0] }
    ])
  })
})
