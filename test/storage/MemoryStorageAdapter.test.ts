import { runStorageAdapterContract } from '../contracts/storageAdapterContract.js'
import { runPrefixedStorageIsolation } from '../contracts/prefixedStorageIsolation.js'
import { MemoryStorageAdapter } from '../../daemon/storage/MemoryStorageAdapter.js'
import { PrefixedStorage } from '../../daemon/storage/PrefixedStorage.js'

const memory = async () => ({ adapter: new MemoryStorageAdapter(), teardown: async () => {} })

runStorageAdapterContract('MemoryStorageAdapter', memory)
runStorageAdapterContract('PrefixedStorage over MemoryStorageAdapter', async () => {
  const root = new MemoryStorageAdapter()
  // records of other parts around the view: the contract must hold as if they were not there
  await root.batch(['o/1', 'vault/x', 'vaultz', 'vault/'].map(key => ({ type: 'put' as const, key, value: new Uint8Array([9]) })))
  return { adapter: new PrefixedStorage(root, 'vault/'), teardown: async () => {} }
})
runPrefixedStorageIsolation('MemoryStorageAdapter', memory)
