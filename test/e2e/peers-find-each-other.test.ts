/**
 * Devices find each other through their peers, on real daemons (child processes, 127.0.0.1,
 * --no-mdns): B and D, both paired with A only, learn each other's addresses from A and sync
 * directly, so an item added on D reaches B with A stopped. A device removed while it was away is
 * told so when it comes back: it says who removed it, stops dialling (no dial attempt, no refused
 * connection in the seconds after), and both sides log it once.
 */
import { describe, it, expect, afterAll } from 'vitest'
import type { TestDaemon } from '../helpers/daemonProcess.js'
import { daemons, itemOn, pairByApi, until, JOIN_PASSWORD } from '../sync/helpers/daemons.js'
import type { DeviceJson } from '../../daemon/api/ports.js'

const started: TestDaemon[] = []
afterAll(async () => {
  for (const d of started) await d.destroy()
})

const idOf = async (d: TestDaemon): Promise<string> => (await d.api('GET', '/api/status')).body.deviceId as string
const onlineOn = async (d: TestDaemon, id: string): Promise<boolean> =>
  ((await d.api('GET', '/api/devices')).body as DeviceJson[]).find(x => x.id === id)?.online === true
const count = (text: string, pattern: RegExp): number => text.split('\n').filter(l => pattern.test(l)).length

describe('devices find each other through their peers', () => {
  it('B and D, paired through A only and without mDNS, learn each other from A and sync with A stopped', async () => {
    const [a, b, d] = await daemons(3)
    started.push(a, b, d)
    await a.init()
    await pairByApi(a, b)
    await pairByApi(a, d)
    const [bId, dId] = [await idOf(b), await idOf(d)]
    await until(async () => (await onlineOn(b, dId)) && (await onlineOn(d, bId)), 'B and D online with each other', 20_000)
    await a.stop()
    const added = await d.api('POST', '/api/items', { title: 'added on D with A away', password: 'pw from D' })
    expect(added.status).toBe(201)
    const onB = await until(async () => await itemOn(b, added.body.id), 'the item on B', 10_000)
    expect(onB.title).toBe('added on D with A away')
    // B heard D's address from A only: it remembers it across a restart and finds D again without A
    await b.stop()
    await b.start()
    expect((await b.api('POST', '/api/unlock', { password: JOIN_PASSWORD })).status).toBe(200)
    await until(async () => await onlineOn(b, dId), 'B finds D again after a restart, A still away', 15_000)
  })

  it('a device removed while away is told when it comes back: it says so, stops dialling, and each side logs it once', async () => {
    const [a, b] = await daemons(2)
    started.push(a, b)
    await a.init()
    await pairByApi(a, b)
    const bId = await idOf(b)
    await until(async () => await onlineOn(a, bId), 'B online on A')
    await b.stop()
    const revoke = await a.kith(['devices', 'revoke', bId.slice(0, 12), '--json'])
    expect(revoke.code).toBe(0)
    const aName = ((await a.api('GET', '/api/devices')).body as DeviceJson[]).find(x => x.self)?.name as string

    b.env = { ...b.env, KITH_LOG_LEVEL: 'debug' }
    await b.start()
    await until(async () => (await b.api('GET', '/api/status')).body.removed !== null, 'B to learn that it was removed', 15_000)
    const status = await b.kith(['status', '--json'])
    const removed = JSON.parse(status.stdout).removed as { by: string; byName: string; at: string; message: string }
    expect(removed).toMatchObject({ by: await idOf(a), byName: aName })
    expect(Date.parse(removed.at)).toBeGreaterThan(0)
    expect(removed.message).toContain(`This device was removed from the roster by ${aName} at ${removed.at}`)
    expect((await b.kith(['status'])).stdout).toContain(`This device was removed from the roster by ${aName}`)
    const devices = await b.kith(['devices'])
    expect(devices.code).toBe(0)
    expect(devices.stdout.split('\n')[0]).toContain(`This device was removed from the roster by ${aName}`)

    // from now on B dials no one: nothing on either side in the next seconds
    const [logA, logB] = [await a.log(), await b.log()]
    await new Promise(resolve => setTimeout(resolve, 6000))
    const [laterA, laterB] = [(await a.log()).slice(logA.length), (await b.log()).slice(logB.length)]
    expect(count(laterB, /sync: dialling .* failed/)).toBe(0)
    expect(count(laterA, /refused inbound connection|refused a session from/)).toBe(0)
    expect(count(laterA, /told .* that it was removed/)).toBe(0)
    // and each side said it once
    const [allA, allB] = [await a.log(), await b.log()]
    expect(count(allA, new RegExp(`told ${bId.slice(0, 12)}.* that it was removed from the roster`))).toBe(1)
    expect(count(allB, /This device was removed from the roster by/)).toBe(1)
    expect(count(allA, /refused inbound connection/)).toBe(0)
    // it still gets nothing written afterwards
    const secret = await a.api('POST', '/api/items', { title: 'after the removal', password: 'new secret' })
    await b.api('POST', '/api/unlock', { password: JOIN_PASSWORD })
    await new Promise(resolve => setTimeout(resolve, 1000))
    expect(await itemOn(b, secret.body.id)).toBeUndefined()
  })
})
