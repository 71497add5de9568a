/**
 * The bytes on disk: every part writes through its own view, and the absolute keys are exactly the
 * ones docs/storage-layout.md lists (and that data directories made before the views hold).
 */
import { describe, it, expect } from 'vitest'
import { MemoryStorageAdapter } from '../../daemon/storage/MemoryStorageAdapter.js'
import { networkLayout, storageViews } from '../../daemon/storage/storageLayout.js'
import { DeviceIdentity } from '../../daemon/keyring/DeviceIdentity.js'
import { Keyring } from '../../daemon/keyring/Keyring.js'
import { GrantStore } from '../../daemon/keyring/GrantStore.js'
import { UnlockThrottle } from '../../daemon/keyring/UnlockThrottle.js'
import { VaultReplica } from '../../daemon/replica/VaultReplica.js'
import { Roster, rosterOps } from '../../daemon/pairing/Roster.js'
import { PeerBook } from '../../daemon/sync/PeerBook.js'
import { testKdf } from '../helpers/testKdf.js'
import { PASSWORD } from '../helpers/memoryDevice.js'

const hex8 = (n: number): string => n.toString(16).padStart(8, '0')

async function allKeys(storage: MemoryStorageAdapter): Promise<string[]> {
  const out: string[] = []
  for await (const key of storage.keys('')) out.push(key)
  return out
}

describe('storage layout', () => {
  it('every part writes the same absolute keys as before the views', async () => {
    const root = new MemoryStorageAdapter()
    const views = storageViews(root)
    const identity = DeviceIdentity.generate()
    const me = identity.deviceId
    const signer = { deviceId: me, publicKey: identity.publicKey, sign: (m: Uint8Array) => identity.sign(m) }
    const other = DeviceIdentity.generate().deviceId

    const keyring = new Keyring({ storage: views.keyring, identity, throttle: new UnlockThrottle(views.meta), kdf: testKdf })
    await keyring.load()
    await keyring.initialize(PASSWORD)
    await keyring.verify({ kind: 'password', password: 'not the password' }).catch(() => {})
    const vaultId = await keyring.createVault()
    const { epoch } = await keyring.rotate(vaultId, [{ deviceId: me, sealingPublicKey: keyring.sealingPublicKey }])

    const replica = new VaultReplica(vaultId, views.vault(vaultId), signer)
    await replica.open()
    await replica.unlock({ currentEpoch: () => keyring.currentEpoch(vaultId), key: e => keyring.vaultKey(vaultId, e) })
    replica.doc.create({ title: 'first' })
    await replica.snapshot()
    replica.doc.create({ title: 'second' })
    await replica.flush()

    const roster = new Roster(views.roster)
    await roster.load()
    await roster.createGenesis(keyring.rosterSigner(), keyring.sealingPublicKey, 'laptop')
    const peers = new PeerBook(views.peerBook)
    await peers.update(other, ['/ip4/127.0.0.1/tcp/4001'])
    await views.network.put(networkLayout.bound, new TextEncoder().encode('[]'))

    expect(await allKeys(root)).toEqual(
      [
        `keyring/device`,
        `keyring/grant/${vaultId}/00000000/${me}`,
        `keyring/grant/${vaultId}/${hex8(epoch)}/${me}`,
        `keyring/method/password`,
        `keyring/minted/${vaultId}/00000000`,
        `keyring/minted/${vaultId}/${hex8(epoch)}`,
        `keyring/slot/password`,
        `meta/unlock-throttle`,
        `network/bound`,
        `roster/${me}/00000001`,
        `sync/peer/${other}`,
        `vault/${vaultId}/env/${me}/00000002`,
        `vault/${vaultId}/format`,
        `vault/${vaultId}/snap/${me}`
      ].sort()
    )
  })

  it('the ops a joining device writes in one root batch land under keyring/ and roster/', async () => {
    const identity = DeviceIdentity.generate()
    const signer = { deviceId: identity.deviceId, publicKey: identity.publicKey, sign: (m: Uint8Array) => identity.sign(m) }
    const source = new MemoryStorageAdapter()
    const roster = new Roster(storageViews(source).roster)
    await roster.createGenesis(signer, new Uint8Array(32), 'inviter')
    const vaultId = '0'.repeat(32)
    const ops = [
      ...GrantStore.rootOps([{ vaultId, epoch: 7, deviceId: identity.deviceId, box: new Uint8Array([1]) }]),
      ...rosterOps(roster.allRecords())
    ]
    expect(ops.map(op => op.key)).toEqual([
      `keyring/grant/${vaultId}/00000007/${identity.deviceId}`,
      `roster/${identity.deviceId}/00000001`
    ])
  })
})
