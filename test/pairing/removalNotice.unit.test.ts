/**
 * Telling a removed device it was removed, seen as an attacker would use it: the proof carries the
 * REVOKE and the ADD chain that gives its author authority, nothing more; the removed device takes
 * only records that remove it by its own roster's rules and root, so a removal signed with a
 * transport key only, by a made-up root, or by a stranger is refused and stored nowhere; a notice
 * over its caps is refused whole; a roster device lets in only a device it removed, a few times.
 */
import { describe, it, expect } from 'vitest'
import { EventEmitter } from 'node:events'
import { MemoryStorageAdapter } from '../../daemon/storage/MemoryStorageAdapter.js'
import { Roster } from '../../daemon/pairing/Roster.js'
import { RosterOp, decodeRosterRecord } from '../../daemon/pairing/RosterRecord.js'
import { removalProof } from '../../daemon/pairing/removalProof.js'
import {
  decodeNotice,
  encodeNotice,
  MAX_NOTICE_RECORDS,
  RemovalNotice,
  RemovalNoticeError,
  RemovalStatus
} from '../../daemon/pairing/RemovalNotice.js'
import { randomBytes } from '../../daemon/crypto/random.js'
import { BinaryWriter } from '../../daemon/codec/BinaryWriter.js'
import { testDevice, type TestDevice } from './helpers/rosterSigner.js'
import type { LogLine } from '../sync/helpers/syncDevice.js'

/** A roster A created, with B and C added by A and each stating its keys; `copy` is C's roster before any removal. */
async function family(): Promise<{ a: TestDevice; b: TestDevice; c: TestDevice; ra: Roster; rc: Roster }> {
  const [a, b, c] = [testDevice(), testDevice(), testDevice()]
  const ra = new Roster(new MemoryStorageAdapter())
  await ra.createGenesis(a.roster, randomBytes(32), 'Laptop')
  await ra.addDevice(a.roster, b.id, b.roster.publicKey, 'Desktop')
  await ra.addDevice(a.roster, c.id, c.roster.publicKey, 'Phone')
  await ra.append(b.roster, { op: RosterOp.Keys, sealingPublicKey: randomBytes(32), name: 'Desktop' })
  await ra.append(c.roster, { op: RosterOp.Keys, sealingPublicKey: randomBytes(32), name: 'Phone' })
  const rc = new Roster(new MemoryStorageAdapter())
  await rc.receive(ra.allRecords())
  return { a, b, c, ra, rc }
}

function noticeOn(selfId: string, roster: Roster): { notice: RemovalNotice; network: EventEmitter; logs: LogLine[] } {
  const network = new EventEmitter()
  const logs: LogLine[] = []
  const notice = new RemovalNotice({
    selfId,
    network: Object.assign(network, {
      handle: async () => {},
      openStream: async () => {
        throw new Error('no network in this test')
      },
      disconnect: async () => {},
      isConnected: () => false
    }),
    roster,
    log: (level, message) => void logs.push({ level, message })
  })
  return { notice, network, logs }
}

const authorsOf = (records: Uint8Array[]): string[] => records.map(r => decodeRosterRecord(r)).map(r => `${r.author.slice(0, 4)}#${r.seq}`)

describe('removalProof', () => {
  it('is empty for a device still on the roster, and carries the REVOKE with its author’s log, not other devices’ records', async () => {
    const { a, b, c, ra } = await family()
    expect(removalProof(ra.allRecords(), c.id)).toEqual([])
    await ra.revoke(a.roster, c.id, new Map(), [])
    const proof = removalProof(ra.allRecords(), c.id)
    expect(authorsOf(proof)).toEqual(['a', 'a', 'a', 'a'].map((_, i) => `${a.id.slice(0, 4)}#${i + 1}`))
    expect(proof.map(r => decodeRosterRecord(r).author)).not.toContain(b.id)
    expect(proof.map(r => decodeRosterRecord(r).author)).not.toContain(c.id)
  })

  it('a removal by a device the root added carries that device’s log and the ADD that admitted it', async () => {
    const { a, b, c, ra } = await family()
    await ra.revoke(b.roster, c.id, new Map(), [])
    const proof = removalProof(ra.allRecords(), c.id).map(r => decodeRosterRecord(r))
    expect(proof.filter(r => r.author === b.id).map(r => r.seq)).toEqual([1, 2])
    // A's genesis and its ADD of B; A's later ADD of C comes along (logs are taken in seq order)
    expect(proof.filter(r => r.author === a.id).map(r => r.seq)).toEqual([1, 2])
  })
})

describe('the removed device', () => {
  it('takes a genuine removal, says who removed it and when, and logs it once', async () => {
    const { a, c, ra, rc } = await family()
    const { notice, logs } = noticeOn(c.id, rc)
    expect(notice.removal()).toBeNull()
    await ra.revoke(a.roster, c.id, new Map(), [])
    expect(await notice.take(a.id, removalProof(ra.allRecords(), c.id))).toBe(RemovalStatus.Taken)
    expect(notice.removed).toBe(true)
    const removal = notice.removal()
    expect(removal).toMatchObject({ by: a.id, byName: 'Laptop', at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) })
    expect(removal?.message).toContain(`This device was removed from the roster by Laptop at ${removal?.at}`)
    // the same records again (another device tells it too) log nothing more
    await rc.receive(ra.allRecords())
    expect(logs.filter(l => l.message.includes('was removed from the roster'))).toHaveLength(1)
  })

  it('refuses a removal signed with the transport key only, by a made-up root, or by a stranger, and stores none of it', async () => {
    const { a, c, ra, rc } = await family()
    const { notice, logs } = noticeOn(c.id, rc)
    const held = rc.allRecords().length

    // A's identity key alone (a copied data directory without the password) signs the REVOKE
    const stolen = new Roster(new MemoryStorageAdapter())
    await stolen.receive(ra.allRecords())
    const forged = await stolen.append(a.transportOnly, {
      op: RosterOp.Revoke,
      device: c.id,
      rosterSeq: 2,
      envelopeSeqs: new Map(),
      epochs: []
    })
    expect(await notice.take(a.id, [...ra.allRecords(), forged])).toBe(RemovalStatus.Refused)

    // a new GENESIS (of a smaller id, so that it would win a root contest) that adds and removes C
    let fake = testDevice()
    while (fake.id > a.id) fake = testDevice()
    const rf = new Roster(new MemoryStorageAdapter())
    await rf.createGenesis(fake.roster, randomBytes(32), 'Fake')
    await rf.addDevice(fake.roster, c.id, c.roster.publicKey, 'Phone')
    await rf.revoke(fake.roster, c.id, new Map(), [])
    expect(await notice.take(a.id, rf.allRecords())).toBe(RemovalStatus.Refused)

    // a stranger's own log that removes C
    const s = testDevice()
    const rs = new Roster(new MemoryStorageAdapter())
    await rs.receive(ra.allRecords())
    const byStranger = await rs.append(s.roster, { op: RosterOp.Revoke, device: c.id, rosterSeq: 1, envelopeSeqs: new Map(), epochs: [] })
    expect(await notice.take(a.id, [byStranger])).toBe(RemovalStatus.Refused)

    // records that parse but remove nothing
    expect(await notice.take(a.id, ra.allRecords())).toBe(RemovalStatus.Refused)

    expect(notice.removed).toBe(false)
    expect(rc.isMember(c.id)).toBe(true)
    expect(rc.allRecords()).toHaveLength(held)
    expect(logs.some(l => l.level === 'warn' && l.message.includes('ignored a removal notice'))).toBe(true)
  })

  it('refuses a notice over its caps or malformed, whole', () => {
    expect(() => decodeNotice(encodeNotice([]))).toThrow(RemovalNoticeError)
    expect(() => decodeNotice(new BinaryWriter().u32(MAX_NOTICE_RECORDS + 1).finish())).toThrow(/records/)
    const big = new BinaryWriter()
      .u32(1)
      .bytes(new Uint8Array(64 * 1024 + 1))
      .finish()
    expect(() => decodeNotice(big)).toThrow(RemovalNoticeError)
    expect(() => decodeNotice(new Uint8Array([...encodeNotice([new Uint8Array(3)]), 9]))).toThrow(/malformed/)
  })
})

describe('the roster device', () => {
  it('lets in only a device it removed, a few times per run, and nothing once it was removed itself', async () => {
    const { a, b, c, ra } = await family()
    const { notice, network } = noticeOn(a.id, ra)
    const stranger = testDevice()
    expect(notice.admits(c.id)).toBe(false)
    expect(notice.admits(stranger.id)).toBe(false)
    await ra.revoke(a.roster, c.id, new Map(), [])
    expect(notice.admits(c.id)).toBe(true)
    expect(notice.admits(b.id)).toBe(false)
    expect(notice.admits(stranger.id)).toBe(false)
    for (let i = 0; i < 3; i++) {
      expect(notice.admits(c.id)).toBe(true)
      network.emit('peer-connected', c.id)
      await new Promise(resolve => setTimeout(resolve, 10))
    }
    expect(notice.admits(c.id)).toBe(false)
    notice.onRefused(c.id)
    expect(notice.admits(c.id)).toBe(false)

    const { notice: onB } = noticeOn(b.id, ra)
    await ra.revoke(a.roster, b.id, new Map(), [])
    expect(onB.removed).toBe(true)
    expect(onB.admits(c.id)).toBe(false)
  })
})
