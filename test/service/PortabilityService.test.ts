import { describe, it, expect } from 'vitest'
import { memoryService, PASSWORD } from '../helpers/memoryDevice.js'
import { createHash } from 'node:crypto'
import { MAX_RESTORED_VAULTS, PortabilityService, type AttachmentsPort } from '../../daemon/service/PortabilityService.js'
import { ExportError } from '../../daemon/interop/errors.js'
import { InvalidRequestError } from '../../daemon/service/errors.js'

async function device() {
  const { service, device: parts } = await memoryService()
  await service.init(PASSWORD)
  return { service, portability: parts.portability }
}

const titlesIn = (service: Awaited<ReturnType<typeof device>>['service'], vault: string): string[] =>
  [...service.listItems({ vault }), ...service.listItems({ vault, trashed: true })].map(i => i.title).sort()

describe('PortabilityService import', () => {
  it('restores a Kith export of every vault into the vaults it came from, creating the missing ones', async () => {
    const a = await device()
    await a.service.createVault('Work')
    await a.service.createItem({ title: 'Bank' })
    await a.service.createItem({ title: 'VPN', vault: 'Work' })
    const old = await a.service.createItem({ title: 'Old wiki', vault: 'Work' })
    await a.service.trashItem(old.id)
    const { bytes } = await a.portability.export('kith-encrypted', { password: 'file password' })

    const b = await device()
    const summary = await b.portability.import('kith-encrypted', bytes, { password: 'file password' })
    expect(summary).toMatchObject({ imported: 3, skipped: 0, vault: 'Personal', createdVault: true })
    expect(summary.vaults).toEqual([
      { name: 'Personal', imported: 1, skipped: 0, created: false },
      { name: 'Work', imported: 2, skipped: 0, created: true }
    ])
    expect(titlesIn(b.service, 'Personal')).toEqual(['Bank'])
    expect(titlesIn(b.service, 'Work')).toEqual(['Old wiki', 'VPN'])
    expect(b.service.listItems({ vault: 'Work', trashed: true }).map(i => i.title)).toEqual(['Old wiki'])

    const again = await b.portability.import('kith-encrypted', bytes, { password: 'file password' })
    expect(again).toMatchObject({ imported: 0, skipped: 3, createdVault: false })

    const into = await b.portability.import('kith-encrypted', bytes, { password: 'file password', vault: 'Archive' })
    expect(into).toMatchObject({ imported: 3, vault: 'Archive', vaults: [{ name: 'Archive', imported: 3, skipped: 0, created: true }] })
    expect(titlesIn(b.service, 'Archive')).toEqual(['Bank', 'Old wiki', 'VPN'])
  })

  it('refuses a file that names more vaults than it restores, and imports nothing', async () => {
    const b = await device()
    const items = Array.from({ length: MAX_RESTORED_VAULTS + 1 }, (_, i) => ({ title: `item ${i}`, vault: `vault ${i}` }))
    const file = new TextEncoder().encode(JSON.stringify({ format: 'kith-json', version: 1, vault: '', items }))
    await expect(b.portability.import('kith-json', file)).rejects.toThrow(InvalidRequestError)
    expect(b.service.vaults().map(v => v.name)).toEqual(['Personal'])
    expect(b.service.listItems()).toEqual([])
    const one = await b.portability.import('kith-json', file, { vault: 'Everything' })
    expect(one).toMatchObject({ imported: MAX_RESTORED_VAULTS + 1, vault: 'Everything' })
  })

  it('an export and import between devices, and a migration between vaults, keep an item’s type, typed fields and expiry', async () => {
    const a = await device()
    const card = await a.service.createItem({
      title: 'Everyday Visa',
      type: 'card',
      expiresAt: '2029-03-31',
      card: { cardholder: 'Jane Doe', number: '4111111111111111', expMonth: '3', expYear: '2029', cvv: '737' }
    })
    const { bytes } = await a.portability.export('kith-encrypted', { password: 'file password' })
    const b = await device()
    await b.portability.import('kith-encrypted', bytes, { password: 'file password' })
    const imported = b.service.listItems({ vault: 'Personal' })[0]
    expect(imported).toMatchObject({ type: 'card', expiresAt: '2029-03-31T00:00:00.000Z', card: card.card })

    await a.service.createVault('Family')
    const plan = await a.portability.migrate({ from: 'Personal', to: 'Family', orgDomains: ['example.com'], dryRun: false })
    expect(plan.moved).toEqual([card.id])
    expect(a.service.getItem(card.id)).toMatchObject({
      vault: 'Family',
      type: 'card',
      expiresAt: '2029-03-31T00:00:00.000Z',
      card: card.card
    })
  })
})

describe('PortabilityService export of history and files', () => {
  it('kith-encrypted carries every version and file; without a way to read files, an item that has some is not exported at all', async () => {
    const { service, device: parts } = await memoryService()
    await service.init(PASSWORD)
    const item = await service.createItem({ title: 'Bank', password: 'old-pw' })
    await service.updateItem(item.id, { password: 'new-pw' })
    const data = new TextEncoder().encode('statement bytes')
    const sha256 = createHash('sha256').update(data).digest('hex')
    parts.items.replicaByName(undefined).doc.addAttachment(item.id, {
      id: 'file1',
      name: 'statement.txt',
      size: data.length,
      sha256,
      key: 'A'.repeat(43),
      chunkSize: 1 << 20,
      addedAt: new Date().toISOString()
    })
    const reads: string[] = []
    const files: AttachmentsPort = {
      add: async () => {
        throw new Error('not used by exports')
      },
      read: async (itemId, attachmentId) => {
        reads.push(`${itemId}/${attachmentId}`)
        return data
      }
    }
    const withFiles = new PortabilityService(parts.items, files)
    const { bytes } = await withFiles.export('kith-json')
    expect(reads).toEqual([`${item.id}/file1`])
    const file = JSON.parse(new TextDecoder().decode(bytes)) as { items: Array<Record<string, unknown>> }
    expect(file.items[0]?.attachments).toEqual([
      { name: 'statement.txt', size: data.length, sha256, data: Buffer.from(data).toString('base64') }
    ])
    expect(file.items[0]?.history).toEqual(parts.items.itemHistory(item.id))
    expect(file.items[0]?.history).toMatchObject([{ changes: [{ field: 'password', from: 'old-pw', to: 'new-pw' }] }])

    const withoutFiles = new PortabilityService(parts.items)
    await expect(withoutFiles.export('kith-json')).rejects.toThrow(ExportError)
    await expect(withoutFiles.export('kith-encrypted', { password: 'file password' })).rejects.toThrow(/statement.txt/)
    // the device's own service: a file whose chunks this device does not hold is not left out either
    await expect(parts.portability.export('kith-json')).rejects.toMatchObject({ name: 'AttachmentUnavailableError' })
  })
})
