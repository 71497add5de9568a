/** The device roster: signed records, membership rules, order independence, revocation bounds. */
import { describe, it, expect } from 'vitest'
import { MemoryStorageAdapter } from '../../daemon/storage/MemoryStorageAdapter.js'
import { Roster, rosterOf } from '../../daemon/pairing/Roster.js'
import { decodeRosterRecord, encodeRosterRecord, RosterOp } from '../../daemon/pairing/RosterRecord.js'
import { RosterError } from '../../daemon/pairing/errors.js'
import { randomBytes } from '../../daemon/crypto/random.js'
import { testDevice } from './helpers/rosterSigner.js'
import { shuffle } from './helpers/shuffle.js'

const key = () => randomBytes(32)
const roster = () => new Roster(new MemoryStorageAdapter())

describe('roster records', () => {
  it('round-trip and verify under the roster key they carry; a changed byte is refused', () => {
    const a = testDevice()
    const bytes = encodeRosterRecord(a.roster, 1, 1_700_000_000_123, {
      op: RosterOp.Genesis,
      sealingPublicKey: new Uint8Array(32).fill(7),
      name: 'laptop'
    })
    const rec = decodeRosterRecord(bytes)
    expect(rec).toMatchObject({ op: RosterOp.Genesis, author: a.id, seq: 1, time: 1_700_000_000_123, name: 'laptop' })
    expect(rec.signedBy).not.toBe(a.id)
    const tampered = Uint8Array.from(bytes)
    tampered[tampered.length - 70] = (tampered[tampered.length - 70] ?? 0) ^ 1
    expect(() => decodeRosterRecord(tampered)).toThrow(/signature|malformed|truncated|utf/i)
    const epochs = [{ vault: 'ab'.repeat(32), epoch: 70_000, commitment: new Uint8Array(32).fill(3) }]
    const revoke = encodeRosterRecord(a.roster, 2, 5, {
      op: RosterOp.Revoke,
      device: a.id,
      rosterSeq: 3,
      envelopeSeqs: new Map([['cd'.repeat(32), 9]]),
      epochs
    })
    expect(decodeRosterRecord(revoke)).toMatchObject({
      op: RosterOp.Revoke,
      rosterSeq: 3,
      envelopeSeqs: new Map([['cd'.repeat(32), 9]]),
      epochs
    })
  })
})

/** A root, B added by A, C added by B, each having stated its sealing key. */
async function chain() {
  const [a, b, c] = [testDevice(), testDevice(), testDevice()]
  const ra = roster()
  await ra.createGenesis(a.roster, key(), 'A')
  await ra.addDevice(a.roster, b.id, b.roster.publicKey, 'B')
  const rb = roster()
  expect(await rb.receive(ra.allRecords())).toEqual({ accepted: 2, rejected: 0 })
  await rb.append(b.roster, { op: RosterOp.Keys, sealingPublicKey: key(), name: 'B' })
  await rb.addDevice(b.roster, c.id, c.roster.publicKey, 'C')
  const rc = roster()
  await rc.receive(rb.allRecords())
  await rc.append(c.roster, { op: RosterOp.Keys, sealingPublicKey: key(), name: 'C' })
  return { a, b, c, ra, rb, rc }
}

describe('roster membership', () => {
  it('a device added by an added device is a member everywhere, whatever order the records arrive in', async () => {
    const { a, b, c, rc } = await chain()
    const records = rc.allRecords()
    for (let seed = 1; seed < 8; seed++) {
      const fresh = roster()
      // one by one in a shuffled order: early ones wait for their author's ADD, later ones bring them in
      for (const r of shuffle(records, seed)) await fresh.receive([r])
      expect(fresh.members()).toEqual([a.id, b.id, c.id].sort())
      expect(fresh.device(c.id)).toMatchObject({ name: 'C', addedBy: b.id })
      expect(fresh.sealingKey(c.id)).toBeDefined()
    }
    expect(rosterOf(shuffle(records, 99)).admitted.size).toBe(3)
  })

  it('records by a device nobody added are not accepted', async () => {
    const { ra } = await chain()
    const stranger = testDevice()
    const forged = encodeRosterRecord(stranger.roster, 1, Date.now(), {
      op: RosterOp.Add,
      device: testDevice().id,
      rosterKey: key(),
      name: 'evil',
      access: { all: true }
    })
    expect(await ra.receive([forged])).toEqual({ accepted: 0, rejected: 0 })
    const otherRoot = encodeRosterRecord(stranger.roster, 1, Date.now(), { op: RosterOp.Genesis, sealingPublicKey: key(), name: 'root' })
    expect((await ra.receive([otherRoot])).accepted).toBe(0)
    expect(await ra.receive([Uint8Array.of(1, 2, 3)])).toEqual({ accepted: 0, rejected: 1 })
    expect(ra.members()).toHaveLength(2)
  })

  it('a copied data directory without the password adds no one: records signed with the identity key are refused', async () => {
    // the thief has B's identity.key (stored in the clear so a locked daemon can sync) but not B's roster key
    const { a, b, ra, rb } = await chain()
    await ra.receive(rb.allRecords())
    const thief = testDevice()
    const forged = encodeRosterRecord(b.transportOnly, (rb.vector().get(b.id) ?? 0) + 1, Date.now(), {
      op: RosterOp.Add,
      device: thief.id,
      rosterKey: thief.roster.publicKey,
      name: 'B-tablet',
      access: { all: true }
    })
    const keys = encodeRosterRecord(thief.roster, 1, Date.now(), { op: RosterOp.Keys, sealingPublicKey: key(), name: 'B-tablet' })
    const result = await ra.receive([forged, keys])
    expect(result.accepted).toBe(0)
    expect(result.rejected).toBeGreaterThan(0)
    expect(ra.isMember(thief.id)).toBe(false)
    expect(ra.members()).toEqual([a.id, b.id, ...ra.members().filter(m => m !== a.id && m !== b.id)].sort())
    expect(ra.members()).not.toContain(thief.id)
    // nor can the thief remove anyone or re-state B's sealing key
    const revoke = encodeRosterRecord(b.transportOnly, (rb.vector().get(b.id) ?? 0) + 1, Date.now(), {
      op: RosterOp.Revoke,
      device: a.id,
      rosterSeq: 0,
      envelopeSeqs: new Map(),
      epochs: []
    })
    await ra.receive([revoke])
    expect(ra.isMember(a.id)).toBe(true)
  })

  it('an ADD that binds another roster key to an admitted device cannot take it over', async () => {
    const { b, c, ra, rb, rc } = await chain()
    await ra.receive(rc.allRecords())
    const rogue = testDevice()
    // B (a member) re-adds C under a key B controls
    await rb.addDevice(b.roster, c.id, rogue.roster.publicKey, 'C')
    await ra.receive(rb.allRecords())
    const asC = encodeRosterRecord({ ...rogue.roster, deviceId: c.id }, 2, Date.now(), {
      op: RosterOp.Keys,
      sealingPublicKey: key(),
      name: 'C'
    })
    expect((await ra.receive([asC])).accepted).toBe(0)
    expect(ra.rosterKey(c.id)).not.toBe(Buffer.from(rogue.roster.publicKey).toString('hex'))
  })

  it('a removed device is no member, its later records are void, and its envelopes are bounded per vault', async () => {
    const { a, b, c, ra, rb, rc } = await chain()
    await ra.receive(rc.allRecords())
    expect(ra.members()).toContain(c.id)
    const vault = 'aa'.repeat(16)
    await ra.revoke(a.roster, b.id, new Map([[vault, 12]]), [])
    expect(ra.isMember(b.id)).toBe(false)
    expect(ra.wasAdmitted(b.id)).toBe(true)
    expect(ra.envelopeBound(b.id, vault)).toBe(12)
    expect(ra.envelopeBound(b.id, 'bb'.repeat(16))).toBe(0)
    expect(ra.envelopeBound(c.id, vault)).toBeUndefined()
    // C stays (B added it before its removal), but is offered for removal with B
    expect(ra.isMember(c.id)).toBe(true)
    expect(ra.addedOnlyBy(b.id)).toEqual([c.id])
    // B, removed, adds a device: refused
    const late = testDevice()
    await rb.addDevice(b.roster, late.id, late.roster.publicKey, 'late')
    await ra.receive(rb.allRecords())
    expect(ra.isMember(late.id)).toBe(false)
    expect(ra.members()).toEqual([a.id, c.id].sort())
  })

  it('two current devices never share a name', async () => {
    const [a, b, c] = [testDevice(), testDevice(), testDevice()]
    const ra = roster()
    await ra.createGenesis(a.roster, key(), 'laptop')
    await ra.addDevice(a.roster, b.id, b.roster.publicKey, 'laptop')
    await ra.addDevice(a.roster, c.id, c.roster.publicKey, 'Laptop')
    const names = ra.devices().map(d => d.name.toLowerCase())
    expect(new Set(names).size).toBe(3)
    expect(ra.device(a.id)?.name).toBe('laptop')
  })
})

describe('removals converge', () => {
  /** A root; B and M added by A; everyone holds everything. */
  async function abm() {
    const [a, b, m] = [testDevice(), testDevice(), testDevice()]
    const ra = roster()
    await ra.createGenesis(a.roster, key(), 'A')
    await ra.addDevice(a.roster, b.id, b.roster.publicKey, 'B')
    await ra.addDevice(a.roster, m.id, m.roster.publicKey, 'M')
    const rb = roster()
    const rm = roster()
    await rb.receive(ra.allRecords())
    await rm.receive(ra.allRecords())
    await rb.append(b.roster, { op: RosterOp.Keys, sealingPublicKey: key(), name: 'B' })
    await rm.append(m.roster, { op: RosterOp.Keys, sealingPublicKey: key(), name: 'M' })
    for (const r of [ra, rb, rm]) for (const from of [ra, rb, rm]) await r.receive(from.allRecords())
    return { a, b, m, ra, rb, rm }
  }

  it('a hostile member that removes the owner first cannot void the owner’s later removal of it', async () => {
    const { a, b, m, ra, rb, rm } = await abm()
    await rm.revoke(m.roster, a.id, new Map(), []).catch(() => {})
    await rm.revoke(m.roster, b.id, new Map(), []).catch(() => {})
    await ra.receive(rm.allRecords())
    await rb.receive(rm.allRecords())
    // the owner on A, having heard it, removes M: this must take effect (or fail loudly), never answer "removed" falsely
    await ra.revoke(a.roster, m.id, new Map(), [])
    expect(ra.isMember(m.id)).toBe(false)
    for (const r of [ra, rb, rm]) for (const from of [ra, rb, rm]) await r.receive(from.allRecords())
    for (const r of [ra, rb, rm]) expect(r.isMember(m.id)).toBe(false)
    expect(ra.members()).toEqual(rb.members())
    expect(rb.members()).toEqual(rm.members())
  })

  it('mutual removals made apart remove both, on every device, whatever the order', async () => {
    const { a, b, m, ra, rb, rm } = await abm()
    await ra.revoke(a.roster, m.id, new Map(), [])
    await rm.revoke(m.roster, a.id, new Map(), []).catch(err => expect(err).toBeInstanceOf(RosterError))
    const all = [...ra.allRecords(), ...rm.allRecords(), ...rb.allRecords()]
    const results = new Set<string>()
    for (let seed = 1; seed <= 12; seed++) {
      const fresh = roster()
      for (const r of shuffle(all, seed)) await fresh.receive([r])
      results.add(JSON.stringify(fresh.members()))
      expect(fresh.isMember(m.id)).toBe(false)
      expect(fresh.isMember(a.id)).toBe(false)
      expect(fresh.isMember(b.id)).toBe(true)
    }
    expect(results.size).toBe(1)
  })

  it('a removal that does not take effect throws instead of answering "removed"', async () => {
    const { a, b, ra, rb } = await abm()
    // A is removed by B (a third device for M's removal below) before A writes anything more
    await rb.revoke(b.roster, a.id, new Map(), [])
    await ra.receive(rb.allRecords())
    const m = [...ra.members()].find(d => d !== b.id) as string
    await expect(ra.revoke(a.roster, m, new Map(), [])).rejects.toBeInstanceOf(RosterError)
    expect(ra.isMember(m)).toBe(true)
  })
})

describe('key epochs', () => {
  const vault = 'cd'.repeat(16)
  const stmt = (epoch: number, fill: number) => ({ vaultId: vault, epoch, commitment: new Uint8Array(32).fill(fill) })

  it('exist only when declared; a removed device’s epoch stops being current; clashing commitments void an epoch', async () => {
    const { a, b, ra, rb } = await chain()
    await ra.declareEpochs(a.roster, [stmt(0, 1)])
    expect(ra.currentEpoch(vault)).toBe(0)
    expect(ra.epochCommitment(vault, 0)).toEqual(new Uint8Array(32).fill(1))
    expect(ra.epochCommitment(vault, 5)).toBeUndefined()
    // B (a member) declares the highest epoch there is, with its own key
    await rb.declareEpochs(b.roster, [stmt(0xffffffff, 9)])
    await ra.receive(rb.allRecords())
    expect(ra.currentEpoch(vault)).toBe(0xffffffff)
    // removing B declares the new epoch in the same record; B's epoch no longer counts
    await ra.revoke(a.roster, b.id, new Map(), [stmt(70_000, 2)])
    expect(ra.currentEpoch(vault)).toBe(70_000)
    // a second commitment for epoch 70,000 (from anyone) voids it
    await ra.declareEpochs(a.roster, [stmt(70_000, 3)])
    expect(ra.epochCommitment(vault, 70_000)).toBeUndefined()
    expect(ra.currentEpoch(vault)).toBe(0)
  })
})
