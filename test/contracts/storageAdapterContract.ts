/** The behaviour every StorageAdapter must have; each implementation's test runs this suite. */
import { describe, it, expect, beforeEach, afterEach } from 'vitest'
import type { StorageAdapter } from '../../daemon/storage/StorageAdapter.js'

const b = (s: string): Uint8Array => new TextEncoder().encode(s)
const s = (u: Uint8Array | undefined): string | undefined => (u === undefined ? undefined : new TextDecoder().decode(u))

export function runStorageAdapterContract(
  name: string,
  setup: () => Promise<{ adapter: StorageAdapter; teardown: () => Promise<void> }>
): void {
  describe(`StorageAdapter contract: ${name}`, () => {
    let adapter: StorageAdapter
    let teardown: () => Promise<void>
    beforeEach(async () => {
      ;({ adapter, teardown } = await setup())
      await adapter.open()
    })
    afterEach(async () => {
      await teardown()
    })

    it('gets undefined for absent keys and what was put for present ones', async () => {
      expect(await adapter.get('nope')).toBeUndefined()
      await adapter.put('a', b('1'))
      expect(s(await adapter.get('a'))).toBe('1')
      expect((await adapter.getMany(['a', 'nope'])).map(s)).toEqual(['1', undefined])
    })

    it('returns bytes equal to what was stored (as Uint8Array)', async () => {
      const value = Uint8Array.from([0, 255, 1, 2])
      await adapter.put('bin', value)
      const got = await adapter.get('bin')
      expect(got).toBeInstanceOf(Uint8Array)
      expect(Array.from(got as Uint8Array)).toEqual([0, 255, 1, 2])
    })

    it('deletes and batches atomically', async () => {
      await adapter.put('x', b('1'))
      await adapter.batch([
        { type: 'put', key: 'y', value: b('2') },
        { type: 'del', key: 'x' }
      ])
      expect(await adapter.get('x')).toBeUndefined()
      expect(s(await adapter.get('y'))).toBe('2')
      await adapter.del('y')
      expect(await adapter.get('y')).toBeUndefined()
    })

    it('iterates a prefix in ascending key order, with gt and limit', async () => {
      await adapter.batch(['p/03', 'p/01', 'q/00', 'p/02', 'o/09'].map(k => ({ type: 'put' as const, key: k, value: b(k) })))
      const keys: string[] = []
      for await (const [k] of adapter.entries('p/')) keys.push(k)
      expect(keys).toEqual(['p/01', 'p/02', 'p/03'])
      const after: string[] = []
      for await (const [k] of adapter.entries('p/', { gt: 'p/01', limit: 1 })) after.push(k)
      expect(after).toEqual(['p/02'])
      const onlyKeys: string[] = []
      for await (const k of adapter.keys('p/')) onlyKeys.push(k)
      expect(onlyKeys).toEqual(['p/01', 'p/02', 'p/03'])
    })

    it('clears everything and compacts without error', async () => {
      await adapter.put('a', b('1'))
      await adapter.compact()
      await adapter.clear()
      expect(await adapter.get('a')).toBeUndefined()
    })
  })
}
