import { describe, it, expect } from 'vitest'
import { MemoryStorageAdapter } from '../../daemon/storage/MemoryStorageAdapter.js'
import { DeviceIdentity } from '../../daemon/keyring/DeviceIdentity.js'
import { VaultReplica, type VaultKeys } from '../../daemon/replica/VaultReplica.js'
import { decodeEnvelope } from '../../daemon/replica/Envelope.js'
import { storageViews, vaultLayout } from '../../daemon/storage/storageLayout.js'
import { randomBytes } from '../../daemon/crypto/random.js'
import { toHex } from '../../daemon/crypto/bytes.js'

const vaultId = toHex(randomBytes(16))
const key = randomBytes(32)
const keys: VaultKeys = { currentEpoch: () => 0, key: () => key }

function signer(identity = DeviceIdentity.generate()) {
  return { publicKey: identity.publicKey, sign: (m: Uint8Array) => identity.sign(m), deviceId: identity.deviceId }
}

async function replica(storage = new MemoryStorageAdapter(), s = signer(), trust?: (a: string) => boolean, snapshotEvery?: number) {
  const r = new VaultReplica(vaultId, storageViews(storage).vault(vaultId), s, { isTrustedAuthor: trust, snapshotEvery })
  await r.open()
  return r
}

/** Absolute key prefixes of the vault's envelopes and snapshots in the root store. */
const envPrefix = (id: string): string => vaultLayout.prefix(id) + vaultLayout.envelopes()
const snapPrefix = (id: string): string => vaultLayout.prefix(id) + vaultLayout.snapshots

async function allEntries(storage: MemoryStorageAdapter, prefix: string): Promise<Array<[string, Uint8Array]>> {
  const out: Array<[string, Uint8Array]> = []
  for await (const e of storage.entries(prefix)) out.push(e)
  return out
}

describe('VaultReplica', () => {
  it('seals each local change into a numbered envelope and reopens to the same items', async () => {
    const storage = new MemoryStorageAdapter()
    const s = signer()
    const r = await replica(storage, s)
    await r.unlock(keys)
    const id = r.doc.create({ title: 'GitHub', password: 'hunter2' })
    r.doc.update(id, { username: 'me' })
    await r.flush()
    const envs = await allEntries(storage, envPrefix(vaultId))
    expect(envs.map(([, b]) => decodeEnvelope(b).seq)).toEqual([1, 2])
    expect(r.vector().get(s.deviceId)).toBe(2)
    const again = await replica(storage, s)
    expect(again.vector().get(s.deviceId)).toBe(2)
    await again.unlock(keys)
    expect(again.doc.get(id)).toMatchObject({ title: 'GitHub', username: 'me', password: 'hunter2' })
  })

  it('snapshots at lock and drops the envelopes the snapshot covers', async () => {
    const storage = new MemoryStorageAdapter()
    const s = signer()
    const r = await replica(storage, s)
    await r.unlock(keys)
    for (let i = 0; i < 5; i++) r.doc.create({ title: `item ${i}` })
    await r.lock()
    expect(await allEntries(storage, envPrefix(vaultId))).toHaveLength(0)
    expect(await allEntries(storage, snapPrefix(vaultId))).toHaveLength(1)
    const again = await replica(storage, s)
    expect(again.vector().get(s.deviceId)).toBe(5)
    await again.unlock(keys)
    expect(again.doc.size).toBe(5)
    again.doc.create({ title: 'after' })
    await again.flush()
    expect(again.vector().get(s.deviceId)).toBe(6)
  })

  it('does not rewrite the snapshot at lock when nothing changed since it was sealed', async () => {
    const storage = new MemoryStorageAdapter()
    const s = signer()
    const r = await replica(storage, s)
    await r.unlock(keys)
    r.doc.create({ title: 'kept' })
    await r.lock()
    const sealed = (await allEntries(storage, snapPrefix(vaultId)))[0]?.[1] ?? new Uint8Array()
    await r.unlock(keys)
    await r.lock()
    const unchanged = (await allEntries(storage, snapPrefix(vaultId)))[0]?.[1]
    expect(sealed.length).toBeGreaterThan(0)
    expect(Buffer.from(unchanged ?? []).equals(Buffer.from(sealed))).toBe(true)
    await r.unlock(keys)
    r.doc.create({ title: 'new' })
    await r.lock()
    const resealed = (await allEntries(storage, snapPrefix(vaultId)))[0]?.[1]
    expect(Buffer.from(resealed ?? []).equals(Buffer.from(sealed))).toBe(false)
    expect(await allEntries(storage, envPrefix(vaultId))).toHaveLength(0)
    await r.unlock(keys)
    expect(r.doc.size).toBe(2)
  })

  it('snapshots on its own every N envelopes', async () => {
    const storage = new MemoryStorageAdapter()
    const r = await replica(storage, signer(), undefined, 10)
    await r.unlock(keys)
    for (let i = 0; i < 25; i++) r.doc.create({ title: `item ${i}` })
    await r.flush()
    expect((await allEntries(storage, envPrefix(vaultId))).length).toBeLessThan(10)
    expect(await allEntries(storage, snapPrefix(vaultId))).toHaveLength(1)
  })

  it('reports a flipped byte in an envelope as CorruptRecordError and keeps the other items readable', async () => {
    const storage = new MemoryStorageAdapter()
    const s = signer()
    const r = await replica(storage, s)
    await r.unlock(keys)
    const good = r.doc.create({ title: 'good' })
    r.doc.create({ title: 'doomed' })
    await r.flush()
    const [, second] = await allEntries(storage, envPrefix(vaultId))
    const [k, bytes] = second as [string, Uint8Array]
    const bad = Uint8Array.from(bytes)
    bad[100] = (bad[100] as number) ^ 0xff
    await storage.put(k, bad)
    const again = await replica(storage, s)
    const reported: string[] = []
    again.on('corrupt', e => reported.push(e.name))
    await again.unlock(keys)
    expect(reported).toEqual(['CorruptRecordError'])
    expect(again.corrupt[0]?.key).toBe(k)
    expect(again.doc.get(good)?.title).toBe('good')
    expect(again.doc.size).toBe(1)
  })

  it('reports a corrupt snapshot by name too', async () => {
    const storage = new MemoryStorageAdapter()
    const s = signer()
    const r = await replica(storage, s)
    await r.unlock(keys)
    r.doc.create({ title: 'x' })
    await r.lock()
    const [[k, bytes]] = (await allEntries(storage, snapPrefix(vaultId))) as [[string, Uint8Array]]
    const bad = Uint8Array.from(bytes)
    bad[bad.length - 80] = (bad[bad.length - 80] as number) ^ 1
    await storage.put(k, bad)
    const again = await replica(storage, s)
    await again.unlock(keys)
    expect(again.corrupt.map(e => e.name)).toEqual(['CorruptRecordError'])
  })

  it("keeps a peer's snapshot it cannot open yet (its epoch key has not arrived) through its own snapshots", async () => {
    const newer = randomBytes(32)
    const peer = signer()
    const rp = await replica(new MemoryStorageAdapter(), peer)
    const both: VaultKeys = { currentEpoch: () => 1, key: e => (e === 1 ? newer : key) }
    await rp.unlock(both)
    const fromPeer = rp.doc.create({ title: 'sealed under epoch 1' })
    await rp.lock()
    const [snapshot] = await rp.snapshots()

    const storage = new MemoryStorageAdapter()
    const me = signer()
    const r = await replica(storage, me, () => true)
    await r.receiveSnapshot(snapshot as Uint8Array) // while locked: stored as it came
    await r.unlock(keys) // epoch 0 only
    expect(r.corrupt.map(e => e.name)).toEqual(['CorruptRecordError'])
    r.doc.create({ title: 'mine' })
    await r.lock() // seals this device's snapshot: the peer's, not covered by it, must stay
    expect((await allEntries(storage, snapPrefix(vaultId))).map(([k]) => (k.endsWith(peer.deviceId) ? 'peer' : 'mine')).sort()).toEqual([
      'mine',
      'peer'
    ])
    await r.unlock(both) // the key arrived
    expect(r.doc.get(fromPeer)?.title).toBe('sealed under epoch 1')
    expect(r.doc.size).toBe(2)
    await r.lock() // now covered: folded into this device's snapshot
    expect((await allEntries(storage, snapPrefix(vaultId))).map(([k]) => (k.endsWith(peer.deviceId) ? 'peer' : 'mine'))).toEqual(['mine'])
  })

  it('accepts envelopes from a trusted peer in order, while locked too, and applies them at unlock', async () => {
    const a = signer()
    const ra = await replica(new MemoryStorageAdapter(), a)
    await ra.unlock(keys)
    const sent: Uint8Array[] = []
    ra.on('envelope', e => sent.push(e.bytes))
    const id = ra.doc.create({ title: 'from a' })
    ra.doc.update(id, { password: 'p' })
    await ra.flush()
    const b = signer()
    const rb = await replica(new MemoryStorageAdapter(), b, author => author === a.deviceId || author === b.deviceId)
    for (const env of sent) expect(await rb.receive(env)).toBe(true)
    expect(await rb.receive(sent[0] as Uint8Array)).toBe(false)
    expect(rb.vector().get(a.deviceId)).toBe(2)
    await rb.unlock(keys)
    expect(rb.doc.get(id)).toMatchObject({ title: 'from a', password: 'p' })
  })

  it('applies an envelope that arrives while an unlock is still reading storage (the e2e convergence seed 1113025789)', async () => {
    const a = signer()
    const ra = await replica(new MemoryStorageAdapter(), a)
    await ra.unlock(keys)
    const sent: Uint8Array[] = []
    ra.on('envelope', e => sent.push(e.bytes))
    const id = ra.doc.create({ title: 'arrives mid-unlock' })
    await ra.flush()
    // B's unlock reads storage before the envelope is stored, and builds its document after
    let release: () => void = () => {}
    const gate = new Promise<void>(resolve => {
      release = resolve
    })
    class SlowReads extends MemoryStorageAdapter {
      slow = false
      // reads what is there now, then waits: a record stored meanwhile is not in this read
      override async *entries(prefix: string, options?: Parameters<MemoryStorageAdapter['entries']>[1]) {
        const read: Array<[string, Uint8Array]> = []
        for await (const entry of super.entries(prefix, options)) read.push(entry)
        if (this.slow && prefix.endsWith('/env/')) {
          this.slow = false
          await gate
        }
        yield* read
      }
    }
    const storage = new SlowReads()
    const b = signer()
    const rb = await replica(storage, b, author => author === a.deviceId || author === b.deviceId)
    storage.slow = true
    const unlocking = rb.unlock(keys)
    await new Promise(resolve => setTimeout(resolve, 20))
    expect(await rb.receive(sent[0] as Uint8Array)).toBe(true)
    release()
    await unlocking
    expect(rb.doc.get(id)).toMatchObject({ title: 'arrives mid-unlock' })
  })

  it('rejects envelopes from strangers, with bad signatures, or that skip a seq, and stores none of them', async () => {
    const a = signer()
    const ra = await replica(new MemoryStorageAdapter(), a)
    await ra.unlock(keys)
    const sent: Uint8Array[] = []
    ra.on('envelope', e => sent.push(e.bytes))
    ra.doc.create({ title: '1' })
    await ra.flush()
    ra.doc.create({ title: '2' })
    await ra.flush()
    const storageB = new MemoryStorageAdapter()
    const rb = await replica(storageB, signer(), author => author === a.deviceId)
    await expect(rb.receive(sent[1] as Uint8Array)).rejects.toMatchObject({
      name: 'RejectedEnvelopeError',
      message: expect.stringMatching(/skips/)
    })
    const forged = Uint8Array.from(sent[0] as Uint8Array)
    forged[forged.length - 1] = (forged[forged.length - 1] as number) ^ 1
    await expect(rb.receive(forged)).rejects.toMatchObject({ message: expect.stringMatching(/signature/) })
    await expect(rb.receive(new Uint8Array([1, 2, 3]))).rejects.toMatchObject({ message: expect.stringMatching(/malformed/) })
    const stranger = await replica(new MemoryStorageAdapter(), signer())
    await stranger.unlock(keys)
    const strangerEnvs: Uint8Array[] = []
    stranger.on('envelope', e => strangerEnvs.push(e.bytes))
    stranger.doc.create({ title: 'evil' })
    await stranger.flush()
    await expect(rb.receive(strangerEnvs[0] as Uint8Array)).rejects.toMatchObject({ message: expect.stringMatching(/roster/) })
    expect(await allEntries(storageB, envPrefix(vaultId))).toHaveLength(0)
  })
})

describe('VaultReplica write failures', () => {
  it('a write that keeps failing rejects flush; a later flush retries it; later writes are not wedged', async () => {
    const storage = new MemoryStorageAdapter()
    const r = await replica(storage)
    await r.unlock(keys)
    const realBatch = storage.batch.bind(storage)
    let failures = 2 // the write queued by the change, and the flush's retry
    storage.batch = async ops => {
      if (failures > 0) {
        failures--
        throw new Error('disk full')
      }
      await realBatch(ops)
    }
    const id = r.doc.create({ title: 'first' })
    await expect(r.flush()).rejects.toThrow(/disk full/)
    await r.flush()
    r.doc.create({ title: 'second' })
    await r.flush()
    const again = await replica(storage, undefined)
    expect((await allEntries(storage, envPrefix(vaultId))).length).toBe(2)
    expect(again.vector().size).toBe(1)
    expect(id).toBeDefined()
  })
})
