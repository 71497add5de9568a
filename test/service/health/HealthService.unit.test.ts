/**
 * The health service over a real (memory) device: each distinct password estimated once per unlocked
 * session, scores kept under a keyed hash (no password in the cache), forgotten at lock; an edit's
 * new password is estimated in the background; the "old" rule reads when the password was set.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { HealthService } from '../../../daemon/service/health/HealthService.js'
import { StrengthEstimator } from '../../../daemon/service/health/StrengthEstimator.js'
import { VerdictCache } from '../../../daemon/service/health/VerdictCache.js'
import { LockedError } from '../../../daemon/keyring/errors.js'
import { generatePassword } from '../../../daemon/service/passwordGenerator.js'
import { memoryService, PASSWORD } from '../../helpers/memoryDevice.js'

/** waits for every estimate (the API answers after a short wait, complete or not) */
const FULL = { waitMs: 60_000 }

afterEach(() => {
  vi.restoreAllMocks()
})

async function device() {
  const m = await memoryService()
  await m.service.init(PASSWORD)
  return m
}

describe('HealthService', () => {
  it('reports each issue of live items, not the trash', async () => {
    const { device: d } = await device()
    const a = await d.items.createItem({ title: 'A', username: 'ann', password: 'password123', urls: ['https://a.example'] })
    const b = await d.items.createItem({ title: 'B', username: 'bob', password: 'password123', urls: ['https://b.example'] })
    const trashed = await d.items.createItem({ title: 'T', password: 'password123' })
    await d.items.trashItem(trashed.id)
    await d.items.createItem({ title: 'Fine', password: 'q7#Lm2!vR9@xZ4$kP8&wN3^t' })
    const report = await d.health.report(FULL)
    expect(report.checked).toBe(3)
    expect(report.items.map(i => [i.title, i.issues])).toEqual([
      ['A', ['weak', 'reused']],
      ['B', ['weak', 'reused']]
    ])
    expect(report.items[0]?.reusedWith).toEqual([b.id])
    expect(report.items[1]?.reusedWith).toEqual([a.id])
  }, 30_000)

  it('estimates each distinct password once per session, and forgets the scores in memory at lock', async () => {
    const { device: d } = await device()
    for (let i = 0; i < 5; i++) await d.items.createItem({ title: `same ${i}`, password: 'one shared password' })
    await d.items.createItem({ title: 'other', password: 'another password entirely' })
    const asked = d.health.estimatesAsked
    await d.health.report(FULL)
    expect(d.health.estimatesAsked - asked).toBe(2)
    await d.health.report(FULL)
    expect(d.health.estimatesAsked - asked).toBe(2)
    expect(d.health.estimated).toBe(2)
    await d.unlock.lock()
    expect(d.health.estimated).toBe(0)
    await expect(d.health.report(FULL)).rejects.toBeInstanceOf(LockedError)
  }, 30_000)

  it('estimates an edited password in the background once a report was made', async () => {
    const { device: d } = await device()
    const item = await d.items.createItem({ title: 'X', password: 'first password here' })
    await d.health.report(FULL)
    const asked = d.health.estimatesAsked
    await d.items.updateItem(item.id, { password: 'password1' })
    await vi.waitFor(() => expect(d.health.estimatesAsked - asked).toBe(1), { timeout: 5000 })
    const report = await d.health.report(FULL)
    expect(d.health.estimatesAsked - asked).toBe(1)
    expect(report.items[0]?.issues).toEqual(['weak'])
  }, 30_000)

  it('flags a password set over a year ago, even if the item was edited since', async () => {
    const { device: d } = await device()
    const item = await d.items.createItem({ title: 'Old', password: 'q7#Lm2!vR9@xZ4$kP8&wN3^t', updatedAt: '2024-05-01T00:00:00Z' })
    const health = new HealthService({
      estimator: new StrengthEstimator(),
      entries: () => d.items.healthEntries(),
      entryOf: id => d.items.healthEntry(id),
      state: () => d.items.healthState(),
      session: d.unlock,
      changes: d.items
    })
    await d.items.updateItem(item.id, { notes: 'edited today' })
    expect((await health.report(FULL)).items.map(i => i.issues)).toEqual([['old']])
    await d.items.updateItem(item.id, { password: 'a brand new strong passphrase here' })
    expect((await health.report(FULL)).items).toEqual([])
  }, 30_000)

  it('answers at once with what is known: pending passwords are not called weak until estimated', async () => {
    const { device: d } = await device()
    const strong = Array.from({ length: 100 }, (_, i) => ({ title: `strong ${i}`, password: generatePassword() }))
    const weak = Array.from({ length: 30 }, (_, i) => ({ title: `weak ${i}`, password: `password${i}` }))
    await d.items.createItems(undefined, [...strong, ...weak])
    const first = await d.health.report({ waitMs: 0 })
    expect(first.complete).toBe(false)
    expect(first.pending).toBeGreaterThan(30)
    expect(first.summary.weak).toBe(0)
    await vi.waitFor(async () => expect((await d.health.report({ waitMs: 0 })).complete).toBe(true), { timeout: 60_000, interval: 200 })
    const done = await d.health.report({ waitMs: 0 })
    expect(done).toMatchObject({ complete: true, pending: 0, checked: 130, summary: { weak: 30 } })
  }, 90_000)

  it('keys the cache by a keyed hash: no password in it, another key after clear()', () => {
    const cache = new VerdictCache()
    const digest = cache.digest('hunter2')
    expect(digest).not.toContain('hunter2')
    expect(digest).toBe(cache.digest('hunter2'))
    cache.set(digest, 1)
    cache.clear()
    expect(cache.size).toBe(0)
    expect(cache.digest('hunter2')).not.toBe(digest)
    expect(new VerdictCache().digest('hunter2')).not.toBe(cache.digest('hunter2'))
  })
})

describe('HealthService scores kept between unlocks', () => {
  it('an unlock reads the sealed scores instead of estimating again; the record holds no password and opens only under the device key', async () => {
    const { device: d, service, storage } = await device()
    await d.items.createItem({ title: 'A', password: 'one shared password' })
    await d.items.createItem({ title: 'B', password: 'password123' })
    const asked = d.health.estimatesAsked
    const first = await d.health.report(FULL)
    expect(d.health.estimatesAsked - asked).toBe(2)
    await vi.waitFor(async () => expect(await storage.get('meta/health-scores')).toBeDefined(), { timeout: 5000 })
    const sealed = (await storage.get('meta/health-scores')) as Uint8Array
    for (const secret of ['one shared password', 'password123']) expect(Buffer.from(sealed).includes(Buffer.from(secret))).toBe(false)
    await d.unlock.lock()
    await service.unlock(PASSWORD)
    const again = await d.health.report({ waitMs: 0 })
    expect(d.health.estimatesAsked - asked).toBe(2)
    expect(again.complete).toBe(true)
    expect(again.items.map(i => [i.title, i.issues])).toEqual(first.items.map(i => [i.title, i.issues]))
    // a damaged record is dropped and the scores estimated again
    await d.unlock.lock()
    const damaged = sealed.slice()
    damaged[30] = (damaged[30] as number) ^ 1
    await storage.put('meta/health-scores', damaged)
    await service.unlock(PASSWORD)
    await d.health.report(FULL)
    expect(d.health.estimatesAsked - asked).toBe(4)
  }, 30_000)

  it('a changed password is estimated; the hash of the old one is not written again', async () => {
    const { device: d, service, storage } = await device()
    const item = await d.items.createItem({ title: 'A', password: 'first password of A' })
    await d.health.report(FULL)
    await vi.waitFor(async () => expect(await storage.get('meta/health-scores')).toBeDefined(), { timeout: 5000 })
    const before = (await storage.get('meta/health-scores')) as Uint8Array
    await d.items.updateItem(item.id, { password: 'second password of A' })
    const asked = d.health.estimatesAsked
    await d.health.report(FULL)
    expect(d.health.estimatesAsked - asked).toBe(1)
    await vi.waitFor(
      async () => expect(Buffer.from((await storage.get('meta/health-scores')) as Uint8Array).equals(Buffer.from(before))).toBe(false),
      {
        timeout: 5000
      }
    )
    await d.unlock.lock()
    await service.unlock(PASSWORD)
    const before2 = d.health.estimatesAsked
    await d.health.report(FULL)
    expect(d.health.estimatesAsked - before2).toBe(0)
  }, 30_000)
})
