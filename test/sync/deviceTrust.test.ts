/**
 * Device trust between whole devices (memory network): what a malicious paired device or a copied
 * data directory can no longer do to the vault keys and the roster.
 */
import { describe, it, expect, afterEach } from 'vitest'
import { MemoryNetwork } from '../../daemon/network/memory/MemoryNetwork.js'
import { sealGrant } from '../../daemon/keyring/Grant.js'
import { encodeSignedGrant } from '../../daemon/keyring/KeyDistribution.js'
import { epochCommitment } from '../../daemon/keyring/epochCommitment.js'
import { encodeRosterRecord, RosterOp } from '../../daemon/pairing/RosterRecord.js'
import { randomBytes } from '../../daemon/crypto/random.js'
import { DeviceIdentity } from '../../daemon/keyring/DeviceIdentity.js'
import { vaultRef } from '../../daemon/pairing/vaultRef.js'
import { SyncDevice, eventually } from './helpers/syncDevice.js'

const devices: SyncDevice[] = []
afterEach(async () => {
  for (const d of devices.splice(0)) await d.stop()
})
async function paired(): Promise<{ net: MemoryNetwork; a: SyncDevice; m: SyncDevice; vaultId: string }> {
  const net = new MemoryNetwork()
  const a = await SyncDevice.create('A', net)
  const m = await SyncDevice.create('M', net)
  devices.push(a, m)
  await a.init()
  await m.joinFrom(a)
  await eventually(() => a.sync.roster.sealingKey(m.id) !== undefined, 'A knows M’s sealing key')
  return { net, a, m, vaultId: a.device.replicas.ids()[0] as string }
}
const identitySigner = (id: DeviceIdentity) => ({ deviceId: id.deviceId, publicKey: id.publicKey, sign: (x: Uint8Array) => id.sign(x) })
const epochOf = (d: SyncDevice, vaultId: string): number | string => {
  try {
    return d.device.keyring.currentEpoch(vaultId)
  } catch (err) {
    return (err as Error).name
  }
}

describe('vault key epochs cannot be hijacked', () => {
  it('a member’s grant for an epoch no roster statement declares is never used', async () => {
    const { a, m, vaultId } = await paired()
    const evil = randomBytes(32)
    const grant = sealGrant(vaultId, 0xffffffff, a.id, a.device.keyring.sealingPublicKey, evil)
    await a.device.keys.receive([encodeSignedGrant(grant, identitySigner(m.identity))], m.id)
    expect(a.device.keyring.heldEpochs(vaultId)).not.toContain(0xffffffff)
    expect(epochOf(a, vaultId)).toBe(0)
  })

  it('a grant whose key does not match the declared commitment is dropped', async () => {
    const { a, m, vaultId } = await paired()
    // M declares epoch 7 honestly (the commitment of key K) and then sends A a different key for it
    const k = randomBytes(32)
    await m.device.roster.declareEpochs(m.device.keyring.rosterSigner(), [
      { vaultId, epoch: 7, commitment: epochCommitment(vaultId, 7, k) }
    ])
    await eventually(() => a.sync.roster.epochCommitment(vaultId, 7) !== undefined, 'A has M’s statement')
    const wrong = sealGrant(vaultId, 7, a.id, a.device.keyring.sealingPublicKey, randomBytes(32))
    await a.device.keys.receive([encodeSignedGrant(wrong, identitySigner(m.identity))], m.id)
    expect(a.device.keyring.heldEpochs(vaultId)).not.toContain(7)
    expect(await a.device.keyring.grants.has({ vaultId, epoch: 7, deviceId: a.id })).toBe(false)
  })

  it('the highest epoch there is, declared by a member, stops counting when it is removed; the removal rotates past it', async () => {
    const { a, m, vaultId } = await paired()
    const evil = randomBytes(32)
    const top = 0xffffffff
    await m.device.roster.declareEpochs(m.device.keyring.rosterSigner(), [
      { vaultId, epoch: top, commitment: epochCommitment(vaultId, top, evil) }
    ])
    await eventually(() => a.sync.roster.currentEpoch(vaultId) === top, 'A sees M’s epoch as current')
    const grant = sealGrant(vaultId, top, a.id, a.device.keyring.sealingPublicKey, evil)
    await a.device.keys.receive([encodeSignedGrant(grant, identitySigner(m.identity))], m.id)
    expect(epochOf(a, vaultId)).toBe(top)
    const res = await a.sync.devices.revoke(m.id)
    const after = res.rotated[0]?.epoch as number
    expect(after).toBeGreaterThan(0)
    expect(after).toBeLessThan(top)
    expect(epochOf(a, vaultId)).toBe(after)
    expect(a.sync.roster.isMember(m.id)).toBe(false)
    // M holds no key of the new epoch
    expect(m.device.keyring.heldEpochs(vaultId)).not.toContain(after)
    const written = await a.service.createItem({ title: 'after the removal', password: 'new-secret' })
    const envelope = a.device.replicas.get(vaultId)?.vector().get(a.id)
    expect(envelope).toBeGreaterThan(0)
    expect(written.id).toBeTruthy()
  })
})

describe('a copied data directory without the password', () => {
  it('signs roster records with the identity key only, and no device accepts them', async () => {
    const { a, m } = await paired()
    // the thief holds M's identity.key (kept in the clear so a locked daemon can sync), not M's password
    const thief = DeviceIdentity.generate()
    const seq = (m.sync.roster.vector().get(m.id) ?? 0) + 1
    const add = encodeRosterRecord(identitySigner(m.identity), seq, Date.now(), {
      op: RosterOp.Add,
      device: thief.deviceId,
      rosterKey: thief.publicKey,
      name: 'M-tablet',
      access: { all: true }
    })
    const result = await a.sync.roster.receive([add], m.id)
    expect(result.accepted).toBe(0)
    expect(a.sync.roster.isMember(thief.deviceId)).toBe(false)
    // a locked M cannot write one either: the roster key leaves memory with the lock
    await m.service.lock()
    expect(() => m.device.keyring.rosterSigner()).toThrow(/unlock/)
  })
})

describe('removing a device', () => {
  it('names the devices only it had added, and removes them too when asked; fingerprints agree on both sides', async () => {
    const { net, a, m } = await paired()
    const c = await SyncDevice.create('C', net)
    devices.push(c)
    await c.joinFrom(m)
    await eventually(() => a.sync.roster.isMember(c.id) && a.sync.roster.sealingKey(c.id) !== undefined, 'A knows C')
    const onA = a.sync.devices.list().find(d => d.id === m.id)
    const onM = m.sync.devices.list().find(d => d.id === m.id)
    expect(onA?.fingerprint).toMatch(/^[0-9a-f]{4}( [0-9a-f]{4}){3}$/)
    expect(onA?.fingerprint).toBe(onM?.fingerprint)
    expect(onA?.vaults).toEqual(['Personal'])
    const plain = await a.sync.devices.revoke(m.id)
    expect(plain.addedOnlyByIt).toEqual([c.id])
    expect(plain.alsoRemoved).toEqual([])
    expect(a.sync.roster.isMember(c.id)).toBe(true)
    const d = await SyncDevice.create('D', net)
    devices.push(d)
    await d.joinFrom(c)
    await eventually(() => a.sync.roster.isMember(d.id), 'A knows D')
    const cascade = await a.sync.devices.revoke(c.id, { alsoAddedBy: true })
    expect(cascade.alsoRemoved).toEqual([d.id])
    expect(a.sync.roster.members()).toEqual([a.id])
  })
})

describe('per-device vaults', () => {
  it('ungrant takes a vault away (its key rotates, the device lacks the new key); grant gives it back', async () => {
    const { a, m } = await paired()
    const work = await a.service.createVault('Work')
    await eventually(() => m.device.keyring.heldEpochs(work.id).length > 0, 'M holds Work')
    const personal = a.device.replicas.ids().find(v => v !== work.id) as string
    const res = await a.sync.devices.ungrant(m.id, 'Personal')
    expect(res.vaults).toEqual(['Work'])
    expect(res.rotated).toEqual([{ vaultId: personal, epoch: expect.any(Number) }])
    const after = res.rotated[0]?.epoch as number
    expect(a.sync.roster.mayHold(m.id, personal)).toBe(false)
    expect(epochOf(a, personal)).toBe(after)
    await eventually(() => m.sync.roster.mayHold(m.id, personal) === false, 'M learns it')
    await new Promise(resolve => setTimeout(resolve, 100))
    expect(m.device.keyring.heldEpochs(personal)).not.toContain(after)
    expect(a.sync.devices.list().find(d => d.id === m.id)?.vaults).toEqual(['Work'])
    // nothing of Personal is exchanged any more: not even ciphertext
    const heldBefore = m.device.replicas.get(personal)?.vector().get(a.id) ?? 0
    await a.service.createItem({ title: 'personal after ungrant', vault: 'Personal' })
    const w = await a.service.createItem({ title: 'work after ungrant', vault: 'Work' })
    await eventually(() => m.service.listItems().some(i => i.id === w.id), 'Work still syncs')
    expect(m.device.replicas.get(personal)?.vector().get(a.id) ?? 0).toBe(heldBefore)
    const back = await a.sync.devices.grant(m.id, 'Personal')
    expect(back.vaults.sort()).toEqual(['Personal', 'Work'])
    await eventually(() => m.device.keyring.heldEpochs(personal).includes(after), 'M gets the new key')
    await expect(a.sync.devices.grant(m.id, 'Nope')).rejects.toThrow(/no vault named/)
  })
})

describe('a device invited to some vaults only', () => {
  it('receives the keys, envelopes and snapshots of those, and nothing of the others — not even their ids', async () => {
    const net = new MemoryNetwork()
    const a = await SyncDevice.create('A', net)
    const w = await SyncDevice.create('W', net)
    devices.push(a, w)
    await a.init()
    const work = await a.service.createVault('Work')
    const personal = a.device.replicas.ids().find(v => v !== work.id) as string
    await a.service.createItem({ title: 'bank', password: 'personal-secret', vault: 'Personal' })
    const job = await a.service.createItem({ title: 'jira', password: 'work-secret', vault: 'Work' })
    await a.device.replicas.get(personal)?.snapshot()
    const invite = a.sync.devices.invite(undefined, ['Work'])
    expect(invite.vaults).toEqual(['Work'])
    const joined = await w.joinApproved(a, invite.invitation)
    expect(joined.vaults).toEqual([work.id])
    await eventually(() => w.service.listItems().some(i => i.id === job.id), 'the Work item on W')
    // A goes on writing to both
    await a.service.createItem({ title: 'later personal', password: 'personal-later', vault: 'Personal' })
    const later = await a.service.createItem({ title: 'later work', vault: 'Work' })
    await eventually(() => w.service.listItems().some(i => i.id === later.id), 'the later Work item on W')
    expect(w.service.vaults().map(v => v.name)).toEqual(['Work'])
    expect(a.sync.devices.list().find(d => d.id === w.id)?.vaults).toEqual(['Work'])
    // W's whole store, keys and values, byte by byte
    const raw = Buffer.from(personal, 'hex')
    const ref = Buffer.from(vaultRef(personal), 'hex')
    for await (const [key, value] of w.storage.entries('')) {
      expect(key).not.toContain(personal)
      const bytes = Buffer.from(value)
      expect(bytes.includes(raw), `raw Personal id in ${key}`).toBe(false)
      expect(bytes.includes(Buffer.from(personal)), `hex Personal id in ${key}`).toBe(false)
      expect(bytes.includes(Buffer.from('personal-secret')), `a Personal secret in ${key}`).toBe(false)
      // the roster names vaults by ref: W sees Personal's ref (it cannot invert it) but nothing that names it
      expect(key.includes(vaultRef(personal))).toBe(false)
      if (bytes.includes(ref)) expect(key.startsWith('roster/')).toBe(true)
    }
    expect(await w.device.keyring.grants.has({ vaultId: personal, epoch: 0, deviceId: w.id })).toBe(false)
  })
})
