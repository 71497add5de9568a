/** The device roster: signed records, membership rules, order independence, revocation bounds. */
import { describe, it, expect } from 'vitest'
import { DeviceIdentity } from '../../daemon/keyring/DeviceIdentity.js'
import { MemoryStorageAdapter } from '../../daemon/storage/MemoryStorageAdapter.js'
import { Roster, rosterOf } from '../../daemon/pairing/Roster.js'
import { decodeRosterRecord, encodeRosterRecord, RosterOp } from '../../daemon/pairing/RosterRecord.js'
import { randomBytes } from '../../daemon/crypto/random.js'

const signerOf = (id: DeviceIdentity) => ({ deviceId: id.deviceId, publicKey: id.publicKey, sign: (m: Uint8Array) => id.sign(m) })
const key = () => randomBytes(32)

function shuffle<T>(xs: T[], seed: number): T[] {
  const out = [...xs]
  let s = seed
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31
    const j = s % (i + 1)
    const t = out[i] as T
    out[i] = out[j] as T
    out[j] = t
  }
  return out
}

describe('roster records', () => {
  it('round-trip and verify; a changed byte or a foreign signature is refused', () => {
    const a = DeviceIdentity.generate()
    const bytes = encodeRosterRecord(signerOf(a), 1, 1_700_000_000_123, {
      op: RosterOp.Genesis,
      sealingPublicKey: new Uint8Array(32).fill(7),
      name: 'laptop'
    })
    const rec = decodeRosterRecord(bytes)
    expect(rec).toMatchObject({ op: RosterOp.Genesis, author: a.deviceId, seq: 1, time: 1_700_000_000_123, name: 'laptop' })
    const tampered = Uint8Array.from(bytes)
    tampered[tampered.length - 70] = (tampered[tampered.length - 70] ?? 0) ^ 1
    expect(() => decodeRosterRecord(tampered)).toThrow(/signature|malformed|truncated|utf/i)
    const revoke = encodeRosterRecord(signerOf(a), 2, 5, {
      op: RosterOp.Revoke,
      device: a.deviceId,
      rosterSeq: 3,
      envelopeSeqs: new Map([['00112233445566778899aabbccddeeff', 9]])
    })
    expect(decodeRosterRecord(revoke)).toMatchObject({
      op: RosterOp.Revoke,
      rosterSeq: 3,
      envelopeSeqs: new Map([['00112233445566778899aabbccddeeff', 9]])
    })
  })
})

describe('roster membership', () => {
  async function chain() {
    const [a, b, c] = [DeviceIdentity.generate(), DeviceIdentity.generate(), DeviceIdentity.generate()]
    const ra = new Roster(new MemoryStorageAdapter(), signerOf(a))
    await ra.createGenesis(key(), 'A')
    await ra.addDevice(b.deviceId, 'B')
    const rb = new Roster(new MemoryStorageAdapter(), signerOf(b))
    expect(await rb.receive(ra.allRecords())).toEqual({ accepted: 2, rejected: 0 })
    await rb.append({ op: RosterOp.Keys, sealingPublicKey: key(), name: 'B' })
    await rb.addDevice(c.deviceId, 'C')
    const rc = new Roster(new MemoryStorageAdapter(), signerOf(c))
    await rc.receive(rb.allRecords())
    await rc.append({ op: RosterOp.Keys, sealingPublicKey: key(), name: 'C' })
    return { a, b, c, ra, rb, rc }
  }

  it('a device added by an added device is a member everywhere, whatever order the records arrive in', async () => {
    const { a, b, c, rc } = await chain()
    const records = rc.allRecords()
    for (let seed = 1; seed < 8; seed++) {
      const fresh = new Roster(new MemoryStorageAdapter(), signerOf(DeviceIdentity.generate()))
      // one by one in a shuffled order: early ones wait for their author's ADD, later batches bring them in
      for (const r of shuffle(records, seed)) await fresh.receive([r])
      await fresh.receive(records)
      expect(fresh.members()).toEqual([a.deviceId, b.deviceId, c.deviceId].sort())
      expect(fresh.device(c.deviceId)).toMatchObject({ name: 'C', addedBy: b.deviceId })
      expect(fresh.sealingKey(c.deviceId)).toBeDefined()
    }
    expect(rosterOf(shuffle(records, 99)).admitted.size).toBe(3)
  })

  it('records by a device nobody added are not accepted', async () => {
    const { ra } = await chain()
    const stranger = DeviceIdentity.generate()
    const forged = encodeRosterRecord(signerOf(stranger), 1, Date.now(), {
      op: RosterOp.Add,
      device: DeviceIdentity.generate().deviceId,
      name: 'evil'
    })
    expect(await ra.receive([forged])).toEqual({ accepted: 0, rejected: 0 })
    const otherRoot = encodeRosterRecord(signerOf(stranger), 1, Date.now(), { op: RosterOp.Genesis, sealingPublicKey: key(), name: 'root' })
    expect((await ra.receive([otherRoot])).accepted).toBe(0)
    expect(await ra.receive([Uint8Array.of(1, 2, 3)])).toEqual({ accepted: 0, rejected: 1 })
    const skip = encodeRosterRecord(signerOf(stranger), 5, Date.now(), { op: RosterOp.Keys, sealingPublicKey: key(), name: 'x' })
    expect((await ra.receive([skip])).rejected).toBe(1)
    expect(ra.members()).toHaveLength(2)
  })

  it('a removed device is no member, its later records are void, and its envelopes are bounded per vault', async () => {
    const { a, b, c, ra, rb, rc } = await chain()
    await ra.receive(rc.allRecords())
    expect(ra.members()).toContain(c.deviceId)
    const vault = 'aa'.repeat(16)
    await ra.revoke(b.deviceId, new Map([[vault, 12]]))
    expect(ra.isMember(b.deviceId)).toBe(false)
    expect(ra.wasAdmitted(b.deviceId)).toBe(true)
    expect(ra.envelopeBound(b.deviceId, vault)).toBe(12)
    expect(ra.envelopeBound(b.deviceId, 'bb'.repeat(16))).toBe(0)
    expect(ra.envelopeBound(c.deviceId, vault)).toBeUndefined()
    // C stays: B added it before its removal
    expect(ra.isMember(c.deviceId)).toBe(true)
    // B, removed, adds a device: refused
    const late = DeviceIdentity.generate()
    await rb.addDevice(late.deviceId, 'late')
    await ra.receive(rb.allRecords())
    expect(ra.isMember(late.deviceId)).toBe(false)
    expect(ra.members()).toEqual([a.deviceId, c.deviceId].sort())
  })
})
