/**
 * Composition of the multi-device part (imported only by daemon.ts): the libp2p network, the device
 * roster, vault-key distribution, the sync engine and pairing, wired to the vault service, plus the
 * /api/devices and /api/pairing routes and the peer events for the API's event stream.
 */
import { EventEmitter } from 'node:events'
import { Libp2pNetwork } from './network/libp2p/Libp2pNetwork.js'
import type { Gate, NetworkAdapter } from './network/NetworkAdapter.js'
import { Roster } from './pairing/Roster.js'
import { KeyDistribution } from './pairing/KeyDistribution.js'
import { PairingService } from './pairing/PairingService.js'
import { DeviceNotFoundError, DeviceRequestError } from './pairing/errors.js'
import { SyncEngine } from './sync/SyncEngine.js'
import { PeerBook } from './sync/PeerBook.js'
import type { VaultsPort } from './sync/ports.js'
import type { DeviceJson, DevicesPort } from './api/ports.js'
import type { VaultReplica } from './replica/VaultReplica.js'
import type { VaultService } from './service/VaultService.js'
import type { StorageAdapter } from './storage/StorageAdapter.js'
import type { DeviceIdentity } from './keyring/DeviceIdentity.js'
import type { Log } from './log.js'

const BOUND_KEY = 'network/bound'
const DEFAULT_LISTEN = ['/ip4/0.0.0.0/tcp/0']

/** For each listen address with port 0, the port bound last time on the same host (peers that knew us find us there). */
export function preferPreviousPorts (listen: string[], previous: string[]): string[] | undefined {
  let changed = false
  const out = listen.map(addr => {
    const m = /^\/(ip4|ip6)\/([^/]+)\/tcp\/0$/.exec(addr)
    if (m === null) return addr
    const prev = previous.find(p => p.startsWith(`/${m[1]}/${m[2]}/tcp/`) || (m[2] === '0.0.0.0' && p.startsWith('/ip4/') && /\/tcp\/\d+$/.test(p)))
    const port = prev === undefined ? undefined : /\/tcp\/(\d+)$/.exec(prev)?.[1]
    if (port === undefined || port === '0') return addr
    changed = true
    return `/${m[1]}/${m[2]}/tcp/${port}`
  })
  return changed ? out : undefined
}

/** What daemon.ts runs (its DaemonExtension shape). */
export interface DeviceSyncExtension {
  start: () => Promise<void>
  stop: () => Promise<void>
  status: () => Record<string, unknown>
  /** the roster and pairing, for the API's /api/devices and /api/pairing */
  devices: DevicesPort
  events: { emitter: EventEmitter, events: string[] }
  multiaddrs: () => string[]
  peerId: () => string
}

/** The parts, for tests that build devices in one process (e.g. over the memory network). */
export interface DeviceSync {
  network: NetworkAdapter
  roster: Roster
  keys: KeyDistribution
  engine: SyncEngine
  pairing: PairingService
  peers: PeerBook
  devices: DevicesPort
  extension: DeviceSyncExtension
}

export async function deviceSyncExtension (ctx: DeviceSyncContext): Promise<DeviceSyncExtension> {
  return (await createDeviceSync(ctx)).extension
}

/** What the multi-device part needs from the daemon (a subset of DaemonContext). */
export interface DeviceSyncContext {
  service: VaultService
  storage: StorageAdapter
  identity: DeviceIdentity
  options: { listen?: string[], mdns?: boolean }
  log: Log
  setAuthorTrust: (isTrusted: (author: string) => boolean) => void
}

export interface DeviceSyncOverrides {
  /** another transport (tests: the memory network) */
  network?: NetworkAdapter
  deviceName?: string
  backoff?: { initialMs: number, maxMs: number }
  /** wraps the connection gate (tests: simulated partitions on real libp2p) */
  wrapGate?: (gate: Gate) => Gate
}

export async function createDeviceSync (ctx: DeviceSyncContext, overrides: DeviceSyncOverrides = {}): Promise<DeviceSync> {
  const { service, storage, identity, options, log } = ctx
  const keyring = service.keyring
  const signer = { deviceId: identity.deviceId, publicKey: identity.publicKey, sign: (m: Uint8Array) => identity.sign(m) }
  const roster = new Roster(storage, signer)
  await roster.load()
  ctx.setAuthorTrust(author => author === identity.deviceId || roster.wasAdmitted(author))

  const envListen = process.env.KITH_LISTEN?.split(',').map(s => s.trim()).filter(s => s !== '')
  const listen = options.listen !== undefined && options.listen.length > 0 ? options.listen : envListen !== undefined && envListen.length > 0 ? envListen : DEFAULT_LISTEN
  let previous: string[] = []
  try { previous = JSON.parse(new TextDecoder().decode(await storage.get(BOUND_KEY) ?? new Uint8Array())) as string[] } catch {}
  const network: NetworkAdapter = overrides.network ?? new Libp2pNetwork({
    seed: identity.seed,
    publicKey: identity.publicKey,
    listen,
    preferredListen: preferPreviousPorts(listen, Array.isArray(previous) ? previous : []),
    mdns: options.mdns !== false,
    log
  })

  const peers = new PeerBook(storage)
  await peers.load()
  const vaults: VaultsPort = {
    get: vaultId => service.replicas.get(vaultId),
    all: () => [...service.replicas.values()]
  }
  const keys = new KeyDistribution({ storage, keyring, roster, signer, log, openVault: async vaultId => { await service.openReplica(vaultId) } })
  const engine = new SyncEngine({ network, vaults, roster, grants: keys, peers, log, backoff: overrides.backoff })
  const events = new EventEmitter()
  const pairing = new PairingService({
    network,
    roster,
    keyring,
    service,
    signer,
    log,
    deviceName: overrides.deviceName,
    afterJoin: async (inviter, addrs, vaultIds) => {
      await engine.connect(inviter, addrs)
      const synced = await engine.whenCaughtUp(inviter, vaultIds, 20_000)
      if (!synced) log('warn', 'pairing: the first sync with the inviting device did not finish within 20 s; it continues in the background')
    }
  })
  const gate: Gate = (deviceId, direction) => roster.isMember(deviceId) || pairing.admits(deviceId, direction)
  network.setGate(overrides.wrapGate?.(gate) ?? gate)

  const ensureGenesis = async (): Promise<void> => {
    if (roster.root === undefined && keyring.initialized && !pairing.joining) await roster.createGenesis(keyring.sealingPublicKey, pairing.deviceName)
  }
  const background = (what: string, p: Promise<unknown>): void => {
    p.catch(err => log('warn', `${what} failed: ${(err as Error).message}`))
  }

  const watched = new WeakSet<VaultReplica>()
  const watch = (replica: VaultReplica): void => {
    if (watched.has(replica)) return
    watched.add(replica)
    replica.on('envelope', env => engine.onEnvelope(env.vaultId, env.author, env.seq, env.bytes))
  }
  for (const replica of service.replicas.values()) watch(replica)
  service.on('vault-added', replica => {
    watch(replica)
    engine.onVaultAdded(replica.vaultId)
    background('sealing vault keys', keys.ensureGrants())
  })
  service.on('unlocked', () => { background('roster/keys upkeep', ensureGenesis().then(async () => { await keys.ensureGrants() })) })
  roster.on('records', records => engine.onRosterRecords(records))
  roster.on('changed', () => {
    engine.onRosterChanged()
    background('sealing vault keys', keys.ensureGrants())
    events.emit('devices-changed', {})
  })
  keys.on('grants', (deviceId, grants) => engine.sendGrants(deviceId, grants))

  const deviceJson = (id: string): DeviceJson => {
    const entry = roster.device(id)
    const self = id === identity.deviceId
    const online = self || engine.isOnline(id)
    const seen = self || online ? Date.now() : peers.lastSeen(id)
    return {
      id,
      name: entry?.name ?? '',
      peerId: network.peerIdOf(id),
      online,
      lastSeen: seen === undefined || seen === 0 ? null : new Date(seen).toISOString(),
      self,
      addedAt: entry?.addedAt === undefined ? null : new Date(entry.addedAt).toISOString(),
      addedBy: entry?.addedBy ?? null
    }
  }
  engine.on('peer-connected', id => events.emit('peer-connected', deviceJson(id)))
  engine.on('peer-disconnected', id => events.emit('peer-disconnected', deviceJson(id)))

  const resolveDevice = (query: string): string => {
    const members = roster.members()
    const q = query.trim()
    const exact = members.find(d => d === q.toLowerCase() || network.peerIdOf(d) === q)
    if (exact !== undefined) return exact
    const byPrefix = q.length >= 6 ? members.filter(d => d.startsWith(q.toLowerCase())) : []
    if (byPrefix.length === 1) return byPrefix[0] as string
    const byName = members.filter(d => roster.device(d)?.name === q)
    if (byName.length === 1) return byName[0] as string
    if (byPrefix.length > 1 || byName.length > 1) throw new DeviceRequestError(`${JSON.stringify(q)} matches several devices; give more of the id`)
    throw new DeviceNotFoundError(q)
  }

  const devicesPort: DevicesPort = {
    list: () => {
      const ids = roster.members()
      if (ids.length === 0 && keyring.initialized) ids.push(identity.deviceId)
      return ids.map(deviceJson).sort((a, b) => Number(b.self) - Number(a.self) || a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
    },
    revoke: async query => {
      const id = resolveDevice(query)
      if (id === identity.deviceId) throw new DeviceRequestError('this device cannot remove itself; remove it from another device')
      const envelopeSeqs = new Map<string, number>()
      for (const replica of service.replicas.values()) envelopeSeqs.set(replica.vaultId, replica.vector().get(id) ?? 0)
      const rotated = await keys.revoke(id, envelopeSeqs)
      log('info', `devices: removed ${id.slice(0, 12)}…; rotated ${rotated.length} vault key(s)`)
      return { id, revoked: true, rotated }
    },
    invite: ttlMs => pairing.invite(ttlMs),
    join: async (invitation, password, name) => await pairing.join(invitation, password, name)
  }

  const extension: DeviceSyncExtension = {
    async start () {
      if (keyring.initialized) await ensureGenesis()
      await network.start()
      try { await storage.put(BOUND_KEY, new TextEncoder().encode(JSON.stringify(network.multiaddrs()))) } catch {}
      await engine.start()
      await pairing.start()
    },
    async stop () {
      pairing.stop()
      await engine.stop()
      await network.stop()
    },
    status: () => ({ devices: roster.members().length, sync: engine.status(), openInvitations: pairing.openInvitations() }),
    devices: devicesPort,
    events: { emitter: events, events: ['peer-connected', 'peer-disconnected', 'devices-changed'] },
    multiaddrs: () => network.multiaddrs(),
    peerId: () => network.peerId
  }
  return { network, roster, keys, engine, pairing, peers, devices: devicesPort, extension }
}
