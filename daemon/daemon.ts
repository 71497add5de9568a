/**
 * A daemon in its home: opens the home's LevelDB and identity file, builds a full device through
 * the composition root (compose.ts) with libp2p as its transport, serves the API and the dashboard
 * on loopback, and keeps `daemon.json` while it runs. Parts start in order and stop in reverse.
 * The process's core dumps are turned off first, and the vault locks when logind announces sleep
 * or a screen lock (system/).
 */
import { writeFile, rename, rm, chmod } from 'node:fs/promises'
import { secureHome } from './secureHome.js'
import { LevelStorageAdapter } from './storage/LevelStorageAdapter.js'
import { DeviceIdentity } from './keyring/DeviceIdentity.js'
import { Libp2pNetwork } from './network/libp2p/Libp2pNetwork.js'
import { resolveListen } from './network/listenAddresses.js'
import { composeDevice, type FullDevice } from './compose.js'
import { createApp } from './api/createApp.js'
import { HttpServer } from './api/HttpServer.js'
import { Dashboard } from './api/dashboard/Dashboard.js'
import { eventSourceFrom } from './api/routes/events.js'
import type { DaemonStatus, DestroyResult } from './api/ports.js'
import { randomBytes } from './crypto/random.js'
import { toBase64Url } from './crypto/bytes.js'
import { homePaths } from './paths.js'
import { collectGarbage } from './collectGarbage.js'
import { IdleCollector } from './IdleCollector.js'
import { Lifecycle, type Part } from './Startable.js'
import { disableCoreDumps } from './system/coreDumps.js'
import { LogindWatcher } from './system/LogindWatcher.js'
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
  /** the largest file on an item, in bytes (25 MB by default) */
  attachmentLimitBytes?: number
  kdfTargetMs?: number
  /** how long a proven master password counts for guarded actions; only ever shorter than the default (5 minutes) */
  reauthWindowMs?: number
  /** give memory back after bursts and locks (on unless turned off) */
  idleCollector?: boolean
  log: Log
}

function memoryFigures(): Record<string, number> {
  const m = process.memoryUsage()
  const mb = (n: number): number => Math.round((n / 1048576) * 10) / 10
  return { rssMB: mb(m.rss), heapUsedMB: mb(m.heapUsed), heapTotalMB: mb(m.heapTotal), externalMB: mb(m.external) }
}

export class Daemon {
  readonly token = toBase64Url(randomBytes(32))
  readonly paths
  private readonly http: HttpServer
  private device: FullDevice | undefined

  constructor(readonly options: DaemonOptions) {
    this.paths = homePaths(options.home)
    this.http = new HttpServer({ address: options.http, socketPath: this.paths.socket })
  }

  get url(): string {
    return this.http.url
  }

  async start(): Promise<void> {
    const { log } = this.options
    // before any secret is in memory: a crash must not write it to disk
    await disableCoreDumps({ log })
    await secureHome(this.options.home, this.paths.db)
    const storage = new LevelStorageAdapter(this.paths.db)
    const storagePart: Part = {
      name: 'storage',
      start: async () => {
        await storage.open()
      },
      stop: async () => {
        await storage.close()
      }
    }
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
        attachmentLimitBytes: this.options.attachmentLimitBytes,
        network: ({ preferListen }) =>
          new Libp2pNetwork({
            seed: identity.seed,
            publicKey: identity.publicKey,
            listen,
            preferredListen: preferListen(listen),
            mdns: this.options.mdns !== false,
            // dial and listen through the roster's backup peers, and try hole punching (issue 13)
            relay: { role: 'client' },
            log
          })
      })
    } catch (err) {
      await storagePart.stop()
      throw err
    }
    this.device = device
    const collector = this.idleCollector(device)
    const logind = new LogindWatcher({
      log,
      lock: async reason => {
        if (!device.unlock.unlocked) return
        await device.unlock.lock()
        log('info', `locked: ${reason}`)
      }
    })
    const http = this.http
    const events = eventSourceFrom(device.feeds)
    const dashboard = new Dashboard({ session: device.unlock, events, port: () => http.port })
    const app = createApp({
      session: device.unlock,
      items: device.items,
      attachments: device.attachments,
      vaults: device.items,
      trash: device.trash,
      settings: device.unlock,
      transfers: device.portability,
      health: device.health,
      devices: device.devices,
      passkeys: device.passkeys,
      factors: device.factors,
      status: { status: () => this.status() },
      events,
      destroy: async () => await this.destroy(),
      token: this.token,
      port: () => http.port,
      log,
      reauth: { windowMs: this.options.reauthWindowMs },
      onRequest: () => {
        collector?.activity()
      },
      dashboard
    })
    const lifecycle = new Lifecycle(
      [
        {
          name: 'device',
          start: async () => {
            await device.lifecycle.start()
          },
          stop: async () => {
            await device.lifecycle.stop()
          }
        },
        {
          name: 'sleep and screen-lock watch',
          start: async () => {
            logind.start()
          },
          stop: async () => {
            await logind.stop()
          }
        },
        {
          name: 'dashboard',
          start: async () => {
            dashboard.start()
          },
          stop: async () => {
            dashboard.stop()
          }
        },
        {
          name: 'HTTP server',
          start: async () => {
            await http.start(app.fetch)
          },
          stop: async () => {
            await http.stop()
          }
        },
        {
          name: 'daemon.json',
          start: async () => {
            await this.writeDaemonJson()
          },
          stop: async () => {
            await rm(this.paths.daemonJson, { force: true })
          }
        },
        {
          name: 'idle collector',
          start: async () => {},
          stop: async () => {
            collector?.stop()
          }
        }
      ],
      log
    )
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
    if (this.http.portTaken !== undefined)
      log(
        'warn',
        `the dashboard's usual port ${this.http.portTaken} is taken (another program, or another user's Kith): this daemon is at ${this.url} instead, so a bookmark to localhost:${this.http.portTaken} does not reach it; set a port with \`kith config set http 127.0.0.1:PORT\``
      )
    log('info', `kith daemon ready at ${this.url} (device ${device.identity.deviceId.slice(0, 16)}…)`)
  }

  private stopParts: () => Promise<void> = async () => {}

  /** A compacting collection once things are quiet after a lock, an unlock, an import or export, or a burst of requests. */
  private idleCollector(device: FullDevice): IdleCollector | undefined {
    if (this.options.idleCollector === false) return undefined
    const collector = new IdleCollector({ collect: collectGarbage })
    device.unlock.on('unlocked', () => {
      writeFile(this.paths.initialized, '', { mode: 0o600 }).catch(() => {})
      collector.soon(2000)
    })
    device.unlock.on('locked', () => {
      collector.soon(1000)
    })
    device.portability.on('settled', () => {
      collector.soon(1000)
    })
    return collector
  }

  status(): DaemonStatus {
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
      // the usual dashboard port was held by something else: a bookmark to it would not reach this daemon
      ...(this.http.portTaken === undefined ? {} : { dashboardPortTaken: this.http.portTaken }),
      unlockRetryAfterMs: device?.unlock.retryAfterMs() ?? 0,
      // unlocking by password also needs an authenticator code; a recovery-key unlock waits for a new password
      totp: device?.keyring.totp.enabled ?? false,
      needsNewPassword: device?.unlock.needsNewPassword ?? false,
      memory: memoryFigures(),
      corruptRecords:
        device === undefined
          ? []
          : [...device.keyring.badGrants, ...device.replicas.corrupt()].map(e => ({ name: e.name, key: e.key, message: e.message })),
      quarantined: device?.replicas.quarantined() ?? [],
      devices: device?.roster.members().length ?? 0,
      sync: device === undefined ? undefined : { ...device.engine.status(), backupPeers: device.backupPeersBehind() },
      openInvitations: device?.pairing.openInvitations() ?? 0,
      // this device's roster says it was removed (by whom, when): it syncs with no one
      removed: device?.removalNotice.removal() ?? null
    }
  }

  private async writeDaemonJson(): Promise<void> {
    const device = this.device
    const body = JSON.stringify(
      {
        pid: process.pid,
        url: this.url,
        token: this.token,
        peerId: device?.network.peerId ?? '',
        multiaddrs: device?.network.multiaddrs() ?? [],
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

  /**
   * `kith destroy`: removes this device from the roster when it is unlocked and a paired device
   * acknowledges it (pairing/SelfRemoval.ts), then crypto-erases its vault (key records first, then
   * every record, then compaction), removes the device identity and markers, and stops the daemon
   * right after answering.
   */
  async destroy(): Promise<DestroyResult> {
    if (this.device === undefined) throw new Error('daemon not started')
    const left = await this.device.selfRemoval.leave()
    const { keyRecords, records } = await this.device.eraser.erase(left)
    const files: string[] = []
    for (const path of [this.paths.identity, this.paths.initialized]) {
      try {
        await rm(path)
        files.push(path)
      } catch {}
    }
    this.options.log('info', `destroyed this device's vault: ${keyRecords} key records, ${records} records, ${files.length} files`)
    setTimeout(() => {
      this.stop().catch(() => {})
    }, 50)
    return { destroyed: true, keyRecords, records, files, home: this.options.home, stopping: true, ...left }
  }

  /** Stops in reverse order; flushes and snapshots every vault before closing the database. */
  async stop(): Promise<void> {
    const stopParts = this.stopParts
    this.stopParts = async () => {}
    try {
      await stopParts()
    } catch (err) {
      this.options.log('warn', `stopping failed: ${toError(err).message}`)
    }
    this.options.log('info', 'kith daemon stopped')
    this.resolveStopped()
  }

  private resolveStopped: () => void = () => {}
  /** Resolves once the daemon has stopped (after a signal, or after destroy). */
  readonly stopped = new Promise<void>(resolve => {
    this.resolveStopped = resolve
  })
}
