/**
 * A backup peer on the roster (issue 13): a member of its own kind, admitted to sync and relay,
 * never an author, never a key holder. These are the attacks a malicious backup peer (or a device
 * trying to promote one) would try.
 */
import { describe, it, expect } from 'vitest'
import { MemoryStorageAdapter } from '../../daemon/storage/MemoryStorageAdapter.js'
import { Roster } from '../../daemon/pairing/Roster.js'
import { decodeRosterRecord, encodeRosterRecord, RosterOp } from '../../daemon/pairing/RosterRecord.js'
import { randomBytes } from '../../daemon/crypto/random.js'
import { testDevice } from './helpers/rosterSigner.js'

const roster = () => new Roster(new MemoryStorageAdapter())
const ADDRESS = '/ip4/203.0.113.10/tcp/4001'
const V1 = '11'.repeat(16)
const V2 = '22'.repeat(16)

async function withBackupPeer() {
  const [a, b, peer] = [testDevice(), testDevice(), testDevice()]
  const ra = roster()
  await ra.createGenesis(a.roster, randomBytes(32), 'A')
  await ra.addDevice(a.roster, b.id, b.roster.publicKey, 'B')
  await ra.addBackupPeer(a.roster, peer.id, 'pi', ADDRESS)
  const rb = roster()
  await rb.receive(ra.allRecords())
  return { a, b, peer, ra, rb }
}

describe('a backup peer on the roster', () => {
  it('round-trips its record and is known to every device as a backup peer with its address', async () => {
    const { peer, ra, rb } = await withBackupPeer()
    const rec = decodeRosterRecord(ra.allRecords()[2] as Uint8Array)
    expect(rec).toMatchObject({ op: RosterOp.Backup, device: peer.id, name: 'pi', address: ADDRESS, access: { all: true } })
    for (const r of [ra, rb]) {
      expect(r.isBackupPeer(peer.id)).toBe(true)
      expect(r.isPeer(peer.id)).toBe(true)
      expect(r.backupPeers().map(e => [e.id, e.kind, e.address])).toEqual([[peer.id, 'backup-peer', ADDRESS]])
    }
  })

  it('is never a member: no author of envelopes, no holder of keys, no granter', async () => {
    const { peer, rb } = await withBackupPeer()
    expect(rb.isMember(peer.id)).toBe(false)
    expect(rb.wasAdmitted(peer.id)).toBe(false)
    expect(rb.members()).not.toContain(peer.id)
    expect(rb.sealingKey(peer.id)).toBeUndefined()
    expect(rb.rosterKey(peer.id)).toBeUndefined()
  })

  it('cannot write roster records: a KEYS or an ADD it signs (with any key) is refused', async () => {
    const { peer, rb } = await withBackupPeer()
    const stranger = testDevice()
    for (const signer of [peer.roster, peer.transportOnly]) {
      const keys = encodeRosterRecord(signer, 1, Date.now(), { op: RosterOp.Keys, sealingPublicKey: randomBytes(32), name: 'evil' })
      const add = encodeRosterRecord(signer, 1, Date.now(), {
        op: RosterOp.Add,
        device: stranger.id,
        rosterKey: stranger.roster.publicKey,
        name: 'evil',
        access: { all: true }
      })
      await rb.receive([keys])
      await rb.receive([add])
      expect(rb.isMember(stranger.id)).toBe(false)
      expect(rb.sealingKey(peer.id)).toBeUndefined()
      expect(rb.vector().has(peer.id)).toBe(false)
    }
  })

  it('cannot be promoted to a key-holding device by a later ADD: a device named by both is voided', async () => {
    const { a, peer, ra } = await withBackupPeer()
    await ra.addDevice(a.roster, peer.id, peer.roster.publicKey, 'promoted')
    await ra.receive([encodeRosterRecord(peer.roster, 1, Date.now(), { op: RosterOp.Keys, sealingPublicKey: randomBytes(32), name: 'x' })])
    expect(ra.isMember(peer.id)).toBe(false)
    expect(ra.rosterKey(peer.id)).toBeUndefined()
    expect(ra.sealingKey(peer.id)).toBeUndefined()
    expect(ra.vector().has(peer.id)).toBe(false)
  })

  it('a device named by a BACKUP record is voided too, never a keyless peer holding keys', async () => {
    const { a, b, ra } = await withBackupPeer()
    await ra.addBackupPeer(a.roster, b.id, 'demoted', ADDRESS)
    expect(ra.isBackupPeer(b.id)).toBe(false)
    expect(ra.isMember(b.id)).toBe(false)
  })

  it('is removed like a device, on every device', async () => {
    const { a, peer, ra, rb } = await withBackupPeer()
    await ra.revoke(a.roster, peer.id, new Map(), [])
    await rb.receive(ra.allRecords())
    for (const r of [ra, rb]) {
      expect(r.isBackupPeer(peer.id)).toBe(false)
      expect(r.isPeer(peer.id)).toBe(false)
      expect(r.backupPeers()).toEqual([])
    }
  })

  it('may hold only the vaults it was given', async () => {
    const [a, peer] = [testDevice(), testDevice()]
    const ra = roster()
    await ra.createGenesis(a.roster, randomBytes(32), 'A')
    await ra.addBackupPeer(a.roster, peer.id, 'vps', ADDRESS, [V1])
    expect(ra.mayHold(peer.id, V1)).toBe(true)
    expect(ra.mayHold(peer.id, V2)).toBe(false)
  })

  it('added by a stranger or by the backup peer itself: nothing', async () => {
    const { rb } = await withBackupPeer()
    const stranger = testDevice()
    const other = testDevice()
    const rec = encodeRosterRecord(stranger.roster, 1, Date.now(), {
      op: RosterOp.Backup,
      device: other.id,
      name: 'x',
      address: ADDRESS,
      access: { all: true }
    })
    await rb.receive([rec])
    expect(rb.isPeer(other.id)).toBe(false)
  })
})
