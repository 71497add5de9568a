import { describe, it, expect } from 'vitest'
import { memoryService, PASSWORD } from '../helpers/memoryDevice.js'
import { vaultLayout } from '../../daemon/storage/storageLayout.js'

const titles = (items: Array<{ title: string }>): string[] => items.map(i => i.title).sort()

describe('unlock answers the first list from the sealed list picture stored at lock', () => {
  it('a lock stores it, the unlock lists from it without building the document, and an edit builds it', async () => {
    const { device, service } = await memoryService()
    await service.init(PASSWORD)
    for (const title of ['GitHub', 'eBay', 'Bank']) await service.createItem({ title, password: `pw-${title}` })
    const before = service.listItems()
    await service.lock()
    await service.unlock(PASSWORD)
    const replica = device.replicas.all()[0]
    expect(replica?.materialized).toBe(false)
    expect(service.listItems()).toEqual(before)
    expect(service.vaults()).toEqual([expect.objectContaining({ name: 'Personal', items: 3 })])
    expect(service.listItems({ q: 'ebay' }).map(i => i.title)).toEqual(['eBay'])
    expect(replica?.materialized).toBe(false)
    // an edit right after the unlock builds the document and lands in the list
    const ebay = before.find(i => i.title === 'eBay')
    await service.updateItem(ebay?.id as string, { username: 'new-name' })
    expect(replica?.materialized).toBe(true)
    expect(service.listItems().find(i => i.title === 'eBay')?.username).toBe('new-name')
    // the next lock stores a new picture: the edit is in the next unlock's first list
    await service.lock()
    await service.unlock(PASSWORD)
    expect(device.replicas.all()[0]?.materialized).toBe(false)
    expect(service.listItems().find(i => i.title === 'eBay')?.username).toBe('new-name')
  })

  it('a renamed vault and a purged item show as they are after the next unlock; the purge takes the picture with it', async () => {
    const { device, service, storage } = await memoryService()
    await service.init(PASSWORD)
    const doomed = await service.createItem({ title: 'Doomed', password: 'unique-secret-4711' })
    await service.createItem({ title: 'Kept' })
    await service.lock()
    await service.unlock(PASSWORD)
    const replica = device.replicas.all()[0]
    const imageKey = vaultLayout.prefix(replica?.vaultId as string) + vaultLayout.listImage
    expect(await storage.get(imageKey)).toBeDefined()
    await service.purgeItem(doomed.id)
    expect(await storage.get(imageKey)).toBeUndefined()
    expect(titles(service.listItems())).toEqual(['Kept'])
    await service.lock()
    await service.unlock(PASSWORD)
    expect(titles(service.listItems())).toEqual(['Kept'])
  })

  it('the daemon stopping while unlocked stores the picture too, and the next start lists from it', async () => {
    const first = await memoryService()
    await first.service.init(PASSWORD)
    await first.service.createItem({ title: 'Survives a restart' })
    await first.device.lifecycle.stop()
    const again = await memoryService({ storage: first.storage, identity: first.identity })
    await again.service.unlock(PASSWORD)
    expect(again.device.replicas.all()[0]?.materialized).toBe(false)
    expect(titles(again.service.listItems())).toEqual(['Survives a restart'])
  })
})
