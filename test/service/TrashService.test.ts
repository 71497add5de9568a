import { describe, expect, it } from 'vitest'
import { memoryService, PASSWORD } from '../helpers/memoryDevice.js'
import { TrashService, trashedAt } from '../../daemon/service/TrashService.js'
import type { Item } from '../../daemon/vault/Item.js'
import type { HistoryVersion } from '../../daemon/vault/ItemHistory.js'

const DAY = 86_400_000

describe('TrashService', () => {
  it('deletes for good only the items trashed more than N days ago, once the setting is on', async () => {
    const { device, service } = await memoryService()
    await service.init(PASSWORD)
    let now = Date.now() + 31 * DAY
    const trash = new TrashService({ items: device.items, settings: device.settings, unlock: device.unlock, log: () => {}, now: () => now })
    const a = await service.createItem({ title: 'a' })
    const b = await service.createItem({ title: 'b' })
    const live = await service.createItem({ title: 'live' })
    await service.trashItem(a.id)
    await service.trashItem(b.id)
    expect(await trash.purgeExpired()).toBe(0) // off by default
    now = Date.now() + 29 * DAY
    await trash.setPurgeAfterDays(30) // checks at once: nothing is 30 days in the trash yet
    expect(service.listItems({ trashed: true })).toHaveLength(2)
    now = Date.now() + 31 * DAY
    expect(await trash.purgeExpired()).toBe(2)
    expect(service.listItems({ trashed: true })).toEqual([])
    expect(service.getItem(live.id).title).toBe('live')
    await expect(trash.setPurgeAfterDays(-1)).rejects.toThrow(/whole number of days/)
    await expect(trash.setPurgeAfterDays(1.5)).rejects.toThrow(/whole number of days/)
  })

  it('reads when an item was trashed from its history', () => {
    const item = { updatedAt: '2026-03-01T00:00:00.000Z' } as Item
    const version = (at: string, to: boolean): HistoryVersion => ({
      version: `d.${at}`,
      at,
      device: 'd',
      imported: false,
      changes: [{ field: 'trashed', from: !to, to, omitted: false, secret: false }]
    })
    expect(trashedAt(item, [version('2026-02-01T00:00:00.000Z', true), version('2026-01-01T00:00:00.000Z', false)])).toBe(
      Date.parse('2026-02-01T00:00:00.000Z')
    )
    expect(trashedAt(item, [])).toBe(Date.parse(item.updatedAt))
  })

  it('uses the time the item was trashed, not its creation: a recently trashed old item stays', async () => {
    const { device, service } = await memoryService()
    await service.init(PASSWORD)
    const now = Date.now() + 5 * DAY
    const trash = new TrashService({ items: device.items, settings: device.settings, unlock: device.unlock, log: () => {}, now: () => now })
    const item = await service.createItem({ title: 'made long ago', createdAt: new Date(Date.now() - 400 * DAY).toISOString() })
    await service.trashItem(item.id)
    await device.settings.setTrashPurgeDays(7)
    expect(await trash.purgeExpired()).toBe(0)
    expect(service.listItems({ trashed: true })).toHaveLength(1)
  })

  it('empties the trash of one vault or of all, and answers how many', async () => {
    const { device, service } = await memoryService()
    await service.init(PASSWORD)
    await service.createVault('Work')
    const a = await service.createItem({ title: 'a' })
    const b = await service.createItem({ title: 'b', vault: 'Work' })
    await service.trashItem(a.id)
    await service.trashItem(b.id)
    expect(await device.trash.emptyTrash('Work')).toBe(1)
    expect(service.listItems({ trashed: true }).map(i => i.title)).toEqual(['a'])
    expect(await device.trash.emptyTrash()).toBe(1)
    expect(await device.trash.emptyTrash()).toBe(0)
  })
})
