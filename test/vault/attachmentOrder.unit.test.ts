import { describe, expect, it } from 'vitest'
import { VaultDoc } from '../../daemon/vault/VaultDoc.js'
import type { AttachmentRecord } from '../../daemon/vault/attachmentRecord.js'

const record = (id: string, name: string, addedAt: string): AttachmentRecord => ({
  id,
  name,
  size: 1,
  sha256: 'a'.repeat(64),
  key: 'A'.repeat(43),
  chunkSize: 1 << 18,
  addedAt
})

describe('files on an item keep the order they were added in', () => {
  it('files added within one millisecond (an import) are listed as added, whatever their random ids', () => {
    const doc = new VaultDoc(undefined, 'ab'.repeat(32))
    const id = doc.create({ title: 'Server keys' })
    const now = '2026-12-02T05:00:00.000Z'
    // ids that sort the other way round from the order of adding
    doc.addAttachment(id, record('zz', 'first.txt', now))
    doc.addAttachment(id, record('mm', 'second.txt', now))
    doc.addAttachment(id, record('aa', 'third.txt', now))
    expect(doc.get(id)?.attachments.map(a => a.name)).toEqual(['first.txt', 'second.txt', 'third.txt'])
  })

  it('a file added later still comes after files dated in the future by another device’s clock', () => {
    const doc = new VaultDoc(undefined, 'ab'.repeat(32))
    const id = doc.create({ title: 'Item' })
    doc.addAttachment(id, record('b1', 'from a fast clock', '2030-01-01T00:00:00.000Z'))
    doc.addAttachment(id, record('a1', 'added now', '2026-12-02T05:00:00.000Z'))
    expect(doc.get(id)?.attachments.map(a => a.name)).toEqual(['from a fast clock', 'added now'])
  })
})
