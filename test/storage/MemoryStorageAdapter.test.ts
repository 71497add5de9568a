import { runStorageAdapterContract } from '../contracts/storageAdapterContract.js'
import { MemoryStorageAdapter } from '../../daemon/storage/MemoryStorageAdapter.js'

runStorageAdapterContract('MemoryStorageAdapter', async () => ({ adapter: new MemoryStorageAdapter(), teardown: async () => {} }))
