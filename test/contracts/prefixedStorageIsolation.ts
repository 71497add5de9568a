/**
 * What a PrefixedStorage view must guarantee over any parent adapter: it sees, lists, deletes and
 * clears only its own prefix, and leaves the store's lifecycle to the root.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest'
import type { StorageAdapter } from '../../daemon/storage/StorageAdapter.js'
import { PrefixedStorage } from '../../daemon/storage/PrefixedStorage.js'

const b = (s: string): Uint8Array => new TextEncoder().encode(s)
const text = (u: Uint8Array | undefined): string | undefined => (u === undefined ? undefined : new TextDecoder().decode(u))

async function list(adapter: StorageAdapter, prefix = ''): Promise<string[]> {
  const out: string[] = []
  for await (const k of adapter.keys(prefix)) out.push(k)
  return out
}

export function runPrefixedStorageIsolation(
  name: string,
  setup: () => Promise<{ adapter: StorageAdapter; teardown: () => Promise<void> }>
): void {
  describe(`PrefixedStorage isolation over ${name}`, () => {
    let root: StorageAdapter
    let teardown: () => Promise<void>
    let view: PrefixedStorage
    // neighbours: a sibling whose name extends the prefix, keys before and after it, a parent-level key
    const outside = ['p', 'p0', 'pa/x', 'pq/1', 'o/9', 'q/0', 'vault/x']
    beforeEach(async () => {
      ;({ adapter: root, teardown } = await setup())
      await root.open()
      await root.batch(outside.map(k => ({ type: 'put' as const, key: k, value: b('outside') })))
      view = new PrefixedStorage(root, 'p/')
      await view.batch([
        { type: 'put', key: 'a', value: b('1') },
        { type: 'put', key: 'b/c', value: b('2') }
      ])
    })
    afterEach(async () => {
      await teardown()
    })

    it('writes under its prefix, and reads only what is there', async () => {
      expect(await list(root, 'p/')).toEqual(['p/a', 'p/b/c'])
      for (const k of outside) expect(await view.get(k)).toBeUndefined()
      expect((await view.getMany(['a', 'q/0', '../q/0'])).map(text)).toEqual(['1', undefined, undefined])
    })

    it('iterates only its own keys, relative to the prefix, with gt and limit inside it', async () => {
      expect(await list(view)).toEqual(['a', 'b/c'])
      const entries: string[] = []
      for await (const [k] of view.entries('', { gt: '', limit: 10 })) entries.push(k)
      expect(entries).toEqual(['a', 'b/c'])
      const after: string[] = []
      for await (const [k] of view.entries('', { gt: 'a' })) after.push(k)
      expect(after).toEqual(['b/c'])
    })

    it('deletes only inside: a key that names an outside one deletes nothing outside', async () => {
      for (const k of outside) await view.del(k)
      await view.batch(outside.map(k => ({ type: 'del' as const, key: k })))
      expect(await list(root)).toEqual([...outside, 'p/a', 'p/b/c'].sort())
    })

    it('clears only its prefix, and a view nested in it only its own', async () => {
      const nested = new PrefixedStorage(view, 'b/')
      expect(await list(nested)).toEqual(['c'])
      await nested.clear()
      expect(await list(view)).toEqual(['a'])
      await view.clear()
      expect(await list(root)).toEqual([...outside].sort())
    })

    it('leaves close to the root: closing a view does not close the store', async () => {
      await view.compact()
      await view.close()
      await root.put('after', b('x'))
      expect(text(await root.get('after'))).toBe('x')
      expect(text(await view.get('a'))).toBe('1')
    })

    it('refuses a prefix that would not isolate it', () => {
      for (const bad of ['', 'p'])
        expect(() => new PrefixedStorage(root, bad)).toThrow(expect.objectContaining({ name: 'StoragePrefixError' }))
    })

    it('maps its operations into the parent key space for a batch across parts', async () => {
      await root.batch(
        view.parentOps([
          { type: 'put', key: 'z', value: b('3') },
          { type: 'del', key: 'a' }
        ])
      )
      expect(await list(view)).toEqual(['b/c', 'z'])
    })
  })
}
