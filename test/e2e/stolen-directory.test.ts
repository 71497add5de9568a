/**
 * A stolen, powered-off device (security review K-01), on real daemons: the thief copies B's data
 * directory — identity.key in the clear, the LevelDB — but not B's password, signs ADD(C) for a
 * device C it controls with B's identity key, plants it in B's store and in C's, and starts both.
 * Today's rule: roster statements need the roster key, which exists only while B is unlocked, so
 * A never admits C, seals it nothing and sends it nothing; C ends with an empty vault.
 */
import { describe, it, expect, afterAll, beforeAll } from 'vitest'
import { join } from 'node:path'
import { writeFile, mkdir } from 'node:fs/promises'
import { TestDaemon } from '../helpers/daemonProcess.js'
import { daemons, pairByCli, until, PASSWORD } from '../sync/helpers/daemons.js'
import { DeviceIdentity } from '../../daemon/keyring/DeviceIdentity.js'
import { LevelStorageAdapter } from '../../daemon/storage/LevelStorageAdapter.js'
import { storageViews } from '../../daemon/storage/storageLayout.js'
import { Keyring } from '../../daemon/keyring/Keyring.js'
import { UnlockThrottle } from '../../daemon/keyring/UnlockThrottle.js'
import { encodeRosterRecord, RosterOp } from '../../daemon/pairing/RosterRecord.js'

const THIEF_PASSWORD = 'thief-chosen-password'

describe('a stolen, powered-off device', () => {
  let a: TestDaemon
  let b: TestDaemon
  let c: TestDaemon
  beforeAll(async () => {
    ;[a, b] = await daemons(2)
    await a.init(PASSWORD)
    await a.api('POST', '/api/items', { title: 'Bank of Example', username: 'alice', password: 'S3cr3t-bank-pw!' })
    await pairByCli(a, b)
    await until(async () => ((await a.api('GET', '/api/devices')).body as unknown[]).length === 2, 'A lists B')
    c = await TestDaemon.create()
  }, 60_000)
  afterAll(async () => {
    for (const d of [a, b, c]) await d?.destroy()
  })

  it('cannot admit a thief’s device with the identity key alone: A seals it nothing, C reads nothing', async () => {
    await b.stop()
    const bIdentity = await DeviceIdentity.loadOrCreate(join(b.home, 'identity.key'))
    const dbB = new LevelStorageAdapter(join(b.home, 'db'))
    await dbB.open()
    const records: Array<[string, Uint8Array]> = []
    for await (const e of dbB.entries('roster/')) records.push(e)
    const peers: Array<[string, Uint8Array]> = []
    for await (const e of dbB.entries('sync/peer/')) peers.push(e)
    const nB = records.filter(([k]) => k.startsWith(`roster/${bIdentity.deviceId}/`)).length

    await mkdir(c.home, { recursive: true, mode: 0o700 })
    const cIdentity = await DeviceIdentity.loadOrCreate(join(c.home, 'identity.key'))
    const dbC = new LevelStorageAdapter(join(c.home, 'db'))
    await dbC.open()
    const views = storageViews(dbC)
    const kr = new Keyring({ storage: views.keyring, identity: cIdentity, throttle: new UnlockThrottle(views.meta) })
    await kr.load()
    await kr.initialize(THIEF_PASSWORD)
    const asB = { deviceId: bIdentity.deviceId, publicKey: bIdentity.publicKey, sign: (m: Uint8Array) => bIdentity.sign(m) }
    const add = encodeRosterRecord(asB, nB + 1, Date.now(), {
      op: RosterOp.Add,
      device: cIdentity.deviceId,
      rosterKey: kr.rosterSigner().publicKey,
      name: 'B-tablet',
      access: { all: true }
    })
    const keys = encodeRosterRecord(kr.rosterSigner(), 1, Date.now(), {
      op: RosterOp.Keys,
      sealingPublicKey: kr.sealingPublicKey,
      name: 'B-tablet'
    })
    const kAdd = `roster/${bIdentity.deviceId}/${(nB + 1).toString(16).padStart(8, '0')}`
    const kKeys = `roster/${cIdentity.deviceId}/00000001`
    await dbB.batch([
      { type: 'put', key: kAdd, value: add },
      { type: 'put', key: kKeys, value: keys }
    ])
    await dbC.batch([
      ...records.map(([key, value]) => ({ type: 'put' as const, key, value })),
      { type: 'put', key: kAdd, value: add },
      { type: 'put', key: kKeys, value: keys },
      ...peers.map(([key, value]) => ({ type: 'put' as const, key, value }))
    ])
    await dbB.close()
    await dbC.close()
    await writeFile(join(c.home, 'initialized'), '', { mode: 0o600 })

    await b.start() // locked: the thief has no password
    await c.start()
    const unlock = await c.kith(['unlock', '--password-stdin'], `${THIEF_PASSWORD}\n`)
    expect(unlock.code).toBe(0)
    // A and B meet again (B dials A from its peer book); give C every chance to be admitted and fed
    await until(
      async () => {
        const devs = (await a.api('GET', '/api/devices')).body as Array<{ id: string; online: boolean }>
        return devs.some(d => d.id === bIdentity.deviceId && d.online)
      },
      'B back online on A',
      20_000
    )
    await new Promise(resolve => setTimeout(resolve, 3000))

    const onA = (await a.api('GET', '/api/devices')).body as Array<{ id: string }>
    expect(onA.map(d => d.id)).not.toContain(cIdentity.deviceId)
    const listed = await c.kith(['list', '--json'])
    const items = listed.code === 0 ? (JSON.parse(listed.stdout) as unknown[]) : []
    expect(items).toEqual([])
    expect(listed.stdout).not.toContain('S3cr3t-bank-pw!')
    // and A's log says why it ignored the forged record
    expect(await c.log()).not.toContain('S3cr3t')
  }, 90_000)
})
