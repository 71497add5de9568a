/**
 * The composition root's shared half (compose.ts, composeKeylessPeer.ts): what every node is built
 * from, whatever its role — its inputs, the roster and the sealed replicas, the transport with the
 * sync engine and the address exchange, and the network part of its lifecycle.
 */
import type { StorageAdapter } from './storage/StorageAdapter.js'
import type { DeviceIdentity } from './keyring/DeviceIdentity.js'
import type { Kdf } from './keyring/Kdf.js'
import { networkLayout, type StorageViews } from './storage/storageLayout.js'
import { Roster } from './pairing/Roster.js'
import type { PairingTimings } from './pairing/PairingService.js'
import { AddressExchange } from './sync/AddressExchange.js'
import { SyncEngine } from './sync/SyncEngine.js'
import { PeerBook } from './sync/PeerBook.js'
import type { GrantsPort, RosterPort } from './sync/ports.js'
import type { Gate, NetworkAdapter } from './network/NetworkAdapter.js'
import { preferPreviousPorts } from './network/listenAddresses.js'
import { ReplicaSet } from './service/ReplicaSet.js'
import type { Part } from './Startable.js'
import type { EventEmitter } from 'node:events'
import type { Log } from './log.js'

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
  /** how often a device asks its backup peers what they hold (tests shorten it; 60 s) */
  witnessEveryMs?: number
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

export function signerOf(identity: DeviceIdentity): { deviceId: string; publicKey: Uint8Array; sign: (m: Uint8Array) => Uint8Array } {
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
export function composeReplicas(inputs: NodeInputs, views: StorageViews, keyless = false): { roster: Roster; replicas: ReplicaSet } {
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
export async function composeSync(
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
export function loaded(name: string, load: () => Promise<void>): Part {
  return { name, start: load, stop: async () => {} }
}

/**
 * The network parts as one Startable: listen, remember the bound addresses, serve the protocols a
 * peer may open as soon as a session starts (`serve`), then sync.
 */
export function networkPart(
  core: SyncCore,
  views: StorageViews,
  serve: () => Promise<void> = async () => {},
  beforeStop = (): void => {}
): Part {
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
