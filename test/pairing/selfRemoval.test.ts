/**
 * `destroy`'s first step: a device removes itself from the roster, a paired device acknowledges it
 * and rotates the vault keys, and every device ends up treating it as removed; when it cannot (it
 * is locked, no device answers, the answering device is locked) it says how to remove it elsewhere.
 * Whole devices in one process over the memory network.
 */
import { describe, it, expect, afterEach } from 'vitest'
import { MemoryNetwork } from '../../daemon/network/memory/MemoryNetwork.js'
import { MemoryStorageAdapter } from '../../daemon/storage/MemoryStorageAdapter.js'
import { RosterOp } from '../../daemon/pairing/RosterRecord.js'
import { testDevice } from './helpers/rosterSigner.js'
import { Roster, rosterOf } from '../../daemon/pairing/Roster.js'
import { encodeLeaveRequest, LEAVE_PROTOCOL, LeaveStatus } from '../../daemon/pairing/SelfRemoval.js'
import { randomBytes } from '../../daemon/crypto/random.js'
import { SyncDevice, eventually } from '../sync/helpers/syncDevice.js'

const devices: SyncDevice[] = []
async function device(net: MemoryNetwork, name: string): Promise<SyncDevice> {
  const d = await SyncDevice.create(name, net)
  devices.push(d)
  return d
}
afterEach(async () => {
  for (const d of devices.splice(0)) await d.stop()
})

async function paired(n: number): Promise<{ net: MemoryNetwork; all: SyncDevice[]; vaultId: string }> {
  const net = new MemoryNetwork()
  const all: SyncDevice[] = []
  for (let i = 0; i < n; i++) all.push(await device(net, String.fromCharCode(65 + i)))
  const [a] = all as [SyncDevice]
  await a.init()
  for (const x of all.slice(1)) await x.joinFrom(a)
  const vaultId = a.device.replicas.ids()[0] as string
  await eventually(() => all.every(x => all.every(y => x === y || x.sync.engine.isOnline(y.id))), 'everyone online')
  await eventually(() => all.every(x => epochOf(x, vaultId) === 0), 'every device holds the key')
  return { net, all, vaultId }
}

function epochOf(d: SyncDevice, vaultId: string): number | undefined {
  try {
    return d.device.keyring.currentEpoch(vaultId)
  } catch {
    return undefined
  }
}

describe('a REVOKE a device signs about itself', () => {
  it('removes it on its own roster and on every roster that takes the record', async () => {
    const [a, b] = [testDevice(), testDevice()]
    const ra = new Roster(new MemoryStorageAdapter())
    await ra.createGenesis(a.roster, randomBytes(32), 'A')
    await ra.addDevice(a.roster, b.id, b.roster.publicKey, 'B')
    const rb = new Roster(new MemoryStorageAdapter())
    await rb.receive(ra.allRecords())
    await rb.append(b.roster, { op: RosterOp.Keys, sealingPublicKey: randomBytes(32), name: 'B' })
    await ra.receive(rb.allRecords())
    const vault = '00112233445566778899aabbccddeeff'
    await rb.removeSelf(b.roster, new Map([[vault, 4]]))
    expect(rb.isMember(b.id)).toBe(false)
    expect(await ra.receive(rb.allRecords())).toEqual({ accepted: 1, rejected: 0 })
    expect(ra.isMember(b.id)).toBe(false)
    expect(ra.members()).toEqual([a.id])
    expect(ra.envelopeBound(b.id, vault)).toBe(4)
    // the removal stays valid once A removes B as well (A's REVOKE counts B's own record)
    await ra.revoke(a.roster, b.id, new Map(), [])
    expect(rosterOf(ra.allRecords()).valid.size).toBe(ra.allRecords().length)
    expect(ra.allRecords()).toHaveLength(5)
  })

  it('bounds the log at its own seq even when another record of the device is still being written', async () => {
    const a = testDevice()
    const ra = new Roster(new MemoryStorageAdapter())
    await ra.createGenesis(a.roster, randomBytes(32), 'A')
    const keys = ra.append(a.roster, { op: RosterOp.Keys, sealingPublicKey: randomBytes(32), name: 'A2' })
    await Promise.all([keys, ra.removeSelf(a.roster, new Map())])
    expect(ra.isRevoked(a.id)).toBe(true)
    expect(rosterOf(ra.allRecords()).valid.size).toBe(3)
  })
})

describe('destroy removes the device from the roster first', () => {
  it('a paired device acknowledges it and rotates every vault key; a third device learns it by sync', async () => {
    const { all, vaultId } = await paired(3)
    const [a, b, c] = all as [SyncDevice, SyncDevice, SyncDevice]
    const left = await b.device.selfRemoval.leave()
    expect(left.removedFromRoster).toBe(true)
    expect(left.hint).toBeNull()
    expect(left.acknowledgedBy.length).toBeGreaterThan(0)
    expect([a.id, c.id]).toEqual(expect.arrayContaining(left.acknowledgedBy))
    await b.device.eraser.erase()
    await eventually(() => [a, c].every(x => x.sync.roster.isRevoked(b.id)), 'A and C treat B as removed')
    await eventually(() => [a, c].every(x => (epochOf(x, vaultId) ?? 0) > 0), 'A and C hold a new key epoch')
    for (const x of [a, c]) expect(x.sync.devices.list().map(d => d.id)).not.toContain(b.id)
    // no epoch after the removal was sealed to B
    for (const x of [a, c]) {
      const sealedToB = (await x.device.keyring.grants.index()).get(vaultId)?.get(b.id) ?? new Set<number>()
      expect([...sealedToB].filter(e => e > 0)).toEqual([])
    }
    const secret = await a.service.createItem({ title: 'after B left', password: 'new secret' })
    await eventually(() => c.service.listItems().some(i => i.id === secret.id), 'C gets the new item')
    expect(b.device.engine.connected()).toEqual([])
  })

  it('the vault key is rotated even when the leaving device made the current one (no rotation rule of the others covers it)', async () => {
    const { all, vaultId } = await paired(3)
    const [a, b, c] = all as [SyncDevice, SyncDevice, SyncDevice]
    // B removes C: B's rotation becomes the current epoch, sealed to A and B
    const [{ epoch: byB } = { epoch: -1 }] = (await b.sync.devices.revoke(c.id)).rotated
    await eventually(() => epochOf(a, vaultId) === byB, "A holds B's epoch")
    expect(await a.device.keyring.grants.minted(vaultId, byB)).toBe(false)
    const left = await b.device.selfRemoval.leave()
    expect(left).toMatchObject({ removedFromRoster: true, acknowledgedBy: [a.id] })
    // a new epoch of A's (its number need not be higher: a removed device's epochs stop counting)
    await eventually(() => {
      const e = epochOf(a, vaultId)
      return e !== undefined && e !== byB
    }, 'A rotated away from the epoch B made')
    const current = epochOf(a, vaultId) as number
    expect(await a.device.keyring.grants.minted(vaultId, current)).toBe(true)
    const sealed = (await a.device.keyring.grants.index()).get(vaultId)
    expect(sealed?.get(b.id)?.has(current) ?? false).toBe(false)
    expect(a.sync.roster.members()).toEqual([a.id])
  })

  it('a locked device removes nothing and says to remove it from another device', async () => {
    const { all } = await paired(2)
    const [a, b] = all as [SyncDevice, SyncDevice]
    await b.service.lock()
    const before = b.sync.roster.allRecords().length
    const left = await b.device.selfRemoval.leave()
    expect(left).toMatchObject({ removedFromRoster: false, acknowledgedBy: [] })
    expect(left.hint).toMatch(/locked/)
    expect(left.hint).toContain(`kith devices revoke ${b.id.slice(0, 12)}`)
    expect(b.sync.roster.allRecords()).toHaveLength(before)
    expect(a.sync.roster.isMember(b.id)).toBe(true)
  })

  it('with no paired device reachable, or only a locked one, it is not removed and gets the hint', async () => {
    const { all } = await paired(2)
    const [a, b] = all as [SyncDevice, SyncDevice]
    await a.service.lock()
    const locked = await b.device.selfRemoval.leave()
    expect(locked.removedFromRoster).toBe(false)
    expect(locked.hint).toContain(`kith devices revoke ${b.id.slice(0, 12)}`)
    expect(a.sync.roster.isMember(b.id)).toBe(true)
    expect(a.sync.roster.isRevoked(b.id)).toBe(false)
    await a.stop()
    const offline = await b.device.selfRemoval.leave()
    expect(offline.removedFromRoster).toBe(false)
    expect(offline.hint).toMatch(/no paired device was reachable/)
  })

  it('a device alone has no roster to leave and no hint', async () => {
    const net = new MemoryNetwork()
    const a = await device(net, 'A')
    await a.init()
    expect(await a.device.selfRemoval.leave()).toEqual({ removedFromRoster: false, acknowledgedBy: [], hint: null })
  })

  it("a member's request that does not remove itself is refused and changes nothing", async () => {
    const { all } = await paired(3)
    const [a, b, c] = all as [SyncDevice, SyncDevice, SyncDevice]
    const ask = async (records: Uint8Array[]): Promise<number | undefined> => {
      const stream = await b.sync.network.openStream(a.id, [], LEAVE_PROTOCOL, { maxFrameBytes: 1 << 20, maxBufferBytes: 1 << 21 })
      await stream.write(encodeLeaveRequest(records))
      const answer = await stream.read()
      await stream.close()
      return answer?.[0]
    }
    // B's own records without a removal, then C's records relayed by B
    const own = b.sync.roster.recordsAfter(new Map([...b.sync.roster.vector()].map(([k, v]) => [k, k === b.id ? 0 : v])))
    expect(await ask(own)).toBe(LeaveStatus.Refused)
    const ofC = c.sync.roster.recordsAfter(new Map([...c.sync.roster.vector()].map(([k, v]) => [k, k === c.id ? 0 : v])))
    expect(await ask(ofC)).toBe(LeaveStatus.Refused)
    expect(await ask([])).toBe(LeaveStatus.Refused)
    expect(a.sync.roster.members().sort()).toEqual([a.id, b.id, c.id].sort())
    expect(epochOf(a, a.device.replicas.ids()[0] as string)).toBe(0)
  })
})
