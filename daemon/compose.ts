/**
 * The composition root: the one place that builds Kith's parts and wires them, in a fixed order,
 * started in that order and stopped in reverse. It is role-aware: a full device (keys, items, the
 * dashboard's use cases) or a keyless peer that only stores and forwards sealed records. Daemons
 * (daemon.ts) and tests (with memory storage and the memory network) build nodes through it alike.
 */
import { EventEmitter } from 'node:events'
import type { StorageAdapter } from './storage/StorageAdapter.js'
import type { DeviceIdentity } from './keyring/DeviceIdentity.js'
import { Keyring } from './keyring/Keyring.js'
import { KeyDistribution } from './keyring/KeyDistribution.js'
import { UnlockThrottle } from './keyring/UnlockThrottle.js'
import { argon2idKdf, type Kdf } from './keyring/Kdf.js'
import { networkLayout, storageViews, type StorageViews } from './storage/storageLayout.js'
import { Roster } from './pairing/Roster.js'
import { PairingService, type PairingTimings } from './pairing/PairingService.js'
import { DeviceService } from './pairing/DeviceService.js'
import { SelfRemoval } from './pairing/SelfRemoval.js'
import { RemovalNotice } from './pairing/RemovalNotice.js'
import { RelayedInvitations } from './pairing/RelayedInvitations.js'
import { AddressExchange } from './sync/AddressExchange.js'
import { SyncEngine } from './sync/SyncEngine.js'
import { PeerBook } from './sync/PeerBook.js'
import type { GrantsPort, RosterPort } from './sync/ports.js'
import type { Gate, NetworkAdapter } from './network/NetworkAdapter.js'
import { preferPreviousPorts } from './network/listenAddresses.js'
import { ReplicaSet } from './service/ReplicaSet.js'
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
import { Lifecycle, type Part } from './Startable.js'
import { composeBlobExchange, composeDeviceBlobs } from './composeBlobs.js'
import type { AttachmentService } from './service/AttachmentService.js'
import { DEFAULT_ATTACHMENT_LIMIT_BYTES } from './service/AttachmentService.js'
import type { BlobSync } from './service/BlobSync.js'
import type { BlobStore } from './replica/BlobStore.js'
import type { Log } from './log.js'
import { toError } from './toError.js'

/** What the transport is built from: the listen addresses to ask for (last run's ports preferred). */
export interface NetworkRequest {
  preferListen: (listen: string[]) => string[] | undefined
}

export interface NodeInputs {
  /** the whole store; each part is given only what it needs of it */
  storage: StorageAdapter
  identity: DeviceIdentity
  /** builds the transport (libp2p in a daemon, the memory network in tests) */
  network: (request: NetworkRequest) => NetworkAdapter
  log: Log
  /** this device's name on the roster */
  deviceName?: string
  /** Argon2id cost to tune toward at init; 0 keeps the floor parameters (tests) */
  kdfTargetMs?: number
  /** the unlock slots' KDF: Argon2id at or above the RFC 9106 floor unless a unit test passes a cheaper one */
  kdf?: Kdf
  /** overrides the saved auto-lock setting for this run (`--auto-lock`) */
  autoLockMinutes?: number
  snapshotEvery?: number
  /** redial backoff (tests make it short) */
  backoff?: { initialMs: number; maxMs: number }
  /** how long a stranger may stay connected, how often a waiting joiner hears from us (tests make them short) */
  pairingTimings?: PairingTimings
  /** wraps the connection gate (tests: simulated partitions on real libp2p) */
  wrapGate?: (gate: Gate) => Gate
  /** a backup peer: the most sealed bytes it stores per vault (records, and files apart) */
  quotaBytes?: number
  /** the largest file accepted on an item (25 MB by default) */
  attachmentLimitBytes?: number
  /** how long the background sync of files waits for more triggers (tests shorten it) */
  blobDebounceMs?: number
}

/** A typed source of the events the API streams (`/api/events`). */
export interface EventFeed {
  emitter: EventEmitter
  events: string[]
}

/** What every node has, whatever its role: the sealed replicas and the means to sync them. */
export interface SyncCore {
  identity: DeviceIdentity
  roster: Roster
  peers: PeerBook
  replicas: ReplicaSet
  network: NetworkAdapter
  engine: SyncEngine
  /** tells roster peers where the others are (devices find each other through a common peer) */
  exchange: AddressExchange
  /** this device's own roster copy says it was removed: it syncs with no one */
  removed: () => boolean
}

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

export interface KeylessPeer extends SyncCore {
  role: 'backup-peer'
  /** the files' sealed chunks it keeps for its devices */
  blobStore: BlobStore
  feeds: EventFeed[]
  lifecycle: Lifecycle
}

function signerOf(identity: DeviceIdentity): { deviceId: string; publicKey: Uint8Array; sign: (m: Uint8Array) => Uint8Array } {
  return { deviceId: identity.deviceId, publicKey: identity.publicKey, sign: m => identity.sign(m) }
}

/** Reads last run's bound addresses, so that a restarted node asks for the same ports. */
async function readBound(network: StorageAdapter): Promise<string[]> {
  try {
    const bytes = await network.get(networkLayout.bound)
    const parsed: unknown = bytes === undefined ? [] : JSON.parse(new TextDecoder().decode(bytes))
    return Array.isArray(parsed) ? parsed.filter((a): a is string => typeof a === 'string') : []
  } catch {
    return []
  }
}

/** The roster first, then the replicas: their author policy is the roster's from the start. */
function composeReplicas(inputs: NodeInputs, views: StorageViews, keyless = false): { roster: Roster; replicas: ReplicaSet } {
  const { identity, log } = inputs
  const signer = signerOf(identity)
  const roster = new Roster(views.roster)
  const replicas = new ReplicaSet({
    storageOf: vaultId => views.vault(vaultId),
    storedIds: views.vaultIds,
    signer,
    isTrustedAuthor: author => author === identity.deviceId || roster.wasAdmitted(author),
    envelopeBound: (author, vaultId) => roster.envelopeBound(author, vaultId),
    snapshotEvery: inputs.snapshotEvery,
    compactReceived: keyless,
    quotaBytes: keyless ? inputs.quotaBytes : undefined,
    log
  })
  return { roster, replicas }
}

/**
 * The roster as sync sees it: it talks to devices and backup peers alike (computeRoster rule 8);
 * `unclaimed` lets a backup peer that belongs to no roster yet take the first one it is given. A
 * node its own roster says was removed talks to no one.
 */
function syncRosterOf(roster: Roster, unclaimed: () => boolean, removed: () => boolean): RosterPort & { members: () => string[] } {
  return {
    vector: () => roster.vector(),
    recordsAfter: vector => roster.recordsAfter(vector),
    receive: async (records, from) => await roster.receive(records, from),
    isMember: deviceId => !removed() && (roster.isPeer(deviceId) || unclaimed()),
    members: () => (removed() ? [] : roster.peers()),
    mayHold: (deviceId, vaultId) => roster.mayHold(deviceId, vaultId),
    envelopeBound: (author, vaultId) => roster.envelopeBound(author, vaultId)
  }
}

/** Where else a peer can be dialled: a backup peer at its roster address, a device through each backup peer's relay. */
function relayedAddrs(roster: Roster, deviceId: string): string[] {
  const own = roster.isBackupPeer(deviceId) ? roster.device(deviceId)?.address : undefined
  if (own !== undefined) return [own]
  return roster.backupPeers().flatMap(p => (p.address === undefined ? [] : [`${p.address}/p2p-circuit`]))
}

/** How many vaults a backup peer holds at most (a quota against a device announcing vault after vault). */
const MAX_ADOPTED_VAULTS = 1000

/** The transport and the sync engine over the replicas; `grants` is the vault-key port (none on a keyless peer). */
async function composeSync(
  inputs: NodeInputs,
  views: StorageViews,
  parts: { roster: Roster; replicas: ReplicaSet; unclaimed?: () => boolean; adoptVaults?: boolean },
  grants: GrantsPort
): Promise<SyncCore> {
  const { identity, log } = inputs
  const { roster, replicas } = parts
  const previousBound = await readBound(views.network)
  const network = inputs.network({ preferListen: listen => preferPreviousPorts(listen, previousBound) })
  const peers = new PeerBook(views.peerBook)
  const removed = (): boolean => roster.isRevoked(identity.deviceId)
  const engine = new SyncEngine({
    network,
    vaults: replicas,
    roster: syncRosterOf(roster, parts.unclaimed ?? (() => false), removed),
    grants,
    peers,
    log,
    backoff: inputs.backoff,
    removed,
    addrsOf: deviceId => relayedAddrs(roster, deviceId),
    // a backup peer holds the sealed records of every vault it was given, as devices announce them
    adoptVault:
      parts.adoptVaults === true
        ? async vaultId =>
            roster.isBackupPeer(identity.deviceId) &&
            roster.mayHold(identity.deviceId, vaultId) &&
            replicas.all().length < MAX_ADOPTED_VAULTS
              ? await replicas.open(vaultId)
              : undefined
        : undefined
  })
  // every replica's new envelopes go to the connected peers, whenever the replica was opened
  replicas.on('vault-added', replica => {
    replica.on('envelope', env => engine.onEnvelope(env.vaultId, env.author, env.seq, env.bytes))
    engine.onVaultAdded(replica.vaultId)
  })
  roster.on('records', records => engine.onRosterRecords(records))
  roster.on('changed', () => engine.onRosterChanged())
  const isPeer = (deviceId: string): boolean => !removed() && roster.isPeer(deviceId)
  const exchange = new AddressExchange({
    network,
    peers,
    members: () => (removed() ? [] : roster.peers()),
    isMember: isPeer,
    connected: () => engine.connected(),
    dial: deviceId => {
      void engine.dial(deviceId)
    },
    log
  })
  engine.on('peer-connected', deviceId => exchange.onConnected(deviceId))
  return { identity, roster, peers, replicas, network, engine, exchange, removed }
}

/** A part that only loads what it keeps at start and has nothing to release. */
function loaded(name: string, load: () => Promise<void>): Part {
  return { name, start: load, stop: async () => {} }
}

/**
 * The network parts as one Startable: listen, remember the bound addresses, serve the protocols a
 * peer may open as soon as a session starts (`serve`), then sync.
 */
function networkPart(core: SyncCore, views: StorageViews, serve: () => Promise<void> = async () => {}, beforeStop = (): void => {}): Part {
  return {
    name: 'network and sync',
    async start() {
      await core.network.start()
      try {
        await views.network.put(networkLayout.bound, new TextEncoder().encode(JSON.stringify(core.network.multiaddrs())))
      } catch {}
      await core.exchange.serve()
      await serve()
      await core.engine.start()
    },
    async stop() {
      beforeStop()
      await core.engine.stop()
      await core.network.stop()
    }
  }
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
    session: unlock,
    changes: items
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
          // a stop while unlocked keeps the list pictures as a lock does (best effort: the list is rebuilt without them)
          if (unlock.unlocked) await items.saveListImages().catch(() => {})
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
        },
        () => blobs.sync.stop()
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
