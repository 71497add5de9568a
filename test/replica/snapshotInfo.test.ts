/**
 * A keyless replica (a backup peer) notes each stored snapshot's size and heads beside it, and reads
 * those notes instead of the snapshots when it opens a vault, measures its quota or judges a newly
 * received snapshot; it keeps its quota count with every write, so opening reads that count rather
 * than every envelope. On LevelDB every byte read stays mapped into the process, and snapshots and
 * large envelopes (an import) are nearly all of what it stores (3 MB for 10,000 items).
 */
import { describe, it, expect } from 'vitest'
import { MemoryStorageAdapter } from '../../daemon/storage/MemoryStorageAdapter.js'
import type { StorageAdapter, StorageOp } from '../../daemon/storage/StorageAdapter.js'
import { DeviceIdentity } from '../../daemon/keyring/DeviceIdentity.js'
import { VaultReplica, type VaultKeys } from '../../daemon/replica/VaultReplica.js'
import { storageViews, vaultLayout } from '../../daemon/storage/storageLayout.js'
import { decodeSnapshotInfo } from '../../daemon/replica/snapshotInfo.js'
import { decodeSnapshot } from '../../daemon/replica/Snapshot.js'
import { randomBytes } from '../../daemon/crypto/random.js'
import { toHex } from '../../daemon/crypto/bytes.js'

const vaultId = toHex(randomBytes(16))
const key = randomBytes(32)
const keys: VaultKeys = { currentEpoch: () => 0, key: () => key }
const SNAPSHOTS = vaultLayout.prefix(vaultId) + vaultLayout.snapshots

function signer(identity = DeviceIdentity.generate()) {
  return { publicKey: identity.publicKey, sign: (m: Uint8Array) => identity.sign(m), deviceId: identity.deviceId }
}
type S = ReturnType<typeof signer>

/** A store that remembers every key whose value it handed out. */
class ReadLog implements StorageAdapter {
  readonly read: string[] = []
  constructor(private readonly inner: MemoryStorageAdapter) {}
  open = async (): Promise<void> => await this.inner.open()
  get = async (k: string): Promise<Uint8Array | undefined> => {
    this.read.push(k)
    return await this.inner.get(k)
  }
  getMany = async (ks: string[]): Promise<Array<Uint8Array | undefined>> => {
    this.read.push(...ks)
    return await this.inner.getMany(ks)
  }
  put = async (k: string, v: Uint8Array): Promise<void> => await this.inner.put(k, v)
  del = async (k: string): Promise<void> => await this.inner.del(k)
  batch = async (ops: StorageOp[]): Promise<void> => await this.inner.batch(ops)
  async *entries(prefix: string, options?: { limit?: number; gt?: string }): AsyncIterable<[string, Uint8Array]> {
    for await (const [k, v] of this.inner.entries(prefix, options)) {
      this.read.push(k)
      yield [k, v]
    }
  }
  keys = (prefix: string): AsyncIterable<string> => this.inner.keys(prefix)
  compact = async (): Promise<void> => await this.inner.compact()
  clear = async (): Promise<void> => await this.inner.clear()
  close = async (): Promise<void> => await this.inner.close()
  /** the snapshots whose bytes were read */
  snapshotsRead(): string[] {
    return this.read.filter(k => k.startsWith(SNAPSHOTS))
  }
}

async function replica(storage: StorageAdapter, s: S, trusted: S[], keyless: boolean, quotaBytes?: number): Promise<VaultReplica> {
  const ids = new Set(trusted.map(t => t.deviceId))
  const r = new VaultReplica(vaultId, storageViews(storage).vault(vaultId), s, {
    isTrustedAuthor: a => ids.has(a),
    compactReceived: keyless,
    quotaBytes
  })
  await r.open()
  return r
}

async function keysUnder(storage: StorageAdapter, prefix: string): Promise<string[]> {
  const out: string[] = []
  for await (const k of storage.keys(vaultLayout.prefix(vaultId) + prefix)) out.push(k.slice(vaultLayout.prefix(vaultId).length))
  return out
}

/** Device `s` with `n` items and a snapshot of them, then one more change (an envelope after it). */
async function device(s: S, trusted: S[], n: number): Promise<VaultReplica> {
  const d = await replica(new MemoryStorageAdapter(), s, trusted, false)
  await d.unlock(keys)
  for (let i = 0; i < n; i++) d.doc.create({ title: `item ${i}`, notes: 'x'.repeat(200) })
  await d.snapshot()
  d.doc.create({ title: 'after the snapshot' })
  await d.flush()
  return d
}

async function copy(from: VaultReplica, to: VaultReplica, authors: S[]): Promise<void> {
  for (const bytes of await from.snapshots()) await to.receiveSnapshot(bytes)
  for (const a of authors)
    for (const bytes of await from.envelopesAfter(a.deviceId, to.vector().get(a.deviceId) ?? 0)) await to.receive(bytes)
}

describe('a keyless replica opens without reading what it stores: snapshot infos and a kept count', () => {
  it('opens a vault, counts its quota and judges a newer snapshot without reading a stored snapshot', async () => {
    const a = signer()
    const peer = signer()
    const all = [a, peer]
    const deviceA = await device(a, all, 50)
    const memory = new MemoryStorageAdapter()
    const backup = await replica(memory, peer, all, true, 1024 * 1024 * 1024)
    await copy(deviceA, backup, all)
    const [stored] = await deviceA.snapshots()
    const info = await memory.get(vaultLayout.prefix(vaultId) + vaultLayout.snapshotInfo(a.deviceId))
    expect(info).toBeDefined()
    expect(decodeSnapshotInfo(info as Uint8Array)).toMatchObject({
      size: (stored as Uint8Array).length,
      vector: decodeSnapshot(stored as Uint8Array).vector
    })

    // a restart: the same heads, tips and usage, and no snapshot read
    const log = new ReadLog(memory)
    const again = await replica(log, peer, all, true, 1024 * 1024 * 1024)
    expect(log.snapshotsRead()).toEqual([])
    expect(again.vector()).toEqual(backup.vector())
    expect(again.tip(a.deviceId)?.hash).toEqual(backup.tip(a.deviceId)?.hash)
    expect(again.usage).toEqual(backup.usage)

    // A's next snapshot replaces the stored one, judged (and counted) by its info alone
    deviceA.doc.create({ title: 'one more' })
    await deviceA.snapshot()
    const [next] = await deviceA.snapshots()
    expect(await again.receiveSnapshot(next as Uint8Array)).toBe(true)
    expect(log.snapshotsRead()).toEqual([])
    expect(await keysUnder(memory, vaultLayout.envelopes())).toEqual([])
    expect(again.usage?.usedBytes).toBe((next as Uint8Array).length)
    expect(
      decodeSnapshotInfo((await memory.get(vaultLayout.prefix(vaultId) + vaultLayout.snapshotInfo(a.deviceId))) as Uint8Array).size
    ).toBe((next as Uint8Array).length)
    // and an older one is still refused (it covers less than the held one)
    expect(await again.receiveSnapshot(stored as Uint8Array)).toBe(false)
  })

  it('a store from before the infos is read once at open and noted; the next open reads no snapshot', async () => {
    const a = signer()
    const peer = signer()
    const all = [a, peer]
    const deviceA = await device(a, all, 20)
    const memory = new MemoryStorageAdapter()
    await copy(deviceA, await replica(memory, peer, all, true, 1024 * 1024), all)
    await memory.del(vaultLayout.prefix(vaultId) + vaultLayout.snapshotInfo(a.deviceId))

    const first = new ReadLog(memory)
    const opened = await replica(first, peer, all, true, 1024 * 1024)
    expect(first.snapshotsRead()).toContain(SNAPSHOTS + a.deviceId)
    const second = new ReadLog(memory)
    const reopened = await replica(second, peer, all, true, 1024 * 1024)
    expect(second.snapshotsRead()).toEqual([])
    expect(reopened.vector()).toEqual(opened.vector())
    expect(reopened.usage).toEqual(opened.usage)
  })

  it('keeps its quota count with every write: a restart reads it, not every envelope (but the tip of each author)', async () => {
    const a = signer()
    const peer = signer()
    const all = [a, peer]
    const deviceA = await replica(new MemoryStorageAdapter(), a, all, false)
    await deviceA.unlock(keys)
    for (let i = 0; i < 5; i++) deviceA.doc.create({ title: `item ${i}` })
    await deviceA.flush()
    const memory = new MemoryStorageAdapter()
    const backup = await replica(memory, peer, all, true, 1024 * 1024)
    await copy(deviceA, backup, all)
    const stored = (await deviceA.envelopesAfter(a.deviceId, 0)).reduce((n, e) => n + e.length, 0)
    expect(backup.usage?.usedBytes).toBe(stored)

    const log = new ReadLog(memory)
    const again = await replica(log, peer, all, true, 1024 * 1024)
    expect(again.usage?.usedBytes).toBe(stored)
    expect(log.read.filter(k => k.includes('/env/'))).toEqual([vaultLayout.prefix(vaultId) + vaultLayout.envelope(a.deviceId, 5)])

    // a store from before the count: counted once at open, then kept
    await memory.del(vaultLayout.prefix(vaultId) + vaultLayout.usage)
    const counted = new ReadLog(memory)
    expect((await replica(counted, peer, all, true, 1024 * 1024)).usage?.usedBytes).toBe(stored)
    expect(counted.read.filter(k => k.includes('/env/')).length).toBeGreaterThan(1)
    const kept = new ReadLog(memory)
    expect((await replica(kept, peer, all, true, 1024 * 1024)).usage?.usedBytes).toBe(stored)
    expect(kept.read.filter(k => k.includes('/env/'))).toHaveLength(1)
  })

  it('a device keeps no infos (it reads its snapshots as before), and a covered snapshot’s info goes with it', async () => {
    const a = signer()
    const b = signer()
    const peer = signer()
    const all = [a, b, peer]
    const deviceA = await device(a, all, 10)
    const memory = new MemoryStorageAdapter()
    const backup = await replica(memory, peer, all, true)
    await copy(deviceA, backup, all)
    // B gets everything from the backup peer, then its own snapshot covers A's
    const bStorage = new MemoryStorageAdapter()
    const deviceB = await replica(bStorage, b, all, false)
    await copy(backup, deviceB, all)
    expect(await keysUnder(bStorage, 'snapinfo/')).toEqual([])
    await deviceB.unlock(keys)
    deviceB.doc.create({ title: 'from B' })
    await deviceB.snapshot()
    for (const bytes of await deviceB.snapshots()) await backup.receiveSnapshot(bytes)
    expect(await keysUnder(memory, vaultLayout.snapshots)).toEqual([vaultLayout.snapshot(b.deviceId)])
    expect(await keysUnder(memory, 'snapinfo/')).toEqual([vaultLayout.snapshotInfo(b.deviceId)])
  })
})
