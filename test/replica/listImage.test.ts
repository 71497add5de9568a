import { describe, it, expect } from 'vitest'
import { MemoryStorageAdapter } from '../../daemon/storage/MemoryStorageAdapter.js'
import { DeviceIdentity } from '../../daemon/keyring/DeviceIdentity.js'
import { VaultReplica, type VaultKeys } from '../../daemon/replica/VaultReplica.js'
import { storageViews, vaultLayout } from '../../daemon/storage/storageLayout.js'
import { randomBytes } from '../../daemon/crypto/random.js'
import { toHex } from '../../daemon/crypto/bytes.js'
import { ItemIndex } from '../../daemon/service/ItemIndex.js'

const vaultId = toHex(randomBytes(16))
const key = randomBytes(32)
const keys: VaultKeys = { currentEpoch: () => 0, key: () => key }
const imageKey = vaultLayout.prefix(vaultId) + vaultLayout.listImage

function signer(identity = DeviceIdentity.generate()) {
  return { publicKey: identity.publicKey, sign: (m: Uint8Array) => identity.sign(m), deviceId: identity.deviceId }
}

async function replica(storage: MemoryStorageAdapter, s: ReturnType<typeof signer>, trust?: (a: string) => boolean) {
  const r = new VaultReplica(vaultId, storageViews(storage).vault(vaultId), s, { isTrustedAuthor: trust })
  await r.open()
  return r
}

const list = (index: ItemIndex, trashed = false): unknown[] => {
  const out: string[] = []
  index.list(trashed, out)
  return JSON.parse(`[${out.join(',')}]`) as unknown[]
}

/** A vault with three items, locked after storing its list picture as a lock does. */
async function lockedWithPicture() {
  const storage = new MemoryStorageAdapter()
  const s = signer()
  const r = await replica(storage, s)
  await r.unlock(keys)
  r.doc.name = 'Personal'
  const ids = ['GitHub', 'eBay', 'Bank'].map(title =>
    r.doc.create({ title, username: `me@${title}`, password: `pw-${title}`, notes: 'Café ☕ 日本 — not ASCII' })
  )
  r.doc.update(ids[2] as string, { trashed: true })
  const index = new ItemIndex(r)
  const before = { live: list(index), trash: list(index, true) }
  await r.writeListImage(index.picture())
  await r.lock()
  return { storage, s, ids, before }
}

describe('list pictures: an unlock lists before the document is built', () => {
  it('an unlock with nothing new answers lists and searches from the picture, without building the document', async () => {
    const { storage, s, before } = await lockedWithPicture()
    const r = await replica(storage, s)
    await r.unlock(keys)
    expect(r.unlocked).toBe(true)
    expect(r.materialized).toBe(false)
    const picture = r.takeListImage()
    expect(picture).toBeDefined()
    const index = ItemIndex.fromPicture(r, picture as Uint8Array) as ItemIndex
    expect({ live: list(index), trash: list(index, true) }).toEqual(before)
    expect(index.name).toBe('Personal')
    expect(index.size).toBe(3)
    const found: string[] = []
    index.search('me@ebay', false, found)
    expect(found).toHaveLength(1)
    expect(r.materialized).toBe(false)
    // the document, when wanted, holds the same items
    expect(
      r.doc
        .all()
        .map(i => i.title)
        .sort()
    ).toEqual(['Bank', 'GitHub', 'eBay'])
    expect(r.materialized).toBe(true)
  })

  it('the first change after the unlock deletes the stored picture (a purge leaves no picture of the item behind)', async () => {
    const { storage, s, ids } = await lockedWithPicture()
    const r = await replica(storage, s)
    await r.unlock(keys)
    const index = ItemIndex.fromPicture(r, r.takeListImage() as Uint8Array) as ItemIndex
    expect(await storage.get(imageKey)).toBeDefined()
    r.doc.purge(ids[0] as string)
    index.invalidate([ids[0] as string])
    await r.flush()
    expect(await storage.get(imageKey)).toBeUndefined()
    expect(r.listImageCurrent).toBe(false)
    // and the index now reads the document: the purged item is gone from the list
    expect(list(index).map(i => (i as { title: string }).title)).toEqual(['eBay'])
  })

  it('a picture older than the log (a change arrived while locked) is not used, and goes', async () => {
    const { storage, s } = await lockedWithPicture()
    // another device's change, stored while this one was locked
    const other = signer()
    const peerStorage = new MemoryStorageAdapter()
    const peer = await replica(peerStorage, other)
    await peer.unlock(keys)
    peer.doc.create({ title: 'From the other device' })
    await peer.flush()
    const r = await replica(storage, s, author => author === s.deviceId || author === other.deviceId)
    for (const bytes of await peer.envelopesAfter(other.deviceId, 0)) expect(await r.receive(bytes)).toBe(true)
    await r.unlock(keys)
    expect(r.takeListImage()).toBeUndefined()
    await r.flush()
    expect(await storage.get(imageKey)).toBeUndefined()
    expect(r.doc.all().map(i => i.title)).toContain('From the other device')
  })

  it('a damaged or swapped picture record is ignored, never fatal', async () => {
    const { storage, s } = await lockedWithPicture()
    const stored = (await storage.get(imageKey)) as Uint8Array
    const damaged = stored.slice()
    damaged[damaged.length - 5] = (damaged[damaged.length - 5] as number) ^ 1
    await storage.put(imageKey, damaged)
    const r = await replica(storage, s)
    await r.unlock(keys)
    expect(r.takeListImage()).toBeUndefined()
    expect(r.doc.size).toBe(3)
    // sealed under another vault's key: does not open either
    await r.lock()
    const otherKey = randomBytes(32)
    const swapped = await replica(storage, s)
    await storage.put(imageKey, stored)
    await swapped.unlock({ currentEpoch: () => 0, key: () => otherKey })
    expect(swapped.takeListImage()).toBeUndefined()
  })

  it('a change received from a peer while the document is not built yet builds it and is applied', async () => {
    const { storage, s } = await lockedWithPicture()
    const other = signer()
    const peer = await replica(new MemoryStorageAdapter(), other)
    await peer.unlock(keys)
    peer.doc.create({ title: 'Late' })
    await peer.flush()
    const r = await replica(storage, s, author => author === s.deviceId || author === other.deviceId)
    await r.unlock(keys)
    expect(r.materialized).toBe(false)
    for (const bytes of await peer.envelopesAfter(other.deviceId, 0)) await r.receive(bytes)
    expect(r.materialized).toBe(true)
    expect(r.doc.all().map(i => i.title)).toContain('Late')
    expect(await storage.get(imageKey)).toBeUndefined()
  })

  it('a lock before the document was built drops what the unlock read, and the picture stays valid', async () => {
    const { storage, s, before } = await lockedWithPicture()
    const r = await replica(storage, s)
    await r.unlock(keys)
    await r.lock()
    expect(r.unlocked).toBe(false)
    expect(() => r.doc).toThrow(/locked/)
    await r.unlock(keys)
    const index = ItemIndex.fromPicture(r, r.takeListImage() as Uint8Array) as ItemIndex
    expect(list(index)).toEqual(before.live)
  })

  it('no plaintext of the picture is on disk', async () => {
    const { storage } = await lockedWithPicture()
    const stored = Buffer.from((await storage.get(imageKey)) as Uint8Array)
    for (const secret of ['pw-GitHub', 'me@eBay', 'GitHub', 'Personal']) expect(stored.includes(secret)).toBe(false)
  })

  it('a malformed picture gives no index (never a wrong list)', () => {
    const source = { doc: undefined as never, materialized: false }
    expect(ItemIndex.fromPicture(source, new Uint8Array([0, 0, 0, 9, 1, 2]))).toBeUndefined()
    const header = new TextEncoder().encode(
      JSON.stringify({ v: 2, name: 'x', chunks: [{ ids: ['a'], j: [50], h: [1], t: [0], jb: 50, hb: 1 }] })
    )
    const bytes = new Uint8Array(4 + header.length + 3)
    new DataView(bytes.buffer).setUint32(0, header.length)
    bytes.set(header, 4)
    expect(ItemIndex.fromPicture(source, bytes)).toBeUndefined()
  })
})
