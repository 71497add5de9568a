import { describe, it, expect } from 'vitest'
import * as Y from 'yjs'
import { VaultDoc } from '../../daemon/vault/VaultDoc.js'

function sync(a: VaultDoc, b: VaultDoc): void {
  Y.applyUpdate(b.doc, Y.encodeStateAsUpdate(a.doc, Y.encodeStateVector(b.doc)))
  Y.applyUpdate(a.doc, Y.encodeStateAsUpdate(b.doc, Y.encodeStateVector(a.doc)))
}

describe('VaultDoc', () => {
  it('creates items with every contract field and defaults', () => {
    const v = new VaultDoc()
    v.name = 'Personal'
    const id = v.create({
      title: 'GitHub',
      username: 'me',
      urls: ['https://github.com'],
      fields: [{ name: 'pin', value: '1234', hidden: true }]
    })
    const item = v.get(id)
    expect(item).toMatchObject({
      id,
      vault: 'Personal',
      title: 'GitHub',
      username: 'me',
      password: '',
      urls: ['https://github.com'],
      notes: '',
      totp: null,
      tags: [],
      folder: '',
      trashed: false,
      favorite: false
    })
    expect(item?.fields).toEqual([{ name: 'pin', value: '1234', hidden: true }])
    expect(new Date(item?.createdAt ?? '').getTime()).toBeGreaterThan(0)
  })

  it('refuses an item without a title and fields of the wrong type', () => {
    const v = new VaultDoc()
    expect(() => v.create({ username: 'x' })).toThrow(/title/)
    expect(() => v.create({ title: 'x', urls: 'nope' as unknown as string[] })).toThrow(/urls/)
    expect(() => v.create({ title: 'x', trashed: 'yes' as unknown as boolean })).toThrow(/trashed/)
  })

  it('merges concurrent edits of different fields of one item field by field', () => {
    const laptop = new VaultDoc()
    const id = laptop.create({ title: 'Bank', username: 'old-user', password: 'old-pass' })
    const desktop = new VaultDoc()
    sync(laptop, desktop)
    laptop.update(id, { password: 'new-pass' })
    desktop.update(id, { username: 'new-user' })
    sync(laptop, desktop)
    for (const v of [laptop, desktop]) expect(v.get(id)).toMatchObject({ username: 'new-user', password: 'new-pass' })
  })

  it('keeps items created apart on both devices', () => {
    const a = new VaultDoc()
    const b = new VaultDoc()
    const x = a.create({ title: 'on a' })
    const y = b.create({ title: 'on b' })
    sync(a, b)
    expect(
      a
        .all()
        .map(i => i.id)
        .sort()
    ).toEqual([x, y].sort())
    expect(
      b
        .all()
        .map(i => i.id)
        .sort()
    ).toEqual([x, y].sort())
  })

  it('reports changed item ids, local or remote', () => {
    const a = new VaultDoc()
    const seen: Array<[string[], boolean]> = []
    a.onItemsChanged((ids, local) => seen.push([ids, local]))
    const id = a.create({ title: 't' })
    a.update(id, { notes: 'n' })
    const b = new VaultDoc()
    sync(a, b)
    b.update(id, { title: 'u' })
    sync(a, b)
    expect(seen[0]).toEqual([[id], true])
    expect(seen[1]).toEqual([[id], true])
    expect(seen.at(-1)).toEqual([[id], false])
  })

  it('updates only changed fields and bumps updatedAt', () => {
    const v = new VaultDoc()
    const id = v.create({ title: 't' }, new Date('2020-01-01T00:00:00Z'))
    v.update(id, { title: 't' }, new Date('2021-01-01T00:00:00Z'))
    expect(v.get(id)?.updatedAt).toBe('2020-01-01T00:00:00.000Z')
    v.update(id, { notes: 'x' }, new Date('2021-01-01T00:00:00Z'))
    expect(v.get(id)?.updatedAt).toBe('2021-01-01T00:00:00.000Z')
  })
})
