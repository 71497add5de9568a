/**
 * Files through a backup peer (issues 13 and 14): a device pushes the files a backup peer lacks to
 * it, and a device that comes online while the author is away fetches them from there. The backup
 * peer holds sealed chunks only, and drops a file when a device of the vault says it is gone.
 */
import { createHash, randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { composeKeylessPeer, type KeylessPeer } from '../../daemon/compose.js'
import { DeviceIdentity } from '../../daemon/keyring/DeviceIdentity.js'
import { MemoryNetwork } from '../../daemon/network/memory/MemoryNetwork.js'
import { CHUNK_BYTES } from '../../daemon/replica/blobChunk.js'
import { MemoryStorageAdapter } from '../../daemon/storage/MemoryStorageAdapter.js'
import { eventually, PASSWORD, SyncDevice } from '../sync/helpers/syncDevice.js'

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')
async function* once(data: Uint8Array): AsyncGenerator<Uint8Array> {
  yield data
}

const stops: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop().catch(() => {})
})

async function backupPeer(net: MemoryNetwork): Promise<{ peer: KeylessPeer; storage: MemoryStorageAdapter }> {
  const identity = DeviceIdentity.generate()
  const storage = new MemoryStorageAdapter()
  const peer = await composeKeylessPeer({ storage, identity, network: () => net.adapter(identity.deviceId), log: () => {} })
  await peer.lifecycle.start()
  stops.push(async () => await peer.lifecycle.stop())
  return { peer, storage }
}

describe('files through a backup peer', () => {
  it('the author pushes a file to the backup peer; a device that was away gets it from there while the author is off', async () => {
    const net = new MemoryNetwork()
    const a = await SyncDevice.create('A', net)
    const b = await SyncDevice.create('B', net)
    stops.push(
      async () => await a.stop(),
      async () => await b.stop()
    )
    await a.init()
    await b.joinFrom(a)
    const { peer, storage } = await backupPeer(net)
    // the memory network's peer ids are not libp2p's, so the roster record is written as `kith backup add` writes it
    await a.sync.roster.addBackupPeer(a.device.keyring.rosterSigner(), peer.identity.deviceId, 'pi', '/ip4/203.0.113.10/tcp/4001')
    void a.sync.engine.dial(peer.identity.deviceId)
    await eventually(() => a.sync.engine.isOnline(peer.identity.deviceId), 'A connected to the backup peer')
    await eventually(() => b.sync.roster.isBackupPeer(peer.identity.deviceId), 'B knows the backup peer')
    await b.stop()

    const item = await a.service.createItem({ title: 'Lease' })
    const marker = new TextEncoder().encode('LEASE-AGREEMENT-PLAINTEXT-MARKER')
    const data = new Uint8Array(Buffer.concat([Buffer.from(marker), randomBytes(3 * CHUNK_BYTES)]))
    const info = await a.device.attachments.add(item.id, 'lease.pdf', once(data))
    const vaultId = a.service.vaults()[0]?.id as string
    await eventually(async () => await peer.blobStore.complete(vaultId, info.id), 'the file on the backup peer', 10_000)
    // the backup peer holds sealed chunks only
    for await (const [, value] of storage.entries('')) expect(Buffer.from(value).includes(Buffer.from(marker))).toBe(false)
    await a.stop()

    await b.restart()
    await b.service.unlock(PASSWORD)
    await eventually(() => b.service.listItems().some(i => i.attachments.length === 1), 'the record on B, through the backup peer', 10_000)
    expect(sha(await b.device.attachments.readAll(item.id, 'lease.pdf'))).toBe(sha(data))

    // B removes it: the backup peer drops it too
    await b.device.attachments.remove(item.id, info.id)
    await eventually(async () => (await peer.blobStore.ids(vaultId)).length === 0, 'the backup peer dropped the file', 10_000)
  })
})
