/**
 * A whole device in this process, built by the daemon's own composition root (compose.ts) over
 * MemoryStorageAdapter and a one-device MemoryNetwork: fast unit tests of keys, replicas and services.
 */
import { MemoryStorageAdapter } from '../../daemon/storage/MemoryStorageAdapter.js'
import { DeviceIdentity } from '../../daemon/keyring/DeviceIdentity.js'
import { MemoryNetwork } from '../../daemon/network/memory/MemoryNetwork.js'
import { composeDevice, type FullDevice } from '../../daemon/compose.js'
import { TestVault } from './TestVault.js'
import { testKdf } from './testKdf.js'

export const PASSWORD = 'correct horse battery staple'

export interface MemoryDevice {
  device: FullDevice
  /** the API's view of the device's use cases */
  service: TestVault
  storage: MemoryStorageAdapter
  identity: DeviceIdentity
}

export async function memoryService(
  options: { storage?: MemoryStorageAdapter; identity?: DeviceIdentity; snapshotEvery?: number } = {}
): Promise<MemoryDevice> {
  const storage = options.storage ?? new MemoryStorageAdapter()
  const identity = options.identity ?? DeviceIdentity.generate()
  const network = new MemoryNetwork()
  const device = await composeDevice({
    storage,
    identity,
    network: () => network.adapter(identity.deviceId),
    log: () => {},
    kdfTargetMs: 0,
    kdf: testKdf,
    autoLockMinutes: 0,
    snapshotEvery: options.snapshotEvery
  })
  await device.lifecycle.start()
  return { device, service: new TestVault(device.unlock, device.items), storage, identity }
}
