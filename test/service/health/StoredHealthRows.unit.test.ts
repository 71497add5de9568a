/**
 * The health report's rows kept sealed between unlocks (StoredHealthRows, through HealthService): the
 * first report after an unlock answers from them without reading the items, only when they were
 * taken at exactly the vaults' state now; they hold no password; any item change deletes them.
 */
import { describe, expect, it, vi } from 'vitest'
import { memoryService, PASSWORD } from '../../helpers/memoryDevice.js'

const FULL = { waitMs: 60_000 }
const ROWS = 'meta/health-rows'

async function device() {
  const m = await memoryService()
  await m.service.init(PASSWORD)
  return m
}

/** A report, then the rows written (a moment after the last estimate). */
async function reportAndStore(m: Awaited<ReturnType<typeof device>>) {
  const report = await m.device.health.report(FULL)
  expect(report.complete).toBe(true)
  await vi.waitFor(async () => expect(await m.storage.get(ROWS)).toBeDefined(), { timeout: 5000 })
  return report
}

describe('health rows kept between unlocks', () => {
  it('the first report after an unlock reads no item when the vaults are as the rows were taken; same verdicts; no password on disk', async () => {
    const m = await device()
    const { device: d, service, storage } = m
    await d.items.createItem({ title: 'Mail', username: 'ann', password: 'password123', urls: ['https://mail.example'] })
    await d.items.createItem({ title: 'Shop', username: 'bob', password: 'password123', urls: ['https://mail.example'] })
    await d.items.createItem({ title: 'Bank', password: 'q7#Lm2!vR9@xZ4$kP8&wN3^t', updatedAt: '2020-01-01T00:00:00Z' })
    const first = await reportAndStore(m)
    const sealed = Buffer.from((await storage.get(ROWS)) as Uint8Array)
    for (const plain of ['password123', 'q7#Lm2!vR9@xZ4$kP8&wN3^t', 'Mail', 'mail.example', 'ann'])
      expect(sealed.includes(Buffer.from(plain))).toBe(false)
    await d.unlock.lock()
    await service.unlock(PASSWORD)
    const entries = vi.spyOn(d.items, 'healthEntries')
    const asked = d.health.estimatesAsked
    const again = await d.health.report({ waitMs: 0 })
    expect(entries).not.toHaveBeenCalled()
    expect(d.health.estimatesAsked).toBe(asked)
    expect({ ...again, generatedAt: '' }).toEqual({ ...first, generatedAt: '' })
  }, 30_000)

  it('rows taken before a change are not used after it, even put back on disk while locked (the heads differ)', async () => {
    const m = await device()
    const { device: d, service, storage } = m
    const item = await d.items.createItem({ title: 'Mail', password: 'q7#Lm2!vR9@xZ4$kP8&wN3^t' })
    await reportAndStore(m)
    const old = (await storage.get(ROWS)) as Uint8Array
    await d.items.updateItem(item.id, { password: 'password123' })
    // the change deleted the record at once
    await vi.waitFor(async () => expect(await storage.get(ROWS)).toBeUndefined(), { timeout: 5000 })
    await d.unlock.lock()
    await storage.put(ROWS, old)
    await service.unlock(PASSWORD)
    const entries = vi.spyOn(d.items, 'healthEntries')
    const report = await d.health.report(FULL)
    expect(entries).toHaveBeenCalled()
    expect(report.items.map(i => [i.title, i.issues])).toEqual([['Mail', ['weak']]])
  }, 30_000)

  it('a purged item leaves no row on disk: the purge deletes the record, and the next report has no such item', async () => {
    const m = await device()
    const { device: d, service, storage } = m
    const gone = await d.items.createItem({ title: 'Secret project', password: 'password123' })
    await d.items.createItem({ title: 'Kept', password: 'password123' })
    await reportAndStore(m)
    await d.items.trashItem(gone.id)
    await service.purgeItem(gone.id)
    expect(await storage.get(ROWS)).toBeUndefined()
    const report = await d.health.report(FULL)
    expect(report.checked).toBe(1)
    expect(report.items.map(i => i.title)).toEqual(['Kept'])
    // and the rows written again after that report do not name it
    await vi.waitFor(async () => expect(await storage.get(ROWS)).toBeDefined(), { timeout: 5000 })
    await d.unlock.lock()
    await service.unlock(PASSWORD)
    expect((await d.health.report({ waitMs: 0 })).items.map(i => i.id)).not.toContain(gone.id)
  }, 30_000)

  it('an edit just before a lock: the lock writes the rows again, and the next first report reads no item and shows the edit', async () => {
    const m = await device()
    const { device: d, service } = m
    const item = await d.items.createItem({ title: 'Mail', password: 'q7#Lm2!vR9@xZ4$kP8&wN3^t' })
    await d.items.createItem({ title: 'Shop', password: 'password123' })
    await reportAndStore(m)
    await d.items.updateItem(item.id, { title: 'Mail (work)', password: 'password123' })
    await d.health.report(FULL)
    await d.unlock.lock()
    await service.unlock(PASSWORD)
    const entries = vi.spyOn(d.items, 'healthEntries')
    const report = await d.health.report({ waitMs: 0 })
    expect(entries).not.toHaveBeenCalled()
    expect(report.complete).toBe(true)
    expect(report.items.map(i => [i.title, i.issues])).toEqual([
      ['Mail (work)', ['weak', 'reused']],
      ['Shop', ['weak', 'reused']]
    ])
  }, 30_000)

  it('a stop while unlocked writes the rows as a lock does: after a restart the first report reads no item', async () => {
    const m = await device()
    const { device: d } = m
    const item = await d.items.createItem({ title: 'Mail', password: 'password123' })
    await d.items.createItem({ title: 'Shop', password: 'password123' })
    await reportAndStore(m)
    await d.items.updateItem(item.id, { title: 'Mail (home)' })
    await d.lifecycle.stop()
    const again = await memoryService({ storage: m.storage, identity: m.identity })
    await again.service.unlock(PASSWORD)
    const entries = vi.spyOn(again.device.items, 'healthEntries')
    const report = await again.device.health.report({ waitMs: 0 })
    expect(entries).not.toHaveBeenCalled()
    expect(report.items.map(i => i.title)).toEqual(['Mail (home)', 'Shop'])
    await again.device.lifecycle.stop()
  }, 30_000)

  it('a damaged record is deleted and the rows read from the items again', async () => {
    const m = await device()
    const { device: d, service, storage } = m
    await d.items.createItem({ title: 'A', password: 'password123' })
    const first = await reportAndStore(m)
    await d.unlock.lock()
    const damaged = ((await storage.get(ROWS)) as Uint8Array).slice()
    damaged[40] = (damaged[40] as number) ^ 1
    await storage.put(ROWS, damaged)
    await service.unlock(PASSWORD)
    const entries = vi.spyOn(d.items, 'healthEntries')
    const report = await d.health.report(FULL)
    expect(entries).toHaveBeenCalled()
    expect(report.items).toEqual(first.items)
  }, 30_000)

  it('within a session, a later report reads only the changed items', async () => {
    const m = await device()
    const { device: d } = m
    const a = await d.items.createItem({ title: 'A', password: 'q7#Lm2!vR9@xZ4$kP8&wN3^t' })
    await d.items.createItem({ title: 'B', password: 'another strong one: Xk9!pQ2#vL' })
    await d.health.report(FULL)
    const entries = vi.spyOn(d.items, 'healthEntries')
    const one = vi.spyOn(d.items, 'healthEntry')
    await d.items.updateItem(a.id, { password: 'password1' })
    const report = await d.health.report(FULL)
    expect(entries).not.toHaveBeenCalled()
    expect(one.mock.calls.map(c => c[0])).toContain(a.id)
    expect(report.items.map(i => [i.title, i.issues])).toEqual([['A', ['weak']]])
  }, 30_000)
})
