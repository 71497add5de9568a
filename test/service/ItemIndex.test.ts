import { describe, it, expect } from 'vitest'
import { VaultDoc } from '../../daemon/vault/VaultDoc.js'
import { ItemIndex } from '../../daemon/service/ItemIndex.js'
import { searchText } from '../../daemon/service/search.js'
import type { Item } from '../../daemon/vault/Item.js'

function parts(fill: (out: string[]) => void): Item[] {
  const out: string[] = []
  fill(out)
  return JSON.parse(`[${out.join(',')}]`) as Item[]
}

/** The plain answer the index must agree with: every item read from the document, filtered. */
function expected(doc: VaultDoc, trashed: boolean, needle = ''): string[] {
  return doc
    .all()
    .filter(i => i.trashed === trashed && (needle === '' || searchText(i).includes(needle)))
    .map(i => i.id)
    .sort()
}

const ids = (items: Item[]): string[] => items.map(i => i.id).sort()

function fill(doc: VaultDoc, n: number): string[] {
  return doc.createMany(
    Array.from({ length: n }, (_, i) => ({ title: `Site ${i}`, username: `user${i}@example.com`, urls: [`https://s${i}.example.org`] }))
  )
}

describe('ItemIndex', () => {
  it('lists and searches the same items as the document, across many chunks', () => {
    const doc = new VaultDoc()
    doc.name = 'Personal'
    fill(doc, 100)
    const index = new ItemIndex(doc, 7)
    const all = parts(out => index.list(false, out))
    expect(ids(all)).toEqual(expected(doc, false))
    expect(all.find(i => i.title === 'Site 42')).toEqual(doc.all().find(i => i.title === 'Site 42'))
    for (const q of ['site 4', 'user99@', 's7.example', 'example', 'no such thing', 'site 1']) {
      expect(ids(parts(out => index.search(q, false, out))), q).toEqual(expected(doc, false, q))
    }
  })

  it('follows edits, additions, trash and purges, rebuilding only what changed', () => {
    const doc = new VaultDoc()
    doc.name = 'Personal'
    const made = fill(doc, 30)
    const index = new ItemIndex(doc, 8)
    doc.onItemsChanged(changed => index.invalidate(changed))
    index.list(false, [])
    doc.update(made[3] as string, { title: 'Renamed Bank', notes: 'PIN in the drawer' })
    doc.update(made[10] as string, { trashed: true })
    doc.purge(made[20] as string)
    const added = doc.create({ title: 'Brand new' })
    fill(doc, 20)
    expect(ids(parts(out => index.list(false, out)))).toEqual(expected(doc, false))
    expect(ids(parts(out => index.list(true, out)))).toEqual([made[10]])
    expect(ids(parts(out => index.search('drawer', false, out)))).toEqual([made[3]])
    expect(ids(parts(out => index.search('brand', false, out)))).toEqual([added])
    expect(parts(out => index.search('site 20', false, out)).map(i => i.title)).not.toContain('Site 20')
    expect(ids(parts(out => index.search('site 10', true, out)))).toEqual([made[10]])
    for (const id of made) if (doc.has(id)) doc.purge(id)
    expect(ids(parts(out => index.list(false, out)))).toEqual(expected(doc, false))
  })

  it('never matches across the boundary between two items', () => {
    const doc = new VaultDoc()
    const a = doc.create({ title: 'alpha' })
    doc.create({ title: 'beta' })
    const index = new ItemIndex(doc)
    expect(ids(parts(out => index.search('alpha', false, out)))).toEqual([a])
    expect(parts(out => index.search('a\u0000b', false, out))).toEqual([])
    expect(parts(out => index.search('ab', false, out))).toEqual([])
  })

  it("keeps offsets right when lower-casing changes a text's length", () => {
    const doc = new VaultDoc()
    const turkish = doc.create({ title: 'İstanbul office' })
    const after = doc.create({ title: 'Zürich' })
    const index = new ItemIndex(doc)
    expect(ids(parts(out => index.search('zürich', false, out)))).toEqual([after])
    expect(ids(parts(out => index.search('office', false, out)))).toEqual([turkish])
    expect(
      parts(out => index.list(false, out))
        .map(i => i.title)
        .sort()
    ).toEqual(['Zürich', 'İstanbul office'])
  })

  it('shows a vault name that arrives after the items (a vault learnt from a peer)', () => {
    const doc = new VaultDoc()
    doc.create({ title: 'x' })
    const index = new ItemIndex(doc)
    expect(parts(out => index.list(false, out))[0]?.vault).toBe('')
    doc.name = 'Work'
    expect(parts(out => index.list(false, out))[0]?.vault).toBe('Work')
  })
})
