/**
 * A daemon in its home: opens the home's LevelDB and identity file, builds a full device through
 * the composition root (compose.ts) with libp2p as its transport, serves the API and the dashboard
 * on loopback, and keeps `daemon.json` while it runs. Parts start in order and stop in reverse.
 */
import { mkdir, writeFile, rename, rm, chmod } from 'node:fs/promises'
import { serve, type ServerType } from '@hono/node-server'
import { LevelStorageAdapter } from './storage/LevelStorageAdapter.js'
import { DeviceIdentity } from './keyring/DeviceIdentity.js'
import { Libp2pNetwork } from './network/libp2p/Libp2pNetwork.js'
import { resolveListen } from './network/listenAddresses.js'
import { composeDevice, type FullDevice } from './compose.js'
import { VaultService } from './service/VaultService.js'
import { createApp } from './api/createApp.js'
import { eventSourceFrom } from './api/routes/events.js'
import { deviceRoutes, pairingPublicRoutes, pairingRoutes } from './api/routes/devices.js'
import { dashboardExtension } from './api/dashboard/index.js'
import { randomBytes } from './crypto/random.js'
import { toBase64Url } from './crypto/bytes.js'
import { homePaths } from './paths.js'
import { collectGarbage } from './collectGarbage.js'
import { IdleCollector } from './IdleCollector.js'
import { Lifecycle, type Part } from './Startable.js'
import type { Log } from './log.js'
import { toError } from './toError.js'

export interface DaemonOptions {
  home: string
  /** HOST:PORT for the API; the host must be a loopback address */
  http?: string
  /** libp2p listen multiaddrs */
  listen?: string[]
  mdns?: boolean
  autoLockMinutes?: number
  kdfTargetMs?: number
  /** give memory back after bursts and locks (on unless turned off) */
  idleCollector?: boolean
  log: Log
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]'])

function memoryFigures (): Record<string, number> {
  const m = process.memoryUsage()
  const mb = (n: number): number => Math.round(n / 1048576 * 10) / 10
  return { rssMB: mb(m.rss), heapUsedMB: mb(m.heapUsed), heapTotalMB: mb(m.heapTotal), externalMB: mb(m.external) }
}

/** The dashboard's usual port when --http is not given (any free port if it is taken). */
export const DEFAULT_HTTP_PORT = 7370

export function parseHttpAddress (value: string | undefined): { host: string, port: number } {
  if (value === undefined) return { host: '127.0.0.1', port: DEFAULT_HTTP_PORT }
  const i = value.lastIndexOf(':')
  const host = i < 0 ? '127.0.0.1' : value.slice(0, i)
  const port = Number(i < 0 ? value : value.slice(i + 1))
  if (!LOOPBACK.has(host)) throw new Error(`--http must bind a loopback address (127.0.0.1), not ${host}`)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port in --http ${value}`)
  return { host: host === 'localhost' ? '127.0.0.1' : host.replace(/^\[|\]$/g, ''), port }
}

export class Daemon {
  private server: ServerType | undefined
  private port = 0
  readonly token = toBase64Url(randomBytes(32))
  readonly paths
  private device: FullDevice | undefined

  constructor (readonly options: DaemonOptions) {
    this.paths = homePaths(options.home)
  }

  get url (): string { return `http://localhost:${this.port}` }

  async start (): Promise<void> {
    const { log } = this.options
    const http = parseHttpAddress(this.options.http)
    await mkdir(this.options.home, { recursive: true, mode: 0o700 })
    const storage = new LevelStorageAdapter(this.paths.db)
    const storagePart: Part = { name: 'storage', start: async () => { await storage.open() }, stop: async () => { await storage.close() } }
    // the database first: a second daemon on this home stops here, before touching anything
    await storagePart.start()
    let device: FullDevice
    try {
      const identity = await DeviceIdentity.loadOrCreate(this.paths.identity)
      const listen = resolveListen(this.options.listen)
      device = await composeDevice({
        storage,
        identity,
        log,
        kdfTargetMs: this.options.kdfTargetMs,
        autoLockMinutes: this.options.autoLockMinutes,
        network: ({ preferListen }) => new Libp2pNetwork({
          seed: identity.seed,
          publicKey: identity.publicKey,
          listen,
          preferredListen: preferListen(listen),
          mdns: this.options.mdns !== false,
          log
        })
      })
    } catch (err) {
      await storagePart.stop()
      throw err
    }
    this.device = device
    const collector = this.idleCollector(device)
    const service = new VaultService(device.unlock, device.items)
    const dashboard = dashboardExtension({ service, httpPort: () => this.port })
    const app = createApp({
      service,
      portability: device.portability,
      onRequest: () => { collector?.activity() },
      destroy: async () => await this.destroy(),
      token: this.token,
      port: () => this.port,
      status: () => this.status(),
      events: eventSourceFrom(device.feeds),
      routes: [
        { path: '/devices', app: deviceRoutes(device.devices) },
        { path: '/pairing', app: pairingRoutes(device.devices) },
        ...dashboard.routes
      ],
      publicRoutes: [{ path: '/pairing', app: pairingPublicRoutes(device.devices) }, ...dashboard.publicRoutes],
      authenticators: dashboard.authenticators,
      onUnlocked: c => dashboard.onUnlocked(c),
      site: dashboard.site,
      log,
      largeBodyPaths: ['/api/import']
    })
    const lifecycle = new Lifecycle([
      { name: 'device', start: async () => { await device.lifecycle.start() }, stop: async () => { await device.lifecycle.stop() } },
      { name: 'dashboard', start: dashboard.start, stop: dashboard.stop },
      { name: 'HTTP server', start: async () => { await this.listen(app.fetch, http.host, http.port) }, stop: async () => { await this.closeServer() } },
      { name: 'daemon.json', start: async () => { await this.writeDaemonJson() }, stop: async () => { await rm(this.paths.daemonJson, { force: true }) } },
      { name: 'idle collector', start: async () => {}, stop: async () => { collector?.stop() } }
    ], log)
    try {
      await lifecycle.start()
    } catch (err) {
      await storagePart.stop()
      throw err
    }
    this.stopParts = async () => {
      await lifecycle.stop()
      await storagePart.stop()
    }
    log('info', `kith daemon ready at ${this.url} (device ${device.identity.deviceId.slice(0, 16)}…)`)
  }

  private stopParts: () => Promise<void> = async () => {}

  /** A compacting collection once things are quiet after a lock, an unlock, an import or export, or a burst of requests. */
  private idleCollector (device: FullDevice): IdleCollector | undefined {
    if (this.options.idleCollector === false) return undefined
    const collector = new IdleCollector({ collect: collectGarbage })
    device.unlock.on('unlocked', () => {
      writeFile(this.paths.initialized, '', { mode: 0o600 }).catch(() => {})
      collector.soon(2000)
    })
    device.unlock.on('locked', () => { collector.soon(1000) })
    device.portability.on('settled', () => { collector.soon(1000) })
    return collector
  }

  private async listen (fetch: (req: Request) => Response | Promise<Response>, hostname: string, port: number): Promise<void> {
    try {
      await this.serveOn(fetch, hostname, port)
    } catch (err) {
      // the default port is a convenience (a stable dashboard URL); a second daemon takes any free one
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || this.options.http !== undefined) throw err
      await this.serveOn(fetch, hostname, 0)
    }
  }

  private async serveOn (fetch: (req: Request) => Response | Promise<Response>, hostname: string, port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const server = serve({ fetch, hostname, port }, info => {
        this.port = info.port
        this.server = server
        resolve()
      })
      server.once('error', reject)
    })
  }

  private async closeServer (): Promise<void> {
    if (this.server === undefined) return
    const server = this.server as import('node:http').Server
    this.server = undefined
    server.closeAllConnections()
    await new Promise<void>(resolve => server.close(() => resolve()))
  }

  status (): Record<string, unknown> {
    const device = this.device
    return {
      running: true,
      initialized: device?.unlock.initialized ?? false,
      locked: device?.unlock.unlocked !== true,
      deviceId: device?.identity.deviceId,
      peerId: device?.network.peerId ?? '',
      url: this.url,
      multiaddrs: device?.network.multiaddrs() ?? [],
      pid: process.pid,
      autoLockMinutes: device?.unlock.autoLockMinutes,
      unlockRetryAfterMs: device?.unlock.retryAfterMs() ?? 0,
      memory: memoryFigures(),
      corruptRecords: device === undefined ? [] : [...device.keyring.badGrants, ...device.replicas.corrupt()].map(e => ({ name: e.name, key: e.key, message: e.message })),
      devices: device?.roster.members().length ?? 0,
      sync: device?.engine.status(),
      openInvitations: device?.pairing.openInvitations() ?? 0
    }
  }

  private async writeDaemonJson (): Promise<void> {
    const device = this.device
    const body = JSON.stringify({
      pid: process.pid,
      url: this.url,
      token: this.token,
      peerId: device?.network.peerId ?? '',
      multiaddrs: device?.network.multiaddrs() ?? [],
      home: this.options.home
    }, null, 2)
    const tmp = `${this.paths.daemonJson}.${process.pid}.tmp`
    await writeFile(tmp, body, { mode: 0o600 })
    await chmod(tmp, 0o600)
    await rename(tmp, this.paths.daemonJson)
  }

  /**
   * `kith destroy`: crypto-erases this device's vault (key records first, then every record, then
   * compaction), removes the device identity and markers, and stops the daemon right after answering.
   */
  async destroy (): Promise<Record<string, unknown>> {
    if (this.device === undefined) throw new Error('daemon not started')
    const { keyRecords, records } = await this.device.eraser.erase()
    const files: string[] = []
    for (const path of [this.paths.identity, this.paths.initialized, this.paths.settings]) {
      try { await rm(path); files.push(path) } catch {}
    }
    this.options.log('info', `destroyed this device's vault: ${keyRecords} key records, ${records} records, ${files.length} files`)
    setTimeout(() => { this.stop().catch(() => {}) }, 50)
    return { destroyed: true, keyRecords, records, files, home: this.options.home, stopping: true }
  }

  /** Stops in reverse order; flushes and snapshots every vault before closing the database. */
  async stop (): Promise<void> {
    const stopParts = this.stopParts
    this.stopParts = async () => {}
    try { await stopParts() } catch (err) { this.options.log('warn', `stopping failed: ${toError(err).message}`) }
    this.options.log('info', 'kith daemon stopped')
    this.resolveStopped()
  }

  private resolveStopped: () => void = () => {}
  /** Resolves once the daemon has stopped (after a signal, or after destroy). */
  readonly stopped = new Promise<void>(resolve => { this.resolveStopped = resolve })
}
