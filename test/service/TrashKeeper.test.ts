import { describe, it, expect } from 'vitest'
import { memoryService, PASSWORD } from '../helpers/memoryDevice.js'
import { TrashKeeper } from '../../daemon/service/TrashKeeper.js'

const DAY = 24 * 60 * 60 * 1000
const titles = (items: Array<{ title: string }>): string[] => items.map(i => i.title).sort()

async function withTrash() {
  const memory = await memoryService()
  const { service } = memory
  await service.init(PASSWORD)
  await service.createVault('Work')
  const old = await service.createItem({ title: 'Old', password: 'old-secret' })
  const recent = await service.createItem({ title: 'Recent' })
  const work = await service.createItem({ title: 'Work login', vault: 'Work' })
  await service.createItem({ title: 'Kept' })
  for (const item of [old, recent, work]) await service.trashItem(item.id)
  return { ...memory, old, recent, work }
}

describe('the trash: emptied by hand, and by itself after the days the settings give', () => {
  it('emptying deletes every trashed item for good, of one vault or of all', async () => {
    const { device, service } = await withTrash()
    expect(await device.trash.empty('Work')).toBe(1)
    expect(titles(service.listItems({ trashed: true }))).toEqual(['Old', 'Recent'])
    expect(await device.trash.empty()).toBe(2)
    expect(service.listItems({ trashed: true })).toEqual([])
    expect(titles(service.listItems())).toEqual(['Kept'])
    expect(await device.trash.empty()).toBe(0)
  })

  it('a sweep deletes only what sat in the trash longer than the setting since its last change; 0 keeps everything', async () => {
    const { device, service, old } = await withTrash()
    // 31 days later for Old only: its last change is pretended older by moving the clock
    const changedAt = Date.parse(service.getItem(old.id).updatedAt)
    const sweeper = new TrashKeeper({
      items: device.items,
      settings: device.settings,
      session: device.unlock,
      log: () => {},
      now: () => changedAt + 30 * DAY + 1
    })
    expect(device.settings.trashDays).toBe(30)
    await device.settings.setTrashDays(0)
    expect(await sweeper.sweep()).toBe(0)
    await device.settings.setTrashDays(30)
    // every trashed item changed at about the same time here: all are past 30 days at that clock
    expect(await sweeper.sweep()).toBe(3)
    expect(service.listItems({ trashed: true })).toEqual([])
    sweeper.stop()
  })

  it('keeps items changed within the setting', async () => {
    const { device, service } = await withTrash()
    const sweeper = new TrashKeeper({
      items: device.items,
      settings: device.settings,
      session: device.unlock,
      log: () => {},
      now: () => Date.now() + 29 * DAY
    })
    expect(await sweeper.sweep()).toBe(0)
    expect(titles(service.listItems({ trashed: true }))).toEqual(['Old', 'Recent', 'Work login'])
    sweeper.stop()
  })

  it('does nothing while locked, and refuses a setting out of range', async () => {
    const { device, service } = await withTrash()
    await service.lock()
    const sweeper = new TrashKeeper({
      items: device.items,
      settings: device.settings,
      session: device.unlock,
      log: () => {},
      now: () => Date.now() + 400 * DAY
    })
    expect(await sweeper.sweep()).toBe(0)
    await expect(device.settings.setTrashDays(-1)).rejects.toThrow(/between 0/)
    await expect(device.settings.setTrashDays(1.5)).rejects.toThrow(/between 0/)
    await expect(device.settings.setTrashDays(4000)).rejects.toThrow(/between 0/)
    expect(device.settings.trashDays).toBe(30)
    sweeper.stop()
  })

  it('the setting outlives a restart', async () => {
    const first = await memoryService()
    await first.service.init(PASSWORD)
    await first.device.settings.setTrashDays(7)
    await first.device.lifecycle.stop()
    const again = await memoryService({ storage: first.storage, identity: first.identity })
    expect(again.device.settings.trashDays).toBe(7)
  })
})
