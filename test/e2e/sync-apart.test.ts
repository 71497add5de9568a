/**
 * Apart and back, exactly as issue 3 states it: B stopped, A edits an item's password and adds an
 * item, A stopped, B started and edits the same item's username and adds an item, A started: both
 * devices end with both field edits and both items, nothing lost. Neither daemon is told where the
 * other is after the restarts: each dials the peers it knew, at the addresses they last announced.
 */
import { describe, it, expect, afterAll } from 'vitest'
import type { TestDaemon } from '../helpers/daemonProcess.js'
import { daemons, itemOn, pairByApi, until, PASSWORD, JOIN_PASSWORD } from '../sync/helpers/daemons.js'
import type { Item } from '../../daemon/vault/Item.js'

describe('apart and back', () => {
  let a: TestDaemon
  let b: TestDaemon
  afterAll(async () => {
    await a?.destroy()
    await b?.destroy()
  })

  it('edits made apart merge field by field when the devices meet again', async () => {
    ;[a, b] = await daemons(2)
    await a.init(PASSWORD)
    await pairByApi(a, b)
    const shared = (
      await a.api('POST', '/api/items', { title: 'Router', username: 'admin', password: 'old-password', notes: 'in the hall' })
    ).body.id as string
    await until(async () => await itemOn(b, shared), 'the shared item on B')

    await b.stop()
    expect((await a.api('PATCH', `/api/items/${shared}`, { password: 'new-password-from-A' })).status).toBe(200)
    const fromA = (await a.api('POST', '/api/items', { title: 'Added on A while apart' })).body.id as string
    await a.stop()

    await b.start()
    expect((await b.api('POST', '/api/unlock', { password: JOIN_PASSWORD })).status).toBe(200)
    expect((await b.api('PATCH', `/api/items/${shared}`, { username: 'root-from-B' })).status).toBe(200)
    const fromB = (await b.api('POST', '/api/items', { title: 'Added on B while apart' })).body.id as string
    await a.start()
    expect((await a.api('POST', '/api/unlock', { password: PASSWORD })).status).toBe(200)

    const merged = { title: 'Router', username: 'root-from-B', password: 'new-password-from-A', notes: 'in the hall' }
    for (const d of [a, b]) {
      await until(
        async () => {
          const item = await itemOn(d, shared)
          return (
            item?.username === 'root-from-B' &&
            item?.password === 'new-password-from-A' &&
            (await itemOn(d, fromA)) !== undefined &&
            (await itemOn(d, fromB)) !== undefined
          )
        },
        'both edits and both items',
        15_000
      )
      expect(await itemOn(d, shared)).toMatchObject(merged)
    }
    const titles = async (d: TestDaemon): Promise<string[]> => ((await d.api('GET', '/api/items')).body as Item[]).map(i => i.title).sort()
    expect(await titles(a)).toEqual(['Added on A while apart', 'Added on B while apart', 'Router'])
    expect(await titles(b)).toEqual(await titles(a))
  })

  it('a locked device receives changes and shows them once unlocked', async () => {
    expect((await b.api('POST', '/api/lock')).status).toBe(200)
    const ids: string[] = []
    for (let i = 0; i < 5; i++)
      ids.push((await a.api('POST', '/api/items', { title: `while B is locked ${i}`, password: `p${i}` })).body.id)
    expect((await b.api('GET', '/api/items')).status).toBe(423)
    // the locked daemon stores what arrives (its sync status counts the envelopes it took in)
    await until(async () => {
      const peers = (await b.api('GET', '/api/status')).body.sync?.peers as Array<{ envelopesIn: number }> | undefined
      return (peers?.reduce((n, p) => n + p.envelopesIn, 0) ?? 0) >= 5
    }, 'B stored the envelopes while locked')
    expect((await b.api('POST', '/api/unlock', { password: JOIN_PASSWORD })).status).toBe(200)
    for (const id of ids) expect(await itemOn(b, id)).toMatchObject({ id })
  })
})
