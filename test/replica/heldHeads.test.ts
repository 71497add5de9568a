/**
 * What a replica keeps while it runs must not pin the records it was read from. A signed head is
 * kept for as long as the replica holds its author (HeadVector, quarantine proofs); when its hashes
 * and signature were views into the record they were decoded from, each head of a 3 MB snapshot
 * kept the whole 3 MB buffer alive (twice: once for what is stored, once for what is applied),
 * and the decrypted records stayed reachable from the unlock's closures until the next lock.
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, it, expect, vi } from 'vitest'
import { MemoryStorageAdapter } from '../../daemon/storage/MemoryStorageAdapter.js'
import type { StorageAdapter } from '../../daemon/storage/StorageAdapter.js'
import { DeviceIdentity } from '../../daemon/keyring/DeviceIdentity.js'
import { VaultReplica, type VaultKeys } from '../../daemon/replica/VaultReplica.js'
import { decodeEnvelope, headOf } from '../../daemon/replica/Envelope.js'
import { decodeSnapshot } from '../../daemon/replica/Snapshot.js'
import { decodeMessage, encodeMessage, MsgType } from '../../daemon/sync/messages.js'
import { storageViews, vaultLayout } from '../../daemon/storage/storageLayout.js'
import type { SignedHead } from '../../daemon/codec/SignedHead.js'
import { randomBytes } from '../../daemon/crypto/random.js'
import { toHex } from '../../daemon/crypto/bytes.js'

// records the decrypted updates an unlock reads, to watch whether they are let go
const decrypted: Array<WeakRef<Uint8Array>> = []
vi.mock('../../daemon/replica/storedRecords.js', async importOriginal => {
  const real = await importOriginal<typeof import('../../daemon/replica/storedRecords.js')>()
  return {
    ...real,
    openStoredRecords: async (...args: Parameters<typeof real.openStoredRecords>) => {
      const read = await real.openStoredRecords(...args)
      for (const update of read.updates) decrypted.push(new WeakRef(update))
      return read
    }
  }
})

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

const vaultId = toHex(randomBytes(16))
const key = randomBytes(32)
const keys: VaultKeys = { currentEpoch: () => 0, key: () => key }

function signer(identity = DeviceIdentity.generate()) {
  return { publicKey: identity.publicKey, sign: (m: Uint8Array) => identity.sign(m), deviceId: identity.deviceId }
}

async function replica(storage: StorageAdapter, s = signer(), isTrustedAuthor?: (author: string) => boolean): Promise<VaultReplica> {
  const r = new VaultReplica(vaultId, storageViews(storage).vault(vaultId), s, { isTrustedAuthor })
  await r.open()
  return r
}

/** Each byte field of the head is a buffer of its own, exactly its length (not a view into a record). */
function ownsItsBytes(head: SignedHead, record: Uint8Array): void {
  for (const field of [head.prevHash, head.hash, head.signature]) {
    expect(field.buffer).not.toBe(record.buffer)
    expect(field.buffer.byteLength).toBe(field.length)
  }
}

/** Storage that hands out every value as a view into a larger buffer, as network frames and read batches are. */
class ViewingStorage extends MemoryStorageAdapter {
  override async get(k: string): Promise<Uint8Array | undefined> {
    const v = await super.get(k)
    return v === undefined ? undefined : inLargerBuffer(v)
  }
  override async *entries(prefix: string, options?: { limit?: number; gt?: string }): AsyncIterable<[string, Uint8Array]> {
    for await (const [k, v] of super.entries(prefix, options)) yield [k, inLargerBuffer(v)]
  }
}

/** The one record stored under `prefix` in the vault. */
async function onlyRecord(storage: StorageAdapter, prefix: string): Promise<Uint8Array> {
  const out: Uint8Array[] = []
  for await (const [, bytes] of storage.entries(vaultLayout.prefix(vaultId) + prefix)) out.push(bytes)
  const [bytes] = out
  if (out.length !== 1 || bytes === undefined) throw new Error(`expected one record under ${prefix}, found ${out.length}`)
  return bytes
}

function inLargerBuffer(v: Uint8Array): Uint8Array {
  const big = new Uint8Array(v.length + 4096)
  big.set(v, 1024)
  return big.subarray(1024, 1024 + v.length)
}

/** A vault of 50 items in a snapshot, and `after` envelopes stored after it; returns its storage and signer. */
async function filledVault(after: number): Promise<{ storage: ViewingStorage; s: ReturnType<typeof signer> }> {
  const storage = new ViewingStorage()
  const s = signer()
  const r = await replica(storage, s)
  await r.unlock(keys)
  for (let i = 0; i < 50; i++) r.doc.create({ title: `item ${i}`, password: toHex(randomBytes(16)) })
  await r.lock()
  await r.unlock(keys)
  for (let i = 0; i < after; i++) r.doc.create({ title: `after the snapshot ${i}` })
  await r.flush()
  return { storage, s }
}

describe('heads held by a replica keep none of the record they came from', () => {
  it('a snapshot’s heads own their bytes', async () => {
    const storage = new MemoryStorageAdapter()
    const r = await replica(storage)
    await r.unlock(keys)
    r.doc.create({ title: 'one' })
    await r.lock()
    const bytes = await onlyRecord(storage, vaultLayout.snapshots)
    const heads = decodeSnapshot(bytes).heads ?? []
    expect(heads).toHaveLength(1)
    for (const head of heads) ownsItsBytes(head, bytes)
  })

  it('an envelope’s head owns its bytes', async () => {
    const storage = new MemoryStorageAdapter()
    const r = await replica(storage)
    await r.unlock(keys)
    r.doc.create({ title: 'one' })
    await r.flush()
    const bytes = await onlyRecord(storage, vaultLayout.envelopes())
    const head = headOf(decodeEnvelope(bytes))
    expect(head).toBeDefined()
    if (head !== undefined) ownsItsBytes(head, bytes)
  })

  it('the heads of a VAULT message own their bytes', async () => {
    const storage = new MemoryStorageAdapter()
    const r = await replica(storage)
    await r.unlock(keys)
    r.doc.create({ title: 'one' })
    await r.flush()
    const frame = encodeMessage({ type: MsgType.Vault, vaultId, heads: r.heads(), replyWanted: false })
    const m = decodeMessage(frame)
    if (m.type !== MsgType.Vault) throw new Error('not a VAULT message')
    expect(m.heads).toHaveLength(1)
    for (const head of m.heads) ownsItsBytes(head, frame)
  })

  it.each([0, 2])('after open and unlock, every held head is a buffer of its own (a snapshot and %i envelopes)', async after => {
    const { storage, s } = await filledVault(after)
    const r = await replica(storage, s)
    const check = (): void => {
      const heads = r.heads()
      expect(heads).toHaveLength(1)
      for (const head of heads) for (const f of [head.prevHash, head.hash, head.signature]) expect(f.buffer.byteLength).toBe(f.length)
    }
    check()
    await r.unlock(keys)
    check()
    await r.lock()
  })

  it('a received envelope’s head is kept without the frame it arrived in', async () => {
    const storage = new MemoryStorageAdapter()
    const s = signer()
    const author = await replica(storage, s)
    await author.unlock(keys)
    author.doc.create({ title: 'sent' })
    await author.flush()
    const bytes = await onlyRecord(storage, vaultLayout.envelopes())
    const frame = inLargerBuffer(bytes)
    const receiver = await replica(new MemoryStorageAdapter(), signer(), a => a === s.deviceId)
    await receiver.unlock(keys)
    expect(await receiver.receive(frame)).toBe(true)
    const tip = receiver.tip(s.deviceId)
    expect(tip?.seq).toBe(1)
    if (tip !== undefined) ownsItsBytes(tip, frame)
  })

  it('the decrypted records an unlock applied are garbage once the document holds them', async () => {
    const { storage, s } = await filledVault(2)
    decrypted.length = 0
    const r = await replica(storage, s)
    await r.unlock(keys)
    expect(r.doc.all()).toHaveLength(52)
    expect(decrypted).toHaveLength(3)
    await new Promise(resolve => setTimeout(resolve, 0))
    gc()
    expect(decrypted.filter(ref => ref.deref() !== undefined)).toHaveLength(0)
    await r.lock()
  })
})
