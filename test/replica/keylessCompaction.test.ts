import { describe, it, expect } from 'vitest'
import { MemoryStorageAdapter } from '../../daemon/storage/MemoryStorageAdapter.js'
import { DeviceIdentity } from '../../daemon/keyring/DeviceIdentity.js'
import { VaultReplica, type VaultKeys } from '../../daemon/replica/VaultReplica.js'
import { storageViews, vaultLayout } from '../../daemon/storage/storageLayout.js'
import { randomBytes } from '../../daemon/crypto/random.js'
import { toHex } from '../../daemon/crypto/bytes.js'

const vaultId = toHex(randomBytes(16))
const key = randomBytes(32)
const keys: VaultKeys = { currentEpoch: () => 0, key: () => key }

function signer(identity = DeviceIdentity.generate()) {
  return { publicKey: identity.publicKey, sign: (m: Uint8Array) => identity.sign(m), deviceId: identity.deviceId }
}
type S = ReturnType<typeof signer>

async function replica(storage: MemoryStorageAdapter, s: S, trusted: S[], compactReceived = false, quotaBytes?: number) {
  const ids = new Set(trusted.map(t => t.deviceId))
  const r = new VaultReplica(vaultId, storageViews(storage).vault(vaultId), s, {
    isTrustedAuthor: a => ids.has(a),
    compactReceived,
    quotaBytes
  })
  await r.open()
  return r
}

async function keysUnder(storage: MemoryStorageAdapter, prefix: string): Promise<string[]> {
  const out: string[] = []
  for await (const [k] of storage.entries(vaultLayout.prefix(vaultId) + prefix)) out.push(k.slice(vaultLayout.prefix(vaultId).length))
  return out
}

/** Everything `from` holds, handed to `to` as sync would: snapshots, then each author's envelopes after what they cover. */
async function copy(from: VaultReplica, to: VaultReplica, authors: S[]): Promise<void> {
  for (const bytes of await from.snapshots()) await to.receiveSnapshot(bytes)
  for (const a of authors)
    for (const bytes of await from.envelopesAfter(a.deviceId, to.vector().get(a.deviceId) ?? 0)) await to.receive(bytes)
}

describe('a backup peer compacts what received snapshots cover, holding no key', () => {
  it('drops the envelopes and older snapshots a snapshot covers, and a new device still gets everything from it', async () => {
    const a = signer()
    const b = signer()
    const peer = signer()
    const all = [a, b, peer]
    const deviceA = await replica(new MemoryStorageAdapter(), a, all)
    await deviceA.unlock(keys)
    const peerStorage = new MemoryStorageAdapter()
    const backup = await replica(peerStorage, peer, all, true)

    for (const title of ['one', 'two', 'three']) deviceA.doc.create({ title })
    await deviceA.flush()
    await copy(deviceA, backup, all)
    expect(await keysUnder(peerStorage, vaultLayout.envelopes())).toHaveLength(3)

    // A seals a snapshot covering its three envelopes, then makes a fourth change
    await deviceA.snapshot()
    deviceA.doc.create({ title: 'four' })
    await deviceA.flush()
    await copy(deviceA, backup, all)
    // the three covered envelopes are gone; the fourth stays
    expect(await keysUnder(peerStorage, vaultLayout.envelopes())).toEqual([vaultLayout.envelope(a.deviceId, 4)])
    expect(await keysUnder(peerStorage, vaultLayout.snapshots)).toEqual([vaultLayout.snapshot(a.deviceId)])

    // a new device B that syncs only from the backup peer has all four
    const deviceB = await replica(new MemoryStorageAdapter(), b, all)
    await copy(backup, deviceB, all)
    await deviceB.unlock(keys)
    expect(
      deviceB.doc
        .all()
        .map(i => i.title)
        .sort()
    ).toEqual(['four', 'one', 'three', 'two'])
  })

  it('a device (not keyless) keeps received envelopes until its own snapshot covers them', async () => {
    const a = signer()
    const b = signer()
    const all = [a, b]
    const deviceA = await replica(new MemoryStorageAdapter(), a, all)
    await deviceA.unlock(keys)
    deviceA.doc.create({ title: 'one' })
    await deviceA.flush()
    const storageB = new MemoryStorageAdapter()
    const deviceB = await replica(storageB, b, all)
    await copy(deviceA, deviceB, all)
    await deviceA.snapshot()
    await copy(deviceA, deviceB, all)
    expect(await keysUnder(storageB, vaultLayout.envelopes())).toHaveLength(1)
  })

  it('keeps to its quota per vault: an envelope past it is refused and not stored; a snapshot still frees room', async () => {
    const a = signer()
    const peer = signer()
    const all = [a, peer]
    const deviceA = await replica(new MemoryStorageAdapter(), a, all)
    await deviceA.unlock(keys)
    for (let i = 0; i < 6; i++) deviceA.doc.create({ title: `item ${i}`, notes: 'x'.repeat(2000) })
    await deviceA.flush()
    const envelopes = await deviceA.envelopesAfter(a.deviceId, 0)
    const size = (envelopes[0] as Uint8Array).length
    const peerStorage = new MemoryStorageAdapter()
    const backup = await replica(peerStorage, peer, all, true, Math.floor(size * 3.5))
    for (const bytes of envelopes.slice(0, 3)) expect(await backup.receive(bytes)).toBe(true)
    await expect(backup.receive(envelopes[3] as Uint8Array)).rejects.toMatchObject({ name: 'QuotaExceededError' })
    expect(await keysUnder(peerStorage, vaultLayout.envelopes())).toHaveLength(3)
    expect(backup.vector().get(a.deviceId)).toBe(3)
    expect(backup.usage?.usedBytes).toBeLessThanOrEqual(size * 3.5)
    // another device's snapshot covering those three (after it deleted them for good) replaces them: room again
    const b = signer()
    const trustedB = [a, b]
    const deviceB = await replica(new MemoryStorageAdapter(), b, trustedB)
    for (const bytes of envelopes.slice(0, 3)) await deviceB.receive(bytes)
    await deviceB.unlock(keys)
    for (const item of deviceB.doc.all()) deviceB.doc.purge(item.id)
    await deviceB.snapshot()
    const backupB = await replica(peerStorage, peer, [a, b, peer], true, Math.floor(size * 3.5))
    for (const bytes of await deviceB.snapshots()) expect(await backupB.receiveSnapshot(bytes)).toBe(true)
    expect(await keysUnder(peerStorage, vaultLayout.envelopes())).toEqual([])
    expect(backupB.usage?.usedBytes).toBeLessThan(size)
    expect(await backupB.receive(envelopes[3] as Uint8Array)).toBe(true)
    // a restart counts what is stored again
    const again = await replica(peerStorage, peer, [a, b, peer], true, Math.floor(size * 3.5))
    expect(again.usage?.usedBytes).toBe(backupB.usage?.usedBytes)
  })
})
