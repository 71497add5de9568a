/**
 * The attachments' part of the composition root (compose.ts calls it): the blob store, the
 * `/kith/blob/1.0.0` exchange, and, on a full device, the background BlobSync and the
 * AttachmentService. Who may read, upload or drop a vault's files is the roster's answer here.
 */
import { collectYoungGarbage } from './collectGarbage.js'
import type { Log } from './log.js'
import type { NetworkAdapter } from './network/NetworkAdapter.js'
import type { Roster } from './pairing/Roster.js'
import { BlobStore } from './replica/BlobStore.js'
import { AttachmentService } from './service/AttachmentService.js'
import { BlobSync } from './service/BlobSync.js'
import type { ItemService } from './service/ItemService.js'
import type { ReplicaSet } from './service/ReplicaSet.js'
import type { PrefixedStorage } from './storage/PrefixedStorage.js'
import { BlobExchange } from './sync/BlobExchange.js'
import type { SyncEngine } from './sync/SyncEngine.js'

/** After each window of chunks (served, fetched or stored), a scavenge frees its dead buffers (the daemon runs with --expose-gc). */
const reclaim = (): void => {
  collectYoungGarbage()
}

export interface BlobParts {
  store: BlobStore
  exchange: BlobExchange
}

export interface DeviceBlobParts extends BlobParts {
  sync: BlobSync
  attachments: AttachmentService
}

interface BlobInputs {
  storage: PrefixedStorage
  selfId: string
  roster: Roster
  replicas: ReplicaSet
  network: NetworkAdapter
  /** this node's own roster copy says it was removed */
  removed: () => boolean
  log: Log
}

/** What every node has: the chunks on disk, served to the roster's peers that may hold the vault. */
export function composeBlobExchange(inputs: BlobInputs, keyless: { quotaBytes?: number } | undefined): BlobParts {
  const { roster, replicas, removed } = inputs
  const store = new BlobStore(inputs.storage, { quotaBytes: keyless?.quotaBytes })
  const exchange = new BlobExchange({
    network: inputs.network,
    store,
    // a peer of the roster that may hold the vault, for a vault this node holds
    mayServe: (peer, vaultId) => !removed() && roster.isPeer(peer) && roster.mayHold(peer, vaultId) && replicas.get(vaultId) !== undefined,
    acceptsPuts: keyless !== undefined,
    mayDrop: (peer, vaultId) => !removed() && roster.isMember(peer) && !roster.isBackupPeer(peer) && roster.mayHold(peer, vaultId),
    reclaim,
    log: inputs.log
  })
  return { store, exchange }
}

/** A full device's attachments: the exchange, background sync of files, and the service the API uses. */
export function composeDeviceBlobs(
  inputs: BlobInputs & {
    engine: SyncEngine
    items: ItemService
    limitBytes: () => number
    compact: () => Promise<void>
  }
): DeviceBlobParts {
  const { store, exchange } = composeBlobExchange(inputs, undefined)
  const { roster, engine } = inputs
  const connectedHolders = (vaultId: string): string[] => engine.connected().filter(p => roster.isPeer(p) && roster.mayHold(p, vaultId))
  const sync = new BlobSync({
    openReplicas: () => inputs.items.openReplicas(),
    vaultIds: () => inputs.replicas.all().map(r => r.vaultId),
    store,
    transfer: {
      holders: vaultId => {
        const all = connectedHolders(vaultId)
        return [...all.filter(p => !roster.isBackupPeer(p)), ...all.filter(p => roster.isBackupPeer(p))]
      },
      backupPeers: vaultId => connectedHolders(vaultId).filter(p => roster.isBackupPeer(p)),
      fetch: async (peer, want, onChunk) => await exchange.fetch(peer, want, onChunk),
      lacks: async (peer, vaultId, blobs) => await exchange.lacks(peer, vaultId, blobs),
      push: async (peer, blob, read) => await exchange.push(peer, blob, read),
      drop: async (peer, vaultId, ids) => await exchange.drop(peer, vaultId, ids)
    },
    compact: inputs.compact,
    log: inputs.log
  })
  engine.on('peer-connected', () => sync.onPeerConnected())
  inputs.replicas.on('items-changed', (_replica, _ids, local) => {
    if (!local) sync.onRemoteChange()
  })
  const attachments = new AttachmentService({
    items: inputs.items,
    store,
    sync,
    limitBytes: inputs.limitBytes,
    compact: inputs.compact,
    reclaim
  })
  return { store, exchange, sync, attachments }
}
