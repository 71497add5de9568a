/** A device built over MemoryStorageAdapter for fast unit tests of keyring, replica and service. */
import { MemoryStorageAdapter } from '../../daemon/storage/MemoryStorageAdapter.js'
import { DeviceIdentity } from '../../daemon/keyring/DeviceIdentity.js'
import { VaultService } from '../../daemon/service/VaultService.js'

export const PASSWORD = 'correct horse battery staple'

export async function memoryService (options: { storage?: MemoryStorageAdapter, identity?: DeviceIdentity, snapshotEvery?: number } = {}): Promise<{ service: VaultService, storage: MemoryStorageAdapter, identity: DeviceIdentity }> {
  const storage = options.storage ?? new MemoryStorageAdapter()
  const identity = options.identity ?? DeviceIdentity.generate()
  const service = new VaultService({ storage, identity, kdfTargetMs: 0, autoLockMs: 0, snapshotEvery: options.snapshotEvery })
  await service.start()
  return { service, storage, identity }
}
