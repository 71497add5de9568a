/**
 * The composition root: the one place that builds and wires the parts. Starts storage, identity
 * and keyring, the vault service, the network and sync, pairing, then the HTTP API; stops in reverse.
 */
import { mkdir, writeFile, rename, rm, chmod } from 'node:fs/promises'
import { serve, type ServerType } from '@hono/node-server'
import { LevelStorageAdapter } from './storage/LevelStorageAdapter.js'
import { DeviceIdentity } from './keyring/DeviceIdentity.js'
import { VaultService } from './service/VaultService.js'
import { PortabilityService } from './service/PortabilityService.js'
import { createApp } from './api/createApp.js'
import { eventSourceFrom } from './api/routes/events.js'
import { randomBytes } from './crypto/random.js'
import { toBase64Url } from './crypto/bytes.js'
import { homePaths } from './paths.js'
import { collectGarbage } from './collectGarbage.js'
import { IdleCollector } from './IdleCollector.js'
import type { Log } from './log.js'
import type { Hono, Context } from 'hono'
import type { Authenticator } from './api/auth.js'
import type { EventEmitter } from 'node:events'
import { dashboardExtension } from './api/dashboard/index.js'
import { deviceSyncExtension } from './deviceSync.js'

export interface DaemonOptions {
  home: string
  /** HOST:PORT for the API; the host must be a loopback address */
  http?: string
  /** libp2p listen multiaddrs */
  listen?: string[]
  mdns?: boolean
  autoLockMinutes?: number
  kdfTargetMs?: number
  /** the quiet-time collection of IdleCollector (default true; `--no-idle-gc`, KITH_IDLE_GC=0) */
  idleCollector?: boolean
  log: Log
}

/** A part the composition root starts after the service and stops before it (network, sync, pairing). */
export interface DaemonExtension {
  start: () => Promise<void>
  stop: () => Promise<void>
  status?: () => Record<string, unknown>
  routes?: Array<{ path: string, app: Hono<any, any, any> }>
  publicRoutes?: Array<{ path: string, app: Hono<any, any, any> }>
  events?: { emitter: EventEmitter, events: string[] }
  multiaddrs?: () => string[]
  peerId?: () => string
  /** more ways to authenticate API requests (dashboard sessions) */
  authenticators?: Authenticator[]
  /** called after a successful unlock/init; its fields join the answer (a dashboard session) */
  onUnlocked?: (c: Context) => Record<string, unknown>
  /** routes outside /api (the dashboard's files) */
  site?: Hono<any, any, any>
}

export interface DaemonContext {
  options: DaemonOptions
  service: VaultService
  storage: LevelStorageAdapter
  identity: DeviceIdentity
  log: Log
  /** the daemon's own state, for parts that report it */
  status: () => Record<string, unknown>
  /** the API port once bound (0 before) */
  httpPort: () => number
  /**
   * Replaces the rule for which authors' envelopes replicas accept (the device roster);
   * until called, only this device's own.
   */
  setAuthorTrust: (isTrusted: (author: string) => boolean) => void
}

/** Builds a part from the core context (network/sync/pairing, interop, dashboard). */
export type ExtensionFactory = (ctx: DaemonContext) => Promise<DaemonExtension> | DaemonExtension

/** The parts beyond the core, started in this order and stopped in reverse. */
const EXTENSIONS: ExtensionFactory[] = [
  ctx => dashboardExtension(ctx),
  ctx => deviceSyncExtension(ctx)
]

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
  private extensions: DaemonExtension[] = []
  private port = 0
  readonly token = toBase64Url(randomBytes(32))
  readonly paths
  private ctx: DaemonContext | undefined
  private wroteDaemonJson = false
  private collector: IdleCollector | undefined

  constructor (readonly options: DaemonOptions) {
    this.paths = homePaths(options.home)
  }

  get url (): string { return `http://localhost:${this.port}` }
  get service (): VaultService {
    if (this.ctx === undefined) throw new Error('daemon not started')
    return this.ctx.service
  }

  async start (): Promise<void> {
    const { log } = this.options
    const http = parseHttpAddress(this.options.http)
    await mkdir(this.options.home, { recursive: true, mode: 0o700 })
    const storage = new LevelStorageAdapter(this.paths.db)
    await storage.open()
    const identity = await DeviceIdentity.loadOrCreate(this.paths.identity)
    let isTrusted = (author: string): boolean => author === identity.deviceId
    const service = new VaultService({
      storage,
      identity,
      isTrustedAuthor: author => isTrusted(author),
      kdfTargetMs: this.options.kdfTargetMs,
      autoLockMs: (this.options.autoLockMinutes ?? 15) * 60000,
      log
    })
    await service.start()
    // A full collection once things are quiet after a lock (the old documents), an unlock (the
    // decoding's temporaries), an import, export or migration (the file and its parse), or requests
    // that left the heap larger. A lock or unlock pushes a pending one back: never inside an unlock.
    const collector = new IdleCollector({ collect: collectGarbage, enabled: this.options.idleCollector !== false })
    this.collector = collector
    service.on('unlocked', () => {
      writeFile(this.paths.initialized, '', { mode: 0o600 }).catch(() => {})
      collector.soon(2000)
    })
    service.on('locked', () => { collector.soon(1000) })
    this.ctx = {
      options: this.options,
      service,
      storage,
      identity,
      log,
      status: () => this.status(),
      httpPort: () => this.port,
      setAuthorTrust: fn => { isTrusted = fn }
    }
    for (const factory of EXTENSIONS) this.extensions.push(await factory(this.ctx))
    for (const ext of this.extensions) await ext.start()

    const portability = new PortabilityService(service)
    portability.on('settled', () => { collector.soon(1000) })
    const app = createApp({
      service,
      portability,
      onRequest: () => { collector.activity() },
      destroy: async () => await this.destroy(),
      token: this.token,
      port: () => this.port,
      status: () => this.status(),
      events: eventSourceFrom([
        { emitter: service, events: ['item-changed', 'locked', 'unlocked'] },
        { emitter: portability, events: ['import-progress', 'export-progress'] },
        ...this.extensions.flatMap(e => e.events === undefined ? [] : [e.events])
      ]),
      routes: this.extensions.flatMap(e => e.routes ?? []),
      authenticators: this.extensions.flatMap(e => e.authenticators ?? []),
      onUnlocked: c => Object.assign({}, ...this.extensions.map(e => e.onUnlocked?.(c) ?? {})),
      site: this.extensions.find(e => e.site !== undefined)?.site,
      publicRoutes: this.extensions.flatMap(e => e.publicRoutes ?? []),
      log,
      largeBodyPaths: ['/api/import']
    })
    try {
      await this.listen(app.fetch, http.host, http.port)
    } catch (err) {
      // the default port is a convenience (a stable dashboard URL); a second daemon takes any free one
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || this.options.http !== undefined) throw err
      await this.listen(app.fetch, http.host, 0)
    }
    await this.writeDaemonJson()
    log('info', `kith daemon ready at ${this.url} (device ${identity.deviceId.slice(0, 16)}…)`)
  }

  private async listen (fetch: (req: Request) => Response | Promise<Response>, hostname: string, port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const server = serve({ fetch, hostname, port }, info => {
        this.port = info.port
        this.server = server
        resolve()
      })
      server.once('error', reject)
    })
  }

  status (): Record<string, unknown> {
    const service = this.ctx?.service
    const net = this.extensions.find(e => e.peerId !== undefined)
    return {
      running: true,
      initialized: service?.initialized ?? false,
      locked: service?.unlocked !== true,
      deviceId: service?.deviceId,
      peerId: net?.peerId?.() ?? '',
      url: this.url,
      multiaddrs: this.extensions.flatMap(e => e.multiaddrs?.() ?? []),
      pid: process.pid,
      autoLockMinutes: service?.autoLockMinutes,
      unlockRetryAfterMs: service?.keyring.throttle.retryAfterMs() ?? 0,
      memory: memoryFigures(),
      corruptRecords: service?.corruptRecords().map(e => ({ name: e.name, key: e.key, message: e.message })) ?? [],
      ...Object.assign({}, ...this.extensions.map(e => e.status?.() ?? {}))
    }
  }

  private async writeDaemonJson (): Promise<void> {
    const net = this.extensions.find(e => e.peerId !== undefined)
    const body = JSON.stringify({
      pid: process.pid,
      url: this.url,
      token: this.token,
      peerId: net?.peerId?.() ?? '',
      multiaddrs: this.extensions.flatMap(e => e.multiaddrs?.() ?? []),
      home: this.options.home
    }, null, 2)
    const tmp = `${this.paths.daemonJson}.${process.pid}.tmp`
    await writeFile(tmp, body, { mode: 0o600 })
    await chmod(tmp, 0o600)
    await rename(tmp, this.paths.daemonJson)
    this.wroteDaemonJson = true
  }

  /**
   * `kith destroy`: crypto-erases this device's vault (key records first, then every record, then
   * compaction), removes the device identity and markers, and stops the daemon right after answering.
   */
  async destroy (): Promise<Record<string, unknown>> {
    const service = this.service
    const { keyRecords, records } = await service.destroy()
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
    const { log } = this.options
    // only ours: a daemon that failed to start must not remove the running one's file
    if (this.wroteDaemonJson) await rm(this.paths.daemonJson, { force: true })
    if (this.server !== undefined) {
      const server = this.server
      this.server = undefined
      const closeAll = (server as import('node:http').Server).closeAllConnections
      if (typeof closeAll === 'function') closeAll.call(server)
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
    for (const ext of [...this.extensions].reverse()) {
      try { await ext.stop() } catch (err) { log('warn', `stopping a part failed: ${(err as Error).message}`) }
    }
    if (this.ctx !== undefined) {
      await this.ctx.service.stop()
      await this.ctx.storage.close()
    }
    this.collector?.stop()
    log('info', 'kith daemon stopped')
    this.resolveStopped()
  }

  private resolveStopped: () => void = () => {}
  /** Resolves once the daemon has stopped (after a signal, or after destroy). */
  readonly stopped = new Promise<void>(resolve => { this.resolveStopped = resolve })
}
