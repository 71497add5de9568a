/**
 * The composition root: the one place that builds Kith's parts and wires them, in a fixed order,
 * started in that order and stopped in reverse. It is role-aware: a full device (keys, items, the
 * dashboard's use cases) or a keyless peer that only stores and forwards sealed records. Daemons
 * (daemon.ts) and tests (with memory storage and the memory network) build nodes through it alike.
 */
import { EventEmitter } from 'node:events'
import { Keyring } from './keyring/Keyring.js'
import { KeyDistribution } from './keyring/KeyDistribution.js'
import { UnlockThrottle } from './keyring/UnlockThrottle.js'
import { argon2idKdf } from './keyring/Kdf.js'
import { storageViews } from './storage/storageLayout.js'
import { PairingService } from './pairing/PairingService.js'
import { DeviceService } from './pairing/DeviceService.js'
import { SelfRemoval } from './pairing/SelfRemoval.js'
import { RemovalNotice } from './pairing/RemovalNotice.js'
import type { Gate } from './network/NetworkAdapter.js'
import { UnlockService } from './service/UnlockService.js'
import { FactorService } from './service/FactorService.js'
import { ItemService, DEFAULT_VAULT } from './service/ItemService.js'
import { TrashService } from './service/TrashService.js'
import { PortabilityService } from './service/PortabilityService.js'
import { SettingsStore } from './service/SettingsStore.js'
import { DeviceEraser } from './service/DeviceEraser.js'
import { PasskeyService } from './service/PasskeyService.js'
import { HealthService } from './service/health/HealthService.js'
import { StrengthEstimator } from './service/health/StrengthEstimator.js'
import { Lifecycle } from './Startable.js'
import { composeDeviceBlobs } from './composeBlobs.js'
import type { AttachmentService } from './service/AttachmentService.js'
import { DEFAULT_ATTACHMENT_LIMIT_BYTES } from './service/AttachmentService.js'
import type { BlobSync } from './service/BlobSync.js'
import type { BlobStore } from './replica/BlobStore.js'
import { BackupPeerWitness, type BehindVault } from './sync/BackupPeerWitness.js'
import { toError } from './toError.js'
import {
  composeReplicas,
  composeSync,
  loaded,
  networkPart,
  signerOf,
  type EventFeed,
  type NodeInputs,
  type SyncCore
} from './composeSync.js'

export type { EventFeed, NetworkRequest, NodeInputs, SyncCore } from './composeSync.js'
export { composeKeylessPeer, type KeylessPeer } from './composeKeylessPeer.js'

export interface FullDevice extends SyncCore {
  role: 'device'
  keyring: Keyring
  settings: SettingsStore
  unlock: UnlockService
  /** passkey unlock (WebAuthn + PRF) over the keyring's unlock methods */
  passkeys: PasskeyService
  /** unlock methods and the authenticator gate (`kith factors`) */
  factors: FactorService
  items: ItemService
  /** files on items: upload, download, removal */
  attachments: AttachmentService
  /** keeps this device's copies of its vaults' files whole and the backup peers' too */
  blobSync: BlobSync
  /** the files' sealed chunks on disk */
  blobStore: BlobStore
  /** per connected backup peer: the vaults in which it is behind this device's own changes */
  backupPeersBehind: () => Array<{ id: string; behind: BehindVault[] }>
  /** "Empty trash" and the purge of items trashed more than N days ago */
  trash: TrashService
  portability: PortabilityService
  /** password health and the strength estimator */
  health: HealthService
  keys: KeyDistribution
  pairing: PairingService
  devices: DeviceService
  /** `destroy`'s first step: this device's removal of itself, acknowledged by a paired device */
  selfRemoval: SelfRemoval
  /** tells a removed device it was removed; on this device, takes that news and says who removed it */
  removalNotice: RemovalNotice
  eraser: DeviceEraser
  /** the events the API streams, by emitter */
  feeds: EventFeed[]
  lifecycle: Lifecycle
}

/** A full device: keys, vaults and items, pairing and device management, sync. */
export async function composeDevice(inputs: NodeInputs): Promise<FullDevice> {
  const { storage, identity, log } = inputs
  const views = storageViews(storage)
  const kdf = inputs.kdf ?? argon2idKdf
  const { roster, replicas } = composeReplicas(inputs, views)
  // the roster's epoch statements decide which vault keys count
  const keyring = new Keyring({ storage: views.keyring, identity, throttle: new UnlockThrottle(views.meta), kdf, ledger: roster })
  /** a new device's first roster record (and an older home's, at its first unlock here); never while joining */
  const ensureGenesis = async (): Promise<void> => {
    if (roster.root === undefined && keyring.initialized && keyring.unlocked && !pairing.joining)
      await roster.createGenesis(keyring.rosterSigner(), keyring.sealingPublicKey, pairing.deviceName)
  }
  const settings = new SettingsStore(views.meta, { autoLockMinutes: inputs.autoLockMinutes })
  const unlock: UnlockService = new UnlockService({
    keyring,
    replicas,
    settings,
    kdf,
    kdfTargetMs: inputs.kdfTargetMs,
    // a joining device's keyring, grants and roster records reach disk in one batch
    commitJoin: async (keyringOps, received) => {
      await storage.batch([...views.keyring.parentOps(keyringOps), ...received])
    },
    createFirstVault: async (): Promise<void> => {
      await items.createVault(DEFAULT_VAULT)
    },
    // a new device's first roster record exists before anyone can invite from it
    whenUnlocked: async () => {
      await ensureGenesis()
      items.warm()
      blobs.sync.onUnlocked()
    },
    beforeLock: async () => {
      await items.saveListImages()
      // a lock never fails for want of them: the next report reads the items again
      await health.beforeLock().catch((err: unknown) => log('warn', `health rows not stored: ${err instanceof Error ? err.name : 'error'}`))
    },
    log
  })
  const passkeys = new PasskeyService({ keyring, editor: keyring.methodEditor, session: unlock, deviceId: identity.deviceId })
  const items: ItemService = new ItemService({
    replicas,
    unlock,
    keyring,
    // a purge deletes the chunks of the files its items had, then compacts storage (once)
    compact: async () => {
      if ((await blobs.sync.collectGarbage()) === 0) await storage.compact()
    }
  })
  // files travel with imports and exports (the attachments part is built with sync, below)
  const portability = new PortabilityService(items, {
    add: async (itemId, name, data) =>
      await blobs.attachments.add(
        itemId,
        name,
        (async function* () {
          yield data
        })()
      ),
    read: async (itemId, attachmentId) => await blobs.attachments.readAll(itemId, attachmentId),
    copyFiles: async (itemIds, toVault) => await blobs.attachments.copyFiles(itemIds, toVault)
  })
  const trash = new TrashService({ items, settings, unlock, log })
  const health = new HealthService({
    estimator: new StrengthEstimator(),
    entries: () => items.healthEntries(),
    entryOf: id => items.healthEntry(id),
    state: () => items.healthState(),
    session: unlock,
    changes: items,
    log,
    persist: { localKey: label => keyring.localKey(label), storage: views.meta }
  })
  const eraser = new DeviceEraser({ storage, keyring, replicas, unlock })
  const signer = signerOf(identity)
  const distribution = new KeyDistribution({
    keyring,
    roster,
    signer,
    log,
    openVault: async vaultId => {
      await unlock.openVault(vaultId)
    }
  })
  const core = await composeSync(inputs, views, { roster, replicas }, distribution)
  const { network, engine, peers } = core
  const witness = new BackupPeerWitness({
    sessions: () =>
      engine
        .connected()
        .filter(id => roster.isBackupPeer(id))
        .map(id => engine.session(id))
        .filter((s): s is NonNullable<typeof s> => s !== undefined),
    ownSeq: vaultId => replicas.get(vaultId)?.vector().get(identity.deviceId) ?? 0,
    everyMs: inputs.witnessEveryMs,
    log
  })
  const blobs = composeDeviceBlobs({
    storage: views.blobs,
    selfId: identity.deviceId,
    roster,
    replicas,
    network,
    removed: core.removed,
    log,
    engine,
    items,
    limitBytes: () => inputs.attachmentLimitBytes ?? DEFAULT_ATTACHMENT_LIMIT_BYTES,
    compact: async () => await storage.compact()
  })
  const pairing = new PairingService({
    network,
    roster,
    keyring,
    service: unlock,
    log,
    deviceName: inputs.deviceName,
    timings: inputs.pairingTimings,
    afterJoin: async (inviter, addrs, vaultIds) => {
      await engine.connect(inviter, addrs)
      const synced = await engine.whenCaughtUp(inviter, vaultIds, 20_000)
      if (!synced)
        log('warn', 'pairing: the first sync with the inviting device did not finish within 20 s; it continues in the background')
    }
  })
  const removalNotice = new RemovalNotice({ selfId: identity.deviceId, network, roster, log })
  // a removed device whose first connection came before it could hear the notice is told at its next sync attempt
  engine.on('refused', deviceId => removalNotice.onRefused(deviceId))
  // a removed device is let in only to be told so (RemovalNotice); once another device removed this one, it
  // lets no one in (one that removes itself, `destroy`, still reaches its peers to hand them its removal)
  const cutOff = (): boolean => core.removed() && roster.device(identity.deviceId)?.revokedBy !== identity.deviceId
  const gate: Gate = (deviceId, direction) =>
    (!cutOff() && roster.isPeer(deviceId)) ||
    (direction !== 'relay' && pairing.admits(deviceId, direction)) ||
    (direction === 'inbound' && removalNotice.admits(deviceId))
  network.setGate(inputs.wrapGate?.(gate) ?? gate)
  const envelopeSeqsOf = (id: string): Map<string, number> => new Map(replicas.all().map(r => [r.vaultId, r.vector().get(id) ?? 0]))
  const devices = new DeviceService({
    selfId: identity.deviceId,
    roster,
    pairing,
    initialized: () => keyring.initialized,
    peerIdOf: id => network.peerIdOf(id),
    isOnline: id => engine.isOnline(id),
    connectionOf: id => (engine.isOnline(id) ? network.connectionKind(id) : null),
    deviceIdOf: peerId => network.deviceIdOf(peerId),
    addBackupPeer: async (id, address, vaultIds) => {
      await roster.addBackupPeer(keyring.rosterSigner(), id, 'backup peer', address, vaultIds)
      void engine.dial(id)
    },
    lastSeen: id => peers.lastSeen(id),
    envelopeSeqs: envelopeSeqsOf,
    // a backup peer never held a key: its removal rotates none
    revoke: async (id, seqs) => {
      if (!roster.isBackupPeer(id)) return await distribution.revoke(id, seqs)
      await roster.revoke(keyring.rosterSigner(), id, new Map(), [])
      return []
    },
    vaultsOf: id =>
      keyring.unlocked
        ? items
            .vaults()
            .filter(v => roster.mayHold(id, v.id))
            .map(v => v.name)
        : [],
    vaults: () => items.vaults().map(v => ({ id: v.id, name: v.name })),
    setAccess: async (id, vaultIds) => await distribution.setAccess(id, vaultIds),
    log
  })
  const selfRemoval = new SelfRemoval({
    selfId: identity.deviceId,
    network,
    roster,
    unlocked: () => keyring.unlocked,
    signer: () => keyring.rosterSigner(),
    ownEnvelopeSeqs: () => envelopeSeqsOf(identity.deviceId),
    addrsOf: id => peers.addrs(id),
    stopSync: async () => {
      await engine.stop()
    },
    revoke: async id => await distribution.revoke(id, envelopeSeqsOf(id)),
    log
  })

  const background = (what: string, p: Promise<unknown>): void => {
    p.catch(err => log('warn', `${what} failed: ${toError(err).message}`))
  }
  replicas.on('vault-added', () => {
    background('sealing vault keys', distribution.ensureGrants())
  })
  unlock.on('unlocked', () => {
    background('sealing vault keys', distribution.ensureGrants())
  })
  roster.on('changed', () => {
    background(
      'sealing vault keys',
      distribution.retryWaiting().then(async () => await distribution.ensureGrants())
    )
  })
  distribution.on('grants', (deviceId, list) => engine.sendGrants(deviceId, list))

  const deviceEvents = new EventEmitter()
  roster.on('changed', () => deviceEvents.emit('devices-changed', {}))
  engine.on('peer-connected', id => deviceEvents.emit('peer-connected', devices.view(id)))
  engine.on('peer-disconnected', id => deviceEvents.emit('peer-disconnected', devices.view(id)))

  const lifecycle = new Lifecycle(
    [
      loaded('settings', async () => await settings.load()),
      loaded('roster', async () => await roster.load()),
      loaded('peer book', async () => await peers.load()),
      {
        name: 'keys and replicas',
        start: async () => {
          await unlock.start()
          if (keyring.initialized) await ensureGenesis()
        },
        // replicas snapshot what is new with the keys still at hand, then the keys leave memory
        stop: async () => {
          // a stop while unlocked keeps the list pictures and the health rows as a lock does (best effort: both are rebuilt without them)
          if (unlock.unlocked) {
            await items.saveListImages().catch(() => {})
            await health.beforeLock().catch(() => {})
          }
          await replicas.close()
          await unlock.stop()
        }
      },
      // a removed device must hear the notice from the first connection its sync makes
      networkPart(
        core,
        views,
        async () => {
          await removalNotice.serve()
          await blobs.exchange.serve()
          witness.start()
        },
        () => {
          blobs.sync.stop()
          witness.stop()
        }
      ),
      {
        name: 'pairing',
        start: async () => {
          await pairing.start()
          await selfRemoval.serve()
        },
        stop: async () => {
          pairing.stop()
        }
      }
    ],
    log
  )

  return {
    role: 'device',
    ...core,
    keyring,
    settings,
    unlock,
    passkeys,
    factors: new FactorService({ keyring, deviceName: () => pairing.deviceName }),
    items,
    attachments: blobs.attachments,
    blobSync: blobs.sync,
    blobStore: blobs.store,
    backupPeersBehind: () =>
      engine
        .connected()
        .filter(id => roster.isBackupPeer(id))
        .map(id => {
          const session = engine.session(id)
          return { id, behind: session === undefined ? [] : witness.status(session) }
        }),
    trash,
    portability,
    health,
    keys: distribution,
    pairing,
    devices,
    selfRemoval,
    removalNotice,
    eraser,
    feeds: [
      { emitter: items, events: ['item-changed'] },
      { emitter: unlock, events: ['locked', 'unlocked'] },
      { emitter: portability, events: ['import-progress', 'export-progress'] },
      { emitter: deviceEvents, events: ['peer-connected', 'peer-disconnected', 'devices-changed'] },
      { emitter: pairing.pending, events: ['pairing-pending', 'pairing-resolved'] }
    ],
    lifecycle
  }
}
