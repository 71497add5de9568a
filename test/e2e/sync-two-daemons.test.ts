/**
 * Two real daemons paired through the CLI: adds, edits and deletes flow both ways; the device list,
 * the event stream (peer-connected, peer-disconnected, item-changed for remote changes); removing a
 * device through the CLI.
 */
import { describe, it, expect, afterAll } from 'vitest'
import type { TestDaemon } from '../helpers/daemonProcess.js'
import { SseClient } from '../sync/helpers/sse.js'
import { daemons, itemOn, pairByCli, until } from '../sync/helpers/daemons.js'
import type { DeviceJson } from '../../daemon/api/ports.js'

describe('two daemons paired through the CLI', () => {
  let a: TestDaemon
  let b: TestDaemon
  const streams: SseClient[] = []
  afterAll(async () => {
    for (const s of streams) s.close()
    await a?.destroy()
    await b?.destroy()
  })

  it('pair, then adds, edits and deletes flow both ways with events on both sides', async () => {
    ;[a, b] = await daemons(2)
    await a.init()
    const eventsA = await SseClient.open(a.info!)
    streams.push(eventsA)
    const { words, joined } = await pairByCli(a, b)
    expect(joined.vaults).toHaveLength(1)
    expect(joined.words).toEqual(words)
    const bStatus = (await b.api('GET', '/api/status')).body
    expect(bStatus).toMatchObject({ initialized: true, locked: false })
    const connected = await eventsA.waitFor(e => e.event === 'peer-connected')
    expect(connected.data).toMatchObject({ id: bStatus.deviceId, online: true })
    const eventsB = await SseClient.open(b.info!)
    streams.push(eventsB)

    // A → B, through the CLI
    const add = await a.kith([
      'add',
      '--title',
      'Mail',
      '--username',
      'me@example.com',
      '--password',
      'pw-1',
      '--url',
      'https://mail.example.com',
      '--json'
    ])
    expect(add.code).toBe(0)
    const id = JSON.parse(add.stdout).id as string
    const onB = await until(async () => await itemOn(b, id), 'the item on B')
    expect(onB).toMatchObject({ title: 'Mail', username: 'me@example.com', password: 'pw-1', urls: ['https://mail.example.com'] })
    const remote = await eventsB.waitFor(e => e.event === 'item-changed' && e.data.id === id)
    expect(remote.data.local).toBe(false)

    // B → A: an edit and a new item
    expect((await b.kith(['edit', id, '--password', 'pw-2'])).code).toBe(0)
    const add2 = await b.api('POST', '/api/items', { title: 'Bank', username: 'u2' })
    await until(async () => (await itemOn(a, id))?.password === 'pw-2', 'the edit on A')
    await until(async () => await itemOn(a, add2.body.id), "B's item on A")

    // deletes both ways
    expect((await a.kith(['rm', add2.body.id])).code).toBe(0)
    await until(async () => (await itemOn(b, add2.body.id))?.trashed === true, 'the trash on B')
    expect((await b.api('DELETE', `/api/items/${id}`)).status).toBe(200)
    await until(async () => (await itemOn(a, id))?.trashed === true, 'the trash on A')
    const listA = (await a.api('GET', '/api/items')).body
    const listB = (await b.api('GET', '/api/items')).body
    expect(listA).toEqual([])
    expect(listB).toEqual([])
    const log = await a.log()
    expect(log).not.toMatch(/rejected data|warn/)
  })

  it('lists both devices as online, then the stopped one as offline with its last sighting', async () => {
    const listed = JSON.parse((await a.kith(['devices', '--json'])).stdout) as DeviceJson[]
    expect(listed).toHaveLength(2)
    expect(listed.map(d => [d.self, d.online])).toEqual([
      [true, true],
      [false, true]
    ])
    for (const d of listed)
      expect(d).toMatchObject({
        id: expect.stringMatching(/^[0-9a-f]{64}$/),
        peerId: expect.stringMatching(/^12D3KooW/),
        lastSeen: expect.any(String),
        name: expect.any(String)
      })
    const fromB = JSON.parse((await b.kith(['devices', '--json'])).stdout) as DeviceJson[]
    expect(fromB.map(d => d.id).sort()).toEqual(listed.map(d => d.id).sort())
    const bId = listed[1]?.id as string
    const stoppedAt = Date.now()
    await b.stop()
    await streams[0]!.waitFor(e => e.event === 'peer-disconnected' && e.data.id === bId)
    const after = (await a.api('GET', '/api/devices')).body as DeviceJson[]
    const offline = after.find(d => d.id === bId)
    expect(offline?.online).toBe(false)
    expect(Date.parse(offline?.lastSeen ?? '')).toBeGreaterThanOrEqual(stoppedAt - 5000)
  })

  it('a removed device is told when it comes back, and gets nothing written afterwards', async () => {
    const bId = ((await a.api('GET', '/api/devices')).body as DeviceJson[]).find(d => !d.self)?.id as string
    const revoke = await a.kith(['devices', 'revoke', bId.slice(0, 12), '--json'])
    expect(revoke.code).toBe(0)
    const removed = JSON.parse(revoke.stdout)
    expect(removed).toMatchObject({ id: bId, revoked: true, rotated: [{ epoch: expect.any(Number) }] })
    expect(removed.rotated[0].epoch).toBeGreaterThan(0) // a random step forward (Keyring.rotate)
    expect(((await a.api('GET', '/api/devices')).body as DeviceJson[]).map(d => d.id)).not.toContain(bId)
    const secret = await a.api('POST', '/api/items', { title: 'after the removal', password: 'new secret' })
    await b.start()
    await b.api('POST', '/api/unlock', { password: 'another fine password' })
    await new Promise(resolve => setTimeout(resolve, 1500))
    expect(await itemOn(b, secret.body.id)).toBeUndefined()
    const devicesOnB = (await b.api('GET', '/api/devices')).body as DeviceJson[]
    expect(devicesOnB.find(d => !d.self)?.online).toBe(false)
    // let in once, only to be handed the records that removed it (RemovalNotice)
    await until(async () => (await a.log()).includes(`told ${bId.slice(0, 12)}`), 'A to tell B that it was removed')
    expect((await b.api('GET', '/api/status')).body.removed).toMatchObject({ by: (await a.api('GET', '/api/status')).body.deviceId })
  })
})
