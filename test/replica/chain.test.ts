/**
 * The per-author chain in one replica: an envelope must name the one held before it, a head that
 * contradicts a held one quarantines its author (proof stored, kept across a reopen), a snapshot
 * advances an author only to a head that author signed, and records from before the chain
 * (format 1) are set aside at open and folded into a chained snapshot at unlock, losing nothing.
 */
import { describe, it, expect } from 'vitest'
import * as Y from 'yjs'
import { MemoryStorageAdapter } from '../../daemon/storage/MemoryStorageAdapter.js'
import { DeviceIdentity } from '../../daemon/keyring/DeviceIdentity.js'
import { VaultReplica, type VaultKeys } from '../../daemon/replica/VaultReplica.js'
import { decodeEnvelope, headOf, sealEnvelope } from '../../daemon/replica/Envelope.js'
import { decodeSnapshot, sealSnapshot } from '../../daemon/replica/Snapshot.js'
import { headStatement, NO_PREVIOUS, type SignedHead } from '../../daemon/codec/SignedHead.js'
import { storageViews, vaultLayout } from '../../daemon/storage/storageLayout.js'
import { BinaryWriter } from '../../daemon/codec/BinaryWriter.js'
import { newNonce, sealWithNonce } from '../../daemon/crypto/aead.js'
import { randomBytes } from '../../daemon/crypto/random.js'
import { toHex } from '../../daemon/crypto/bytes.js'
import { VaultDoc } from '../../daemon/vault/VaultDoc.js'

const vaultId = toHex(randomBytes(16))
const key = randomBytes(32)
const keys: VaultKeys = { currentEpoch: () => 0, key: () => key }

function signer(identity = DeviceIdentity.generate()) {
  return { publicKey: identity.publicKey, sign: (m: Uint8Array) => identity.sign(m), deviceId: identity.deviceId }
}
type TestSigner = ReturnType<typeof signer>

async function replica(storage: MemoryStorageAdapter, s: TestSigner, bound?: (a: string) => number | undefined) {
  const r = new VaultReplica(vaultId, storageViews(storage).vault(vaultId), s, { isTrustedAuthor: () => true, envelopeBound: bound })
  await r.open()
  return r
}

/** A Yjs update adding one item titled `title`. */
function itemUpdate(title: string): Uint8Array {
  const doc = new VaultDoc(new Y.Doc())
  let update: Uint8Array = new Uint8Array()
  doc.doc.on('update', (u: Uint8Array) => {
    update = u
  })
  doc.create({ title })
  return update
}

/** `n` chained envelopes by `s`, from seq 1. */
function chain(s: TestSigner, n: number): Uint8Array[] {
  const out: Uint8Array[] = []
  let prevHash: Uint8Array = NO_PREVIOUS
  for (let seq = 1; seq <= n; seq++) {
    const bytes = sealEnvelope({ vaultId, epoch: 0, seq, prevHash }, key, itemUpdate(`${seq}`), s)
    prevHash = (headOf(decodeEnvelope(bytes)) as SignedHead).hash
    out.push(bytes)
  }
  return out
}

const titles = (r: VaultReplica): string[] =>
  r.doc
    .all()
    .map(i => i.title)
    .sort()

describe('VaultReplica: the per-author chain', () => {
  it('refuses a first envelope that names a previous one', async () => {
    const r = await replica(new MemoryStorageAdapter(), signer())
    const a = signer()
    const bad = sealEnvelope({ vaultId, epoch: 0, seq: 1, prevHash: randomBytes(32) }, key, itemUpdate('x'), a)
    await expect(r.receive(bad)).rejects.toThrow(/names a previous one/)
    expect(r.vector().get(a.deviceId)).toBeUndefined()
  })

  it('an envelope that does not follow the held one quarantines its author, with the proof kept across a reopen', async () => {
    const storage = new MemoryStorageAdapter()
    const self = signer()
    const r = await replica(storage, self)
    const a = signer()
    const [one, two] = chain(a, 2) as [Uint8Array, Uint8Array]
    expect(await r.receive(one)).toBe(true)
    const caught: string[] = []
    r.on('equivocation', e => caught.push(e.author))
    // seq 2 signed by A, but naming another seq 1 than the one held
    const forked = sealEnvelope({ vaultId, epoch: 0, seq: 2, prevHash: randomBytes(32) }, key, itemUpdate('fork'), a)
    expect(await r.receive(forked)).toBe(false)
    expect(caught).toEqual([a.deviceId])
    expect(r.quarantined().map(q => q.author)).toEqual([a.deviceId])
    // A's genuine next envelope is not taken either: A is quarantined here
    expect(await r.receive(two)).toBe(false)
    expect(r.vector().get(a.deviceId)).toBe(1)
    const again = await replica(storage, self)
    expect(again.quarantined().map(q => q.author)).toEqual([a.deviceId])
    expect(again.vector().get(a.deviceId)).toBe(1)
    expect(await again.receive(two)).toBe(false)
  })

  it('a peer head for a held seq with another hash quarantines its author; an unsigned one does not', async () => {
    const r = await replica(new MemoryStorageAdapter(), signer())
    const a = signer()
    const [one] = chain(a, 1) as [Uint8Array]
    await r.receive(one)
    const held = headOf(decodeEnvelope(one)) as SignedHead
    const other = { author: a.deviceId, seq: 1, prevHash: NO_PREVIOUS, hash: randomBytes(32) }
    await r.compareHeads([{ ...other, signature: randomBytes(64) }])
    expect(r.quarantined()).toEqual([])
    await r.compareHeads([held])
    expect(r.quarantined()).toEqual([])
    await r.compareHeads([{ ...other, signature: a.sign(headStatement(vaultId, other)) }])
    expect(r.quarantined().map(q => q.author)).toEqual([a.deviceId])
  })

  it('a snapshot advances another author only to a head that author signed', async () => {
    const r = await replica(new MemoryStorageAdapter(), signer())
    const a = signer()
    const m = signer()
    const [mine] = chain(m, 1) as [Uint8Array]
    const mHead = headOf(decodeEnvelope(mine)) as SignedHead
    const claim = { author: a.deviceId, seq: 1_000_000, prevHash: NO_PREVIOUS, hash: randomBytes(32) }
    const forged = sealSnapshot(
      vaultId,
      0,
      [mHead, { ...claim, signature: m.sign(headStatement(vaultId, claim)) }],
      key,
      itemUpdate('s'),
      m
    )
    await expect(r.receiveSnapshot(forged)).rejects.toThrow(expect.objectContaining({ name: 'RefusedSnapshotError' }))
    expect(r.vector().get(a.deviceId)).toBeUndefined()
    expect(r.vector().get(m.deviceId)).toBeUndefined()
    // A's genuine head is enough
    const aHeads = chain(a, 3).map(b => headOf(decodeEnvelope(b)) as SignedHead)
    const honest = sealSnapshot(vaultId, 0, [mHead, aHeads[2] as SignedHead], key, itemUpdate('s'), m)
    expect(await r.receiveSnapshot(honest)).toBe(true)
    expect(r.vector().get(a.deviceId)).toBe(3)
  })

  it('a snapshot may not carry a removed device past its bound, and its own snapshot must say how far it goes', async () => {
    const a = signer()
    const removed = signer()
    const r = await replica(new MemoryStorageAdapter(), signer(), author => (author === removed.deviceId ? 2 : undefined))
    const heads = chain(removed, 4).map(b => headOf(decodeEnvelope(b)) as SignedHead)
    const aHead = headOf(decodeEnvelope(chain(a, 1)[0] as Uint8Array)) as SignedHead
    const past = sealSnapshot(vaultId, 0, [aHead, heads[3] as SignedHead], key, itemUpdate('p'), a)
    await expect(r.receiveSnapshot(past)).rejects.toThrow(/past its bound 2/)
    const silent = sealSnapshot(vaultId, 0, [aHead], key, itemUpdate('q'), removed)
    await expect(r.receiveSnapshot(silent)).rejects.toThrow(/does not state how far its own log goes/)
    const within = sealSnapshot(vaultId, 0, [aHead, heads[1] as SignedHead], key, itemUpdate('w'), a)
    expect(await r.receiveSnapshot(within)).toBe(true)
    expect(r.vector().get(removed.deviceId)).toBe(2)
  })
})

/** A format-1 (before the chain) envelope, as the previous version sealed it. */
function legacyEnvelope(s: TestSigner, seq: number, update: Uint8Array): Uint8Array {
  const nonce = newNonce()
  const header = new BinaryWriter().u8(1).u8(1).hex(vaultId, 16).u32(0).hex(s.deviceId, 32).u32(seq).raw(nonce).finish()
  const signed = new BinaryWriter()
    .raw(header)
    .bytes(sealWithNonce(key, nonce, update, header))
    .finish()
  return new BinaryWriter().raw(signed).raw(s.sign(signed)).finish()
}

/** A format-1 snapshot holding `state` with a plain vector. */
function legacySnapshot(s: TestSigner, vector: Map<string, number>, state: Uint8Array): Uint8Array {
  const nonce = newNonce()
  const w = new BinaryWriter().u8(1).u8(2).hex(vaultId, 16).u32(0).hex(s.deviceId, 32).u32(vector.size)
  for (const [author, seq] of vector) w.hex(author, 32).u32(seq)
  const header = w.raw(nonce).finish()
  const signed = new BinaryWriter()
    .raw(header)
    .bytes(sealWithNonce(key, nonce, state, header))
    .finish()
  return new BinaryWriter().raw(signed).raw(s.sign(signed)).finish()
}

describe('VaultReplica: records from before the chain (format 1)', () => {
  it('are set aside at open, applied at unlock and folded into a chained snapshot that peers accept', async () => {
    const storage = new MemoryStorageAdapter()
    const self = signer()
    const other = signer()
    const prefix = vaultLayout.prefix(vaultId)
    // what the previous version left: a snapshot by another device and envelopes of both
    await storage.put(
      prefix + vaultLayout.snapshot(other.deviceId),
      legacySnapshot(other, new Map([[other.deviceId, 1]]), itemUpdate('old snapshot'))
    )
    await storage.put(prefix + vaultLayout.envelope(self.deviceId, 1), legacyEnvelope(self, 1, itemUpdate('old mine')))
    await storage.put(prefix + vaultLayout.envelope(other.deviceId, 2), legacyEnvelope(other, 2, itemUpdate('old theirs')))
    const r = await replica(storage, self)
    // nothing of it is advertised or served: it has no chain
    expect(r.vector()).toEqual(new Map())
    expect(await r.snapshots()).toEqual([])
    await r.unlock(keys)
    expect(titles(r)).toEqual(['old mine', 'old snapshot', 'old theirs'])
    // folded: one chained snapshot of this device's, at a new position of its own log; the old records are gone
    const snaps = await r.snapshots()
    expect(snaps).toHaveLength(1)
    const folded = decodeSnapshot(snaps[0] as Uint8Array)
    expect(folded.author).toBe(self.deviceId)
    expect(folded.vector).toEqual(new Map([[self.deviceId, 1]]))
    for await (const k of storage.keys(prefix + vaultLayout.legacy)) throw new Error(`left behind: ${k}`)
    // new changes chain after the fold, and survive a reopen
    r.doc.create({ title: 'new' })
    await r.lock()
    const again = await replica(storage, self)
    expect(again.vector().get(self.deviceId)).toBe(2)
    await again.unlock(keys)
    expect(titles(again)).toEqual(['new', 'old mine', 'old snapshot', 'old theirs'])
    // a device that never had the old records gets them from the folded snapshot
    const peer = await replica(new MemoryStorageAdapter(), signer())
    await peer.unlock(keys)
    for (const s of await again.snapshots()) await peer.receiveSnapshot(s)
    for (const e of await again.envelopesAfter(self.deviceId, peer.vector().get(self.deviceId) ?? 0)) await peer.receive(e)
    expect(titles(peer)).toEqual(['new', 'old mine', 'old snapshot', 'old theirs'])
  })
})
