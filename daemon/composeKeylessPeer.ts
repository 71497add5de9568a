/**
 * A keyless node (`kith backup-peer`): the composition root's other role. It holds no keyring and no
 * items, opens every vault it stores by id, syncs sealed records with its roster's devices, keeps
 * their files' sealed chunks, and relays for them (and for a joiner that claimed an invitation).
 */
import { EventEmitter } from 'node:events'
import { storageViews } from './storage/storageLayout.js'
import { RelayedInvitations } from './pairing/RelayedInvitations.js'
import type { Gate } from './network/NetworkAdapter.js'
import type { BlobStore } from './replica/BlobStore.js'
import { Lifecycle } from './Startable.js'
import { composeBlobExchange } from './composeBlobs.js'
import { composeReplicas, composeSync, loaded, networkPart, type EventFeed, type NodeInputs, type SyncCore } from './composeSync.js'

export interface KeylessPeer extends SyncCore {
  role: 'backup-peer'
  /** the files' sealed chunks it keeps for its devices */
  blobStore: BlobStore
  feeds: EventFeed[]
  lifecycle: Lifecycle
}

/**
 * A keyless peer: holds no keyring and no items, opens every vault it stores by id, and syncs
 * sealed records with the roster's devices (the relay issue adds how it is admitted and what it relays).
 */
export async function composeKeylessPeer(inputs: NodeInputs): Promise<KeylessPeer> {
  const { storage, log } = inputs
  const views = storageViews(storage)
  const parts = composeReplicas(inputs, views, true)
  // unclaimed until the first roster reaches it (trust on first use: `kith backup add` right after starting it)
  const unclaimed = (): boolean => parts.roster.root === undefined
  const core = await composeSync(
    inputs,
    views,
    { ...parts, unclaimed, adoptVaults: true },
    { grantsFor: async () => [], receive: async () => {} }
  )
  const { roster, replicas, network, peers } = core
  // a joiner that claimed a device's invitation is relayed to that device only, until the invitation expires
  const invitations = new RelayedInvitations({
    network,
    isDevice: id => !core.removed() && roster.isMember(id),
    isPeer: id => (!core.removed() && roster.isPeer(id)) || unclaimed(),
    log
  })
  // while unclaimed it lets a device in (to be given a roster) but relays for no one
  const gate: Gate = (deviceId, direction, target) =>
    (!core.removed() && roster.isPeer(deviceId)) ||
    (direction !== 'relay' && unclaimed()) ||
    (direction === 'inbound' && invitations.admitsStranger(deviceId)) ||
    (direction === 'relay' && target !== undefined && invitations.mayRelay(deviceId, target))
  network.setGate(inputs.wrapGate?.(gate) ?? gate)
  const blobs = composeBlobExchange(
    { storage: views.blobs, selfId: inputs.identity.deviceId, roster, replicas, network, removed: core.removed, log },
    { quotaBytes: inputs.quotaBytes }
  )
  const lifecycle = new Lifecycle(
    [
      loaded('roster', async () => await roster.load()),
      loaded('peer book', async () => await peers.load()),
      {
        name: 'replicas',
        start: async () => {
          for (const vaultId of await replicas.storedVaultIds()) await replicas.open(vaultId)
        },
        stop: async () => {
          await replicas.close()
        }
      },
      networkPart(core, views, async () => {
        await invitations.serve()
        await blobs.exchange.serve()
      }),
      { name: 'relayed invitations', start: async () => {}, stop: async () => invitations.stop() }
    ],
    log
  )
  const peerEvents = new EventEmitter()
  core.engine.on('peer-connected', id => peerEvents.emit('peer-connected', { id }))
  core.engine.on('peer-disconnected', id => peerEvents.emit('peer-disconnected', { id }))
  return {
    role: 'backup-peer',
    ...core,
    blobStore: blobs.store,
    feeds: [{ emitter: peerEvents, events: ['peer-connected', 'peer-disconnected'] }],
    lifecycle
  }
}
