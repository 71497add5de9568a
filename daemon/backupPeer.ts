/**
 * `kith backup-peer` (issue 13): a keyless node in its home. It opens the home's LevelDB and
 * identity file, builds a keyless peer through the composition root (no password, no keyring, no
 * dashboard), serves circuit relay v2 to the devices of the roster it belongs to (the gate), syncs
 * sealed records with them, answers `GET /api/status` on loopback and keeps `daemon.json`.
 */
import { writeFile, rename, rm, chmod } from 'node:fs/promises'
import { secureHome } from './secureHome.js'
import { LevelStorageAdapter } from './storage/LevelStorageAdapter.js'
import { IdleCollector } from './IdleCollector.js'
import { collectGarbage } from './collectGarbage.js'
import { DeviceIdentity } from './keyring/DeviceIdentity.js'
import { Libp2pNetwork, type RelayLimits } from './network/libp2p/Libp2pNetwork.js'
import { resolveListen } from './network/listenAddresses.js'
import { composeKeylessPeer, type KeylessPeer } from './composeKeylessPeer.js'
import { createStatusApp } from './api/createStatusApp.js'
import { HttpServer } from './api/HttpServer.js'
import { randomBytes } from './crypto/random.js'
import { toBase64Url } from './crypto/bytes.js'
import { homePaths } from './paths.js'
import type { Log } from './log.js'
import { toError } from './toError.js'

export interface BackupPeerOptions {
  home: string
  http?: string
  listen?: string[]
  /** the addresses devices reach it at (a VPS's public address, a router's forwarded port) */
  announce?: string[]
  relayLimits?: RelayLimits
  /** the most sealed bytes it keeps per vault (DEFAULT_QUOTA_BYTES) */
  quotaBytes?: number
  log: Log
}

/** Per vault: 1 GiB of sealed records (a 10,000-item vault with its history is a few MB). */
export const DEFAULT_QUOTA_BYTES = 1024 * 1024 * 1024

/** One relayed connection: 30 minutes and 64 MiB, then the devices redial (sync resumes where it was). */
export const DEFAULT_RELAY_LIMITS: RelayLimits = { durationMs: 30 * 60_000, dataBytes: 64 * 1024 * 1024 }

export class BackupPeerDaemon {
  readonly token = toBase64Url(randomBytes(32))
  readonly paths
  private readonly http: HttpServer
  private peer: KeylessPeer | undefined
  private storage: LevelStorageAdapter | undefined
  private collector: IdleCollector | undefined

  constructor(readonly options: BackupPeerOptions) {
    this.paths = homePaths(options.home)
    this.http = new HttpServer({ address: options.http, socketPath: this.paths.socket })
  }

  /** The one line to give to `kith backup add`: the first address devices can dial, with its PeerId. */
  address(): string | null {
    const peer = this.peer
    if (peer === undefined) return null
    const addrs = peer.network.multiaddrs()
    const pick = addrs.find(a => !a.startsWith('/ip4/127.') && !a.startsWith('/ip6/::1/')) ?? addrs[0]
    return pick === undefined ? null : `${pick}/p2p/${peer.network.peerId}`
  }

  status(): Record<string, unknown> {
    const peer = this.peer
    return {
      running: true,
      role: 'backup-peer',
      initialized: true,
      locked: true,
      deviceId: peer?.identity.deviceId,
      peerId: peer?.network.peerId ?? '',
      url: this.http.url,
      address: this.address(),
      multiaddrs: peer?.network.multiaddrs() ?? [],
      pid: process.pid,
      claimed: peer?.roster.root !== undefined,
      devices: peer?.roster.members().length ?? 0,
      vaults: peer?.replicas.all().length ?? 0,
      /** sealed envelopes held, over every vault and author (store and forward) */
      sealedRecords: (peer?.replicas.all() ?? []).reduce((n, r) => n + [...r.vector().values()].reduce((a, b) => a + b, 0), 0),
      /** per vault: sealed bytes stored and the quota */
      storage: Object.fromEntries((peer?.replicas.all() ?? []).map(r => [r.vaultId, r.usage])),
      sync: peer?.engine.status()
    }
  }

  async start(): Promise<void> {
    const { log } = this.options
    await secureHome(this.options.home, this.paths.db)
    const storage = new LevelStorageAdapter(this.paths.db)
    await storage.open()
    this.storage = storage
    try {
      const identity = await DeviceIdentity.loadOrCreate(this.paths.identity)
      const listen = resolveListen(this.options.listen)
      const peer = await composeKeylessPeer({
        storage,
        identity,
        log,
        quotaBytes: this.options.quotaBytes ?? DEFAULT_QUOTA_BYTES,
        network: ({ preferListen }) =>
          new Libp2pNetwork({
            seed: identity.seed,
            publicKey: identity.publicKey,
            listen,
            preferredListen: preferListen(listen),
            announce: this.options.announce,
            mdns: false,
            relay: { role: 'server', limits: this.options.relayLimits ?? DEFAULT_RELAY_LIMITS },
            log
          })
      })
      this.peer = peer
      // a burst of sync (a device's first upload, files) leaves garbage V8 would keep: collect once quiet
      const collector = new IdleCollector({ collect: collectGarbage })
      this.collector = collector
      peer.replicas.on('vault-added', replica => replica.on('envelope', () => collector.activity()))
      peer.engine.on('peer-connected', () => collector.activity())
      peer.engine.on('peer-disconnected', () => collector.activity())
      await peer.lifecycle.start()
      const http = this.http
      const app = createStatusApp({ token: this.token, port: () => http.port, status: () => this.status() })
      await http.start(app.fetch)
      await this.writeDaemonJson()
    } catch (err) {
      await this.stop()
      throw err
    }
    log('info', `kith backup peer ready: give \`kith backup add ${this.address() ?? '?'}\` to a device`)
  }

  private async writeDaemonJson(): Promise<void> {
    const body = JSON.stringify(
      {
        pid: process.pid,
        role: 'backup-peer',
        url: this.http.url,
        token: this.token,
        peerId: this.peer?.network.peerId ?? '',
        address: this.address(),
        multiaddrs: this.peer?.network.multiaddrs() ?? [],
        home: this.options.home,
        ...(this.http.socketPath === undefined ? {} : { socket: this.http.socketPath })
      },
      null,
      2
    )
    const tmp = `${this.paths.daemonJson}.${process.pid}.tmp`
    await writeFile(tmp, body, { mode: 0o600 })
    await chmod(tmp, 0o600)
    await rename(tmp, this.paths.daemonJson)
  }

  async stop(): Promise<void> {
    const { log } = this.options
    await rm(this.paths.daemonJson, { force: true }).catch(() => {})
    await this.http.stop().catch(() => {})
    try {
      await this.peer?.lifecycle.stop()
    } catch (err) {
      log('warn', `stopping failed: ${toError(err).message}`)
    }
    this.peer = undefined
    this.collector?.stop()
    await this.storage?.close().catch(() => {})
    this.storage = undefined
    log('info', 'kith backup peer stopped')
  }
}
