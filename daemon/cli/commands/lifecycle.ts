/** kith daemon · start · stop · status */
import { listenForStopSignals } from '../stopSignals.js'
import { describeRuntime } from '../../runtime/daemonRuntime.js'
import { watchLauncher } from '../../runtime/watchLauncher.js'
import { createLog } from '../../log.js'
import { allowOnly, flag, flagAll, has, type ParsedArgs } from '../args.js'
import { DaemonClient, readDaemonInfo, httpRequest, isAlive, startInBackground } from '../DaemonClient.js'
import { CliError, EXIT } from '../CliError.js'
import { existsSync } from 'node:fs'
import { homePaths } from '../../paths.js'
import type { Command } from '../Command.js'
import { toError } from '../../toError.js'
import { parseConfigValue, readDaemonConfig, writeDaemonConfig, type DaemonConfig } from '../DaemonConfig.js'
import { removalLine } from '../removalLine.js'
import type { LogLevel } from '../../log.js'

const DAEMON_FLAGS = ['http', 'listen', 'auto-lock', 'kdf-ms', 'attachment-limit-mb']
const DAEMON_BOOLEANS = ['no-mdns', 'mdns', 'no-idle-gc']

/** Daemon flags as given, to pass on to a background daemon. */
function daemonArgs(a: ParsedArgs): string[] {
  const out: string[] = []
  for (const name of DAEMON_FLAGS) for (const v of flagAll(a, name)) out.push(`--${name}`, v)
  for (const name of DAEMON_BOOLEANS) if (has(a, name)) out.push(`--${name}`)
  return out
}

const off = (value: string | undefined): boolean => value === '0' || value === 'false'

const numberFlag = (a: ParsedArgs, name: string): number | undefined => {
  const v = flag(a, name)
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isFinite(n) || n < 0) throw new CliError('usage', `--${name} must be a non-negative number`, EXIT.usage)
  return n
}

export const daemonCommand: Command = {
  name: 'daemon',
  usage:
    'kith daemon [--http HOST:PORT] [--listen MULTIADDR]… [--no-mdns | --mdns] [--no-idle-gc] [--auto-lock MINUTES] [--attachment-limit-mb MB] [--kdf-ms MS]',
  summary: 'run the daemon in the foreground until SIGINT/SIGTERM',
  help: 'Settings come from HOME/config.json (see `kith config`); the flags given here win and are saved there, so every later start keeps them. KITH_LISTEN, KITH_MDNS and KITH_LOG_LEVEL win for one run and are not saved.',
  async run({ args, home }) {
    allowOnly(args, DAEMON_FLAGS, DAEMON_BOOLEANS)
    if (has(args, 'mdns') && has(args, 'no-mdns')) throw new CliError('usage', '--mdns and --no-mdns together', EXIT.usage)
    const config = await savedWithFlags(home, args)
    // main.ts has already started this process again with the daemon's flags if it lacked them
    const log = createLog(process.stderr, (process.env.KITH_LOG_LEVEL as LogLevel | undefined) ?? config.logLevel ?? 'info')
    const idleCollector = !has(args, 'no-idle-gc') && !off(process.env.KITH_IDLE_GC)
    log('info', `${describeRuntime()}, idle collector ${idleCollector ? 'on' : 'off'}`)
    const listenFlags = flagAll(args, 'listen')
    // loaded on this command only: every other `kith` command starts without the daemon's code
    const { Daemon } = await import('../../daemon.js')
    const daemon = new Daemon({
      home,
      http: config.http,
      // flags, else KITH_LISTEN (this run only), else the saved setting, else the default
      listen: listenFlags.length > 0 ? listenFlags : process.env.KITH_LISTEN !== undefined ? undefined : config.listen,
      mdns:
        process.env.KITH_MDNS !== undefined && !has(args, 'mdns') && !has(args, 'no-mdns')
          ? !off(process.env.KITH_MDNS)
          : config.mdns !== false,
      idleCollector,
      autoLockMinutes: config.autoLockMinutes,
      attachmentLimitBytes: config.attachmentLimitMb === undefined ? undefined : config.attachmentLimitMb * 1024 * 1024,
      kdfTargetMs: numberFlag(args, 'kdf-ms') ?? (process.env.KITH_KDF_MS !== undefined ? Number(process.env.KITH_KDF_MS) : undefined),
      // shortens re-authentication's window (tests); it can never lengthen it
      reauthWindowMs: process.env.KITH_REAUTH_SECONDS !== undefined ? Number(process.env.KITH_REAUTH_SECONDS) * 1000 : undefined,
      log
    })
    const signals = listenForStopSignals()
    try {
      await daemon.start()
    } catch (err) {
      await daemon.stop().catch(() => {})
      throw new CliError(toError(err).name === 'StorageLockedError' ? 'home_in_use' : 'start_failed', toError(err).message)
    }
    await new Promise<void>(resolve => {
      daemon.stopped.then(resolve, resolve)
      let stopping = false
      const stop = (reason: string): void => {
        if (stopping) return
        stopping = true
        unwatch()
        log('info', `${reason}, shutting down`)
        daemon.stop().then(resolve, err => {
          log('error', `shutdown failed: ${toError(err).message}`)
          resolve()
        })
      }
      const unwatch = watchLauncher(() => stop('the process that started this daemon has ended'))
      signals.onStop(stop)
    })
  }
}

/** Says loudly, on stderr, when the dashboard is not on its usual port because something else held it. */
export async function warnIfPortTaken(client: DaemonClient): Promise<void> {
  const status = await client.json(client.api.status.$get()).catch(() => undefined)
  const taken = status?.dashboardPortTaken
  if (typeof taken === 'number')
    process.stderr.write(
      `kith: warning: port ${taken} was taken (another program, or another user's Kith), so the dashboard is at ${client.url} instead; a bookmark to localhost:${taken} does not reach this daemon. Pick a port with \`kith config set http 127.0.0.1:PORT\`.\n`
    )
}

/**
 * The saved settings with this run's flags applied; flags that change a setting are written back,
 * so the next start (a plain `kith start`, the CLI's auto-start, a service unit) keeps the choice.
 */
async function savedWithFlags(home: string, args: ParsedArgs): Promise<DaemonConfig> {
  const saved = await readDaemonConfig(home)
  const next: DaemonConfig = { ...saved }
  const http = flag(args, 'http')
  if (http !== undefined) next.http = http
  const listen = flagAll(args, 'listen')
  if (listen.length > 0) next.listen = listen
  if (has(args, 'no-mdns')) next.mdns = false
  if (has(args, 'mdns')) next.mdns = true
  const autoLock = numberFlag(args, 'auto-lock')
  if (autoLock !== undefined) next.autoLockMinutes = autoLock
  const limit = flag(args, 'attachment-limit-mb')
  if (limit !== undefined) next.attachmentLimitMb = parseConfigValue('attachmentLimitMb', limit) as number
  if (JSON.stringify(next) !== JSON.stringify(saved)) await writeDaemonConfig(home, next).catch(() => {})
  return next
}

export const startCommand: Command = {
  name: 'start',
  usage: 'kith start [same flags as kith daemon]',
  summary: 'start the daemon in the background and return once it answers',
  async run({ args, home, out }) {
    allowOnly(args, DAEMON_FLAGS, DAEMON_BOOLEANS)
    const running = await readDaemonInfo(home)
    if (running !== undefined) {
      out(`already running at ${running.url} (pid ${running.pid})`, { started: false, running: true, url: running.url, pid: running.pid })
      return
    }
    const client = await startInBackground(home, daemonArgs(args))
    await warnIfPortTaken(client)
    out(`started at ${client.url} (pid ${client.pid})`, { started: true, running: true, url: client.url, pid: client.pid })
  }
}

export const stopCommand: Command = {
  name: 'stop',
  usage: 'kith stop',
  summary: 'stop the daemon and return once it has exited',
  async run({ args, home, out }) {
    allowOnly(args, [])
    const info = await readDaemonInfo(home)
    if (info === undefined) {
      out('not running', { stopped: false, running: false })
      return
    }
    process.kill(info.pid, 'SIGTERM')
    const deadline = Date.now() + 30_000
    while (isAlive(info.pid)) {
      if (Date.now() > deadline) throw new CliError('stop_timeout', `the daemon (pid ${info.pid}) did not exit within 30 s`)
      await new Promise(resolve => setTimeout(resolve, 25))
    }
    out(`stopped (pid ${info.pid})`, { stopped: true, running: false, pid: info.pid })
  }
}

/** One line per device caught signing two logs (status.quarantined), for the human-readable status. */
function quarantineLines(quarantined: unknown): string {
  if (!Array.isArray(quarantined)) return ''
  return quarantined
    .map(q => q as { deviceId?: unknown; vaultId?: unknown; since?: unknown })
    .map(
      q =>
        `\nquarantined: device ${String(q.deviceId).slice(0, 12)}… signed two different logs in vault ${String(q.vaultId).slice(0, 8)} (since ${String(q.since)}); remove it with \`kith devices revoke\``
    )
    .join('')
}

export const statusCommand: Command = {
  name: 'status',
  usage: 'kith status [--json]',
  summary: 'whether the daemon runs, and whether the vault is initialised and locked',
  async run({ args, home, out }) {
    allowOnly(args, [])
    const info = await readDaemonInfo(home)
    let status: Record<string, unknown>
    const res = info === undefined ? undefined : await httpRequest(info, 'GET', '/api/status').catch(() => undefined)
    if (res?.status === 200) status = res.body as Record<string, unknown>
    else
      status = {
        running: false,
        initialized: existsSync(homePaths(home).initialized),
        locked: true,
        peerId: info?.peerId ?? '',
        url: info?.url ?? ''
      }
    const human =
      status.running !== true
        ? 'not running'
        : status.role === 'backup-peer'
          ? `backup peer running\naddress ${String(status.address)}\n(give it to \`kith backup add\` on an unlocked device)`
          : `running at ${String(status.url)}\n${status.initialized === true ? (status.locked === true ? 'locked' : 'unlocked') : 'not initialised (run `kith init` or `kith pair join`)'}${status.needsNewPassword === true ? '\nunlocked with the recovery key: set a new master password (kith unlock --recovery-key-stdin, or the dashboard)' : ''}\npeer id ${String(status.peerId)}${quarantineLines(status.quarantined)}${removalLine(status.removed)}`
    out(human, status)
  }
}

export { DaemonClient }
