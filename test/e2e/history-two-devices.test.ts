/**
 * Item history on two real daemons: both change the same item's password while apart (B stopped,
 * then A stopped); when they meet, both edits are in the history on both devices, each with the
 * device that made it and both new passwords. Restoring a version on B (through the CLI) is a new
 * edit: A receives the restored password and the restore's own version.
 */
import { describe, it, expect, afterAll } from 'vitest'
import type { TestDaemon } from '../helpers/daemonProcess.js'
import { daemons, itemOn, pairByApi, until, PASSWORD, JOIN_PASSWORD } from '../sync/helpers/daemons.js'
import type { HistoryVersion } from '../../daemon/api/ports.js'

const historyOf = async (d: TestDaemon, id: string): Promise<HistoryVersion[]> =>
  ((await d.api('GET', `/api/items/${id}/history`)).body as { versions: HistoryVersion[] }).versions

const passwordsIn = (versions: HistoryVersion[]): string[] =>
  versions.flatMap(v => v.changes.filter(c => c.field === 'password').map(c => String(c.to))).sort()

describe('item history across two devices', () => {
  let a: TestDaemon
  let b: TestDaemon
  afterAll(async () => {
    await a?.destroy()
    await b?.destroy()
  })

  it('edits made apart on both devices are both in the history, and a restore syncs', async () => {
    ;[a, b] = await daemons(2)
    await a.init(PASSWORD)
    await pairByApi(a, b)
    const deviceA = String((await a.api('GET', '/api/status')).body.deviceId).slice(0, 16)
    const deviceB = String((await b.api('GET', '/api/status')).body.deviceId).slice(0, 16)
    const id = (await a.api('POST', '/api/items', { title: 'Router', password: 'pw-original' })).body.id as string
    await until(async () => await itemOn(b, id), 'the item on B')

    await b.stop()
    expect((await a.api('PATCH', `/api/items/${id}`, { password: 'pw-from-A' })).status).toBe(200)
    await a.stop()
    await b.start()
    expect((await b.api('POST', '/api/unlock', { password: JOIN_PASSWORD })).status).toBe(200)
    expect((await b.api('PATCH', `/api/items/${id}`, { password: 'pw-from-B', notes: 'changed on B' })).status).toBe(200)
    await a.start()
    expect((await a.api('POST', '/api/unlock', { password: PASSWORD })).status).toBe(200)

    for (const d of [a, b]) {
      const versions = await until(
        async () => {
          const h = await historyOf(d, id)
          return h.length === 2 ? h : undefined
        },
        'both edits in the history',
        15_000
      )
      expect(passwordsIn(versions)).toEqual(['pw-from-A', 'pw-from-B'])
      expect(versions.map(v => v.device).sort()).toEqual([deviceA, deviceB].sort())
      for (const v of versions) expect(v.changes.find(c => c.field === 'password')?.from).toBe('pw-original')
    }
    expect(await historyOf(a, id)).toEqual(await historyOf(b, id))

    // restore on B, through the CLI: the item as it was before A's edit (both edits undone)
    const versions = await historyOf(b, id)
    const oldest = versions[versions.length - 1]?.version as string
    const restored = await b.kith(['history', 'restore', id, oldest, '--json'])
    expect(restored.code, restored.stderr).toBe(0)
    expect(JSON.parse(restored.stdout)).toMatchObject({ password: 'pw-original', notes: '' })
    await until(async () => (await itemOn(a, id))?.password === 'pw-original', 'the restore on A')
    const onA = await until(async () => {
      const h = await historyOf(a, id)
      return h.length === 3 ? h : undefined
    }, 'the restore in A’s history')
    expect(onA[0]).toMatchObject({ device: deviceB, imported: false })
    expect(onA[0]?.changes.find(c => c.field === 'password')).toMatchObject({ to: 'pw-original' })

    // the CLI shows the timeline with secrets masked; --json carries them
    const text = await a.kith(['history', id])
    expect(text.code).toBe(0)
    expect(text.stdout).toContain(`device ${deviceB}`)
    expect(text.stdout).not.toContain('pw-from-A')
    const json = JSON.parse((await a.kith(['history', id, '--json'])).stdout) as { versions: HistoryVersion[] }
    expect(passwordsIn(json.versions)).toEqual(['pw-from-A', 'pw-from-B', 'pw-original'])
  })

  it("a card's old number is in the history on the other device, masked in the CLI's text, and a restore brings it back", async () => {
    const card = { cardholder: 'Ann', number: '4111111111111111', expMonth: '4', expYear: '2029', cvv: '123' }
    const id = (await a.api('POST', '/api/items', { title: 'Visa', type: 'card', card })).body.id as string
    expect((await a.api('PATCH', `/api/items/${id}`, { card: { number: '5500000000000004', cvv: '987' } })).status).toBe(200)
    const [version] = await until(async () => {
      const h = await historyOf(b, id)
      return h.length === 1 ? h : undefined
    }, 'the card edit in B’s history')
    expect(version?.changes).toEqual([
      { field: 'card.number', from: '4111111111111111', to: '5500000000000004', omitted: false, secret: true },
      { field: 'card.cvv', from: '123', to: '987', omitted: false, secret: true }
    ])
    const text = await b.kith(['history', id])
    expect(text.code, text.stderr).toBe(0)
    expect(text.stdout).toContain('card.number: ******** → ********')
    expect(text.stdout).not.toContain('4111')
    expect(text.stdout).not.toContain('987')
    const restored = await b.api('POST', `/api/items/${id}/history/${version?.version}/restore`)
    expect(restored.status).toBe(200)
    await until(async () => (await itemOn(a, id))?.card?.number === '4111111111111111', 'the old number back on A')
    expect((await itemOn(a, id))?.card?.cvv).toBe('123')
  })
})
