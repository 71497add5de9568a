/** Files on items: sealed chunks outside the document, streamed in and out, fetched from peers, gone for good when removed. */
import { createHash, randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { MemoryNetwork } from '../../daemon/network/memory/MemoryNetwork.js'
import { CHUNK_BYTES } from '../../daemon/replica/blobChunk.js'
import { blobLayout } from '../../daemon/storage/storageLayout.js'
import { memoryService, PASSWORD } from '../helpers/memoryDevice.js'
import { eventually, SyncDevice } from '../sync/helpers/syncDevice.js'

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')
async function* pieces(data: Uint8Array, size = 65_537): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size)
}
async function blobKeys(storage: { keys: (p: string) => AsyncIterable<string> }): Promise<string[]> {
  const out: string[] = []
  for await (const k of storage.keys(blobLayout.prefix)) out.push(k)
  return out
}
function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.length).includes(Buffer.from(needle))
}

const devices: SyncDevice[] = []
afterEach(async () => {
  for (const d of devices.splice(0)) await d.stop()
})

describe('attachments on one device', () => {
  it('stores a file in sealed chunks and gives the same bytes back, for sizes around the chunk size', async () => {
    const { device, service, storage } = await memoryService()
    await service.init(PASSWORD)
    const item = await service.createItem({ title: 'Passport' })
    for (const size of [0, 1, CHUNK_BYTES, CHUNK_BYTES + 1, 3 * CHUNK_BYTES - 7]) {
      const data = new Uint8Array(randomBytes(size))
      const info = await device.attachments.add(item.id, `file-${size}.bin`, pieces(data))
      expect(info).toEqual({ id: expect.any(String), name: `file-${size}.bin`, size, sha256: sha(data) })
      expect(sha(await device.attachments.readAll(item.id, info.id))).toBe(sha(data))
      expect(sha(await device.attachments.readAll(item.id, `file-${size}.bin`))).toBe(sha(data))
    }
    expect(service.getItem(item.id).attachments.map(a => a.size)).toEqual([0, 1, CHUNK_BYTES, CHUNK_BYTES + 1, 3 * CHUNK_BYTES - 7])
    // nothing of a file is on disk in the clear
    const marker = new TextEncoder().encode('TOP SECRET PASSPORT NUMBER 1234567')
    const text = new Uint8Array(Buffer.concat([Buffer.from(marker), randomBytes(CHUNK_BYTES), Buffer.from(marker)]))
    await device.attachments.add(item.id, 'scan.txt', pieces(text))
    for await (const [, value] of storage.entries('')) expect(contains(value, marker)).toBe(false)
  })

  it('refuses a file over the limit and keeps nothing of it; refuses a second file of the same name and bad names', async () => {
    const { device, service, storage } = await memoryService()
    await service.init(PASSWORD)
    const item = await service.createItem({ title: 'Big' })
    const big = new Uint8Array(25 * 1024 * 1024 + 1)
    await expect(device.attachments.add(item.id, 'big.iso', pieces(big, 1 << 20))).rejects.toThrow(/larger than the limit of 25 MB/)
    expect(await blobKeys(storage)).toEqual([])
    expect(service.getItem(item.id).attachments).toEqual([])
    await device.attachments.add(item.id, 'a.txt', pieces(new Uint8Array([1])))
    await expect(device.attachments.add(item.id, 'a.txt', pieces(new Uint8Array([2])))).rejects.toMatchObject({
      name: 'AttachmentExistsError'
    })
    for (const bad of ['', '  ', '../x', 'a/b', 'a\\b', 'tab\there', '..'])
      await expect(device.attachments.add(item.id, bad, pieces(new Uint8Array([2])))).rejects.toMatchObject({ name: 'InvalidRequestError' })
    await expect(device.attachments.add('no-such-item', 'x', pieces(new Uint8Array([2])))).rejects.toMatchObject({
      name: 'ItemNotFoundError'
    })
    expect(service.getItem(item.id).attachments.map(a => a.name)).toEqual(['a.txt'])
  })

  it('a broken upload leaves nothing behind', async () => {
    const { device, service, storage } = await memoryService()
    await service.init(PASSWORD)
    const item = await service.createItem({ title: 'Broken' })
    async function* breaks(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array(randomBytes(3 * CHUNK_BYTES))
      throw new Error('the connection dropped')
    }
    await expect(device.attachments.add(item.id, 'x.bin', breaks())).rejects.toThrow(/connection dropped/)
    expect(await blobKeys(storage)).toEqual([])
    expect(service.getItem(item.id).attachments).toEqual([])
  })

  it('removing a file, or purging its item, deletes its chunks', async () => {
    const { device, service, storage } = await memoryService()
    await service.init(PASSWORD)
    const a = await service.createItem({ title: 'A' })
    const b = await service.createItem({ title: 'B' })
    const fa = await device.attachments.add(a.id, 'a.bin', pieces(new Uint8Array(randomBytes(CHUNK_BYTES * 2))))
    await device.attachments.add(b.id, 'b.bin', pieces(new Uint8Array(randomBytes(10))))
    await device.attachments.remove(a.id, fa.id)
    expect(service.getItem(a.id).attachments).toEqual([])
    expect((await blobKeys(storage)).some(k => k.includes(fa.id))).toBe(false)
    await expect(device.attachments.readAll(a.id, fa.id)).rejects.toMatchObject({ name: 'AttachmentNotFoundError' })
    await service.trashItem(b.id)
    await service.purgeItem(b.id)
    expect(await blobKeys(storage)).toEqual([])
  })
})

describe('attachments between devices (memory network)', () => {
  async function pair(): Promise<{ a: SyncDevice; b: SyncDevice }> {
    const net = new MemoryNetwork()
    const a = await SyncDevice.create('A', net)
    const b = await SyncDevice.create('B', net)
    devices.push(a, b)
    await a.init()
    await b.joinFrom(a)
    await eventually(() => a.sync.engine.isOnline(b.id) && b.sync.engine.isOnline(a.id), 'both online')
    return { a, b }
  }

  it('a file added on one device is fetched by the other, byte for byte, and a removal deletes it there too', async () => {
    const { a, b } = await pair()
    const item = await a.service.createItem({ title: 'Deed' })
    const data = new Uint8Array(randomBytes(5 * CHUNK_BYTES + 99))
    const info = await a.device.attachments.add(item.id, 'deed.pdf', pieces(data))
    await eventually(() => b.service.listItems().some(i => i.attachments.length === 1), 'the record on B')
    // fetched in the background, ahead of any read
    await eventually(async () => await b.device.blobStore.complete(b.service.vaults()[0]?.id as string, info.id), 'chunks on B', 10_000)
    expect(sha(await b.device.attachments.readAll(item.id, 'deed.pdf'))).toBe(sha(data))
    await a.device.attachments.remove(item.id, info.id)
    await eventually(async () => (await blobKeys(b.storage)).length === 0, 'chunks gone on B', 10_000)
  })

  it('resumes: a device holding part of a file fetches only the chunks it lacks', async () => {
    const { a, b } = await pair()
    b.device.blobSync.stop() // no background fetch: the read below does it
    const item = await a.service.createItem({ title: 'Resume' })
    const data = new Uint8Array(randomBytes(8 * CHUNK_BYTES))
    const info = await a.device.attachments.add(item.id, 'big.bin', pieces(data))
    await eventually(() => b.service.listItems().some(i => i.attachments.length === 1), 'the record on B')
    const vaultId = b.service.vaults()[0]?.id as string
    // B got the first three chunks before the connection broke
    const chunks: Array<[number, Uint8Array]> = []
    for (let i = 0; i < 3; i++) chunks.push([i, (await a.device.blobStore.chunk(vaultId, info.id, i)) as Uint8Array])
    await b.device.blobStore.putChunks(vaultId, info.id, chunks)
    expect(sha(await b.device.attachments.readAll(item.id, info.id))).toBe(sha(data))
    expect(b.logs.map(l => l.message)).toContainEqual(expect.stringMatching(/fetched 5 of 8 chunks of a file/))
  })

  it('a peer that sends bytes that are not the file gets none of them kept', async () => {
    const { a, b } = await pair()
    b.device.blobSync.stop()
    const item = await a.service.createItem({ title: 'Tamper' })
    const info = await a.device.attachments.add(item.id, 't.bin', pieces(new Uint8Array(randomBytes(2 * CHUNK_BYTES))))
    await eventually(() => b.service.listItems().some(i => i.attachments.length === 1), 'the record on B')
    const vaultId = a.service.vaults()[0]?.id as string
    // A's copy of chunk 1 is damaged (or A lies): B refuses it and keeps nothing of it
    const store = a.device.blobStore
    const good = (await store.chunk(vaultId, info.id, 1)) as Uint8Array
    const bad = good.slice()
    bad[40] = (bad[40] as number) ^ 1
    await a.storage.put(blobLayout.prefix + blobLayout.chunk(vaultId, info.id, 1), bad)
    await expect(b.device.attachments.readAll(item.id, info.id)).rejects.toMatchObject({ name: 'AttachmentUnavailableError' })
    expect(await b.device.blobStore.chunk(vaultId, info.id, 1)).toBeUndefined()
  })
})

describe('attachments and migration', () => {
  it('moving an item to another vault takes its files with it, and leaves no chunk in the old vault', async () => {
    const { device, service, storage } = await memoryService()
    await service.init(PASSWORD)
    await device.items.createVault('Work')
    const mine = await device.items.createItem({ vault: 'Work', title: 'Netflix', urls: ['https://netflix.com'] })
    const data = new Uint8Array(randomBytes(2 * CHUNK_BYTES + 5))
    const info = await device.attachments.add(mine.id, 'receipt.pdf', pieces(data))
    const work = device.items.replicaByName('Work').vaultId
    const personal = device.items.replicaByName('Personal').vaultId
    const plan = await device.portability.migrate({ from: 'Work', to: 'Personal', orgDomains: ['acme-corp.example'], dryRun: false })
    expect(plan.moved).toEqual([mine.id])
    const moved = service.getItem(mine.id)
    expect(moved.vault).toBe('Personal')
    expect(moved.attachments).toEqual([info])
    expect(sha(await device.attachments.readAll(mine.id, 'receipt.pdf'))).toBe(sha(data))
    const keys = await blobKeys(storage)
    expect(keys.some(k => k.includes(`${personal}/${info.id}/`))).toBe(true)
    expect(keys.some(k => k.includes(`${work}/`))).toBe(false)
  })
})

describe('attachments: hostile records', () => {
  it('a record no chunk count fits (from a dishonest device) is skipped; the other files still arrive', async () => {
    const net = new MemoryNetwork()
    const a = await SyncDevice.create('A', net)
    const b = await SyncDevice.create('B', net)
    devices.push(a, b)
    await a.init()
    await b.joinFrom(a)
    await eventually(() => a.sync.engine.isOnline(b.id) && b.sync.engine.isOnline(a.id), 'both online')
    const item = await a.service.createItem({ title: 'Mixed' })
    a.device.items.replicaOf(item.id).doc.addAttachment(item.id, {
      id: 'huge',
      name: 'huge.bin',
      size: 2 ** 45,
      sha256: 'a'.repeat(64),
      key: 'A'.repeat(43),
      chunkSize: 1,
      addedAt: '2026-01-01T00:00:00.000Z'
    })
    const data = new Uint8Array(randomBytes(CHUNK_BYTES + 3))
    const info = await a.device.attachments.add(item.id, 'fine.bin', pieces(data))
    const vaultId = a.service.vaults()[0]?.id as string
    await eventually(async () => await b.device.blobStore.complete(vaultId, info.id), 'the honest file on B', 10_000)
    expect(sha(await b.device.attachments.readAll(item.id, 'fine.bin'))).toBe(sha(data))
    await expect(b.device.attachments.readAll(item.id, 'huge.bin')).rejects.toThrow()
  })

  it('a record whose name holds control characters or a path is not shown, read or fetched', async () => {
    const { device, service } = await memoryService()
    await service.init(PASSWORD)
    const item = await service.createItem({ title: 'Names' })
    const doc = device.items.replicaOf(item.id).doc
    const base = { size: 1, sha256: 'a'.repeat(64), key: 'A'.repeat(43), chunkSize: CHUNK_BYTES, addedAt: '2026-01-01T00:00:00.000Z' }
    const hostile: Array<[string, string]> = [
      ['esc', 'report\u001b[2J.pdf'],
      ['csi', 'x\u009b31m.txt'],
      ['newline', 'a\r\nSet-Cookie: x'],
      ['path', '../../etc/passwd'],
      ['spaces', ' padded ']
    ]
    for (const [id, name] of hostile) doc.addAttachment(item.id, { id, name, ...base })
    expect(service.getItem(item.id).attachments).toEqual([])
    expect(doc.attachments()).toEqual([])
    await expect(device.attachments.readAll(item.id, 'esc')).rejects.toMatchObject({ name: 'AttachmentNotFoundError' })
  })
})
