import { describe, it, expect } from 'vitest'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runStorageAdapterContract } from '../contracts/storageAdapterContract.js'
import { runPrefixedStorageIsolation } from '../contracts/prefixedStorageIsolation.js'
import { LevelStorageAdapter } from '../../daemon/storage/LevelStorageAdapter.js'
import { PrefixedStorage } from '../../daemon/storage/PrefixedStorage.js'

async function level(): Promise<{ adapter: LevelStorageAdapter; teardown: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'kith-level-'))
  const adapter = new LevelStorageAdapter(join(dir, 'db'))
  return {
    adapter,
    teardown: async () => {
      await adapter.close()
      await rm(dir, { recursive: true, force: true })
    }
  }
}

runStorageAdapterContract('LevelStorageAdapter', level)
runStorageAdapterContract('PrefixedStorage over LevelStorageAdapter', async () => {
  const { adapter: root, teardown } = await level()
  await root.open()
  await root.batch(['o/1', 'vault/x', 'vaultz', 'vault/'].map(key => ({ type: 'put' as const, key, value: new Uint8Array([9]) })))
  return { adapter: new PrefixedStorage(root, 'vault/'), teardown }
})
runPrefixedStorageIsolation('LevelStorageAdapter', level)

describe('LevelStorageAdapter', () => {
  it('refuses a second open of the same directory with StorageLockedError', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kith-level-'))
    const first = new LevelStorageAdapter(join(dir, 'db'))
    await first.open()
    const second = new LevelStorageAdapter(join(dir, 'db'))
    await expect(second.open()).rejects.toMatchObject({ name: 'StorageLockedError' })
    await first.put('still', new Uint8Array([1]))
    expect(await first.get('still')).toBeDefined()
    await first.close()
    await rm(dir, { recursive: true, force: true })
  })
})
