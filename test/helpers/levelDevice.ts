/**
 * A whole device over real LevelDB in a temporary directory (composeDevice with the memory network),
 * initialised and unlocked, for tests that search the database's files byte by byte.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { composeDevice, type FullDevice } from '../../daemon/compose.js'
import { DeviceIdentity } from '../../daemon/keyring/DeviceIdentity.js'
import { MemoryNetwork } from '../../daemon/network/memory/MemoryNetwork.js'
import { LevelStorageAdapter } from '../../daemon/storage/LevelStorageAdapter.js'
import { PASSWORD } from './memoryDevice.js'
import { testKdf } from './testKdf.js'

export interface LevelDevice {
  device: FullDevice
  storage: LevelStorageAdapter
  /** the temporary directory (the database is in `db/` under it) */
  dir: string
  /** stops the device, closes the database and deletes the directory */
  dispose: () => Promise<void>
}

export async function levelDevice(tag: string): Promise<LevelDevice> {
  const dir = await mkdtemp(join(tmpdir(), `kith-${tag}-`))
  const storage = new LevelStorageAdapter(join(dir, 'db'))
  await storage.open()
  const identity = DeviceIdentity.generate()
  const network = new MemoryNetwork()
  const device = await composeDevice({
    storage,
    identity,
    network: () => network.adapter(identity.deviceId),
    log: () => {},
    kdfTargetMs: 0,
    kdf: testKdf,
    autoLockMinutes: 0
  })
  await device.lifecycle.start()
  await device.unlock.init(PASSWORD)
  return {
    device,
    storage,
    dir,
    dispose: async () => {
      await device.lifecycle.stop().catch(() => {})
      await storage.close().catch(() => {})
      await rm(dir, { recursive: true, force: true })
    }
  }
}

/** Every byte of every file under `dir`. */
export async function filesUnder(dir: string): Promise<Buffer> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  const parts = await Promise.all(entries.filter(e => e.isFile()).map(async e => await readFile(join(e.parentPath, e.name))))
  return Buffer.concat(parts)
}
