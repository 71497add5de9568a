/**
 * Locks the vault when the machine goes to sleep or the user's screen locks, as systemd-logind
 * announces them on the system D-Bus (Linux): Manager.PrepareForSleep(true); Session.Lock for a
 * session of this uid (`loginctl lock-session`); a session of this uid whose LockedHint turns true
 * (GNOME and KDE set it when their screen locks). It runs `gdbus monitor` (GLib's command-line
 * tool, on every GNOME or KDE desktop) rather than a D-Bus library, and asks logind for a
 * session's uid with `gdbus call`. Where any of that is missing (another platform, no system bus,
 * no logind, no gdbus) it logs one line and does nothing more: the auto-lock timer still applies.
 * No retry: a monitor that ends is reported once.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import type { Log } from '../log.js'
import { toError } from '../toError.js'
import { parseLogindLine, parseSessionUser, type LogindLine } from './logindLine.js'

export const LOCK_REASON = { sleep: 'system going to sleep', screen: 'screen locked' } as const
export type LockReason = (typeof LOCK_REASON)[keyof typeof LOCK_REASON]

export interface LogindWatcherOptions {
  /** locks the vault (called once per announcement) */
  lock: (reason: LockReason) => Promise<void>
  log: Log
  /** the environment of the gdbus processes (DBUS_SYSTEM_BUS_ADDRESS picks the bus); this process's by default */
  env?: NodeJS.ProcessEnv
  platform?: NodeJS.Platform
  /** whose sessions count; this process's uid by default */
  uid?: number
  /** the gdbus program */
  gdbus?: string
}

const LOGIND = 'org.freedesktop.login1'
const NOT_DETECTED = 'sleep and screen lock are not detected'

export class LogindWatcher {
  private monitor: ChildProcess | undefined
  private stopping = false
  /** logind answered on the bus and the monitor listens */
  private watching = false
  /** the one "not detected" line was said */
  private ended = false
  /** session object path → its user's uid, as logind answered */
  private readonly sessionUids = new Map<string, Promise<number | undefined>>()
  private settle: (watching: boolean) => void = () => {}
  /** Resolves true once the monitor listens with logind on the bus, false when nothing is watched. */
  readonly ready = new Promise<boolean>(resolve => {
    this.settle = resolve
  })

  constructor(private readonly options: LogindWatcherOptions) {}

  private get uid(): number | undefined {
    return this.options.uid ?? process.getuid?.()
  }

  /** Starts the monitor and returns at once (ready says how it went). */
  start(): void {
    const { log } = this.options
    const platform = this.options.platform ?? process.platform
    if (platform !== 'linux') {
      log('info', `${NOT_DETECTED} on ${platform} (the auto-lock timer still applies)`)
      this.settle(false)
      return
    }
    const child = spawn(this.options.gdbus ?? 'gdbus', ['monitor', '--system', '--dest', LOGIND], {
      env: this.options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    this.monitor = child
    let stderr = ''
    child.stderr?.setEncoding('utf8').on('data', d => {
      if (stderr.length < 2000) stderr += String(d)
    })
    child.once('error', err => {
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT'
      this.unavailable(missing ? 'gdbus is not installed' : `gdbus could not start: ${err.message}`)
    })
    // 'close': after its output was read to the end, so the reason it printed is complete
    child.once('close', (code, signal) => {
      this.monitor = undefined
      if (this.stopping) return
      const why = stderr.trim().split('\n')[0] ?? ''
      const how = signal === null ? `exit code ${String(code)}` : `signal ${signal}`
      this.unavailable(`the system bus monitor ended (${how}${why === '' ? '' : `: ${why}`})`)
    })
    if (child.stdout !== null)
      createInterface({ input: child.stdout }).on('line', line => {
        const event = parseLogindLine(line)
        if (event !== undefined) this.handle(event)
      })
  }

  /** The one line said when nothing is or will be watched. */
  private unavailable(why: string): void {
    if (this.stopping || this.ended) return
    this.ended = true
    this.options.log(this.watching ? 'warn' : 'info', `${NOT_DETECTED}: ${why} (the auto-lock timer still applies)`)
    this.watching = false
    this.settle(false)
    this.end()
  }

  private handle(event: LogindLine): void {
    switch (event.kind) {
      case 'owner':
        if (event.owned && !this.watching) {
          this.watching = true
          this.options.log('info', 'watching logind on the system bus: the vault locks on sleep and on screen lock')
          this.settle(true)
        } else if (!event.owned && !this.watching) this.unavailable('no logind on the system bus')
        return
      case 'sleep':
        if (event.starting) this.lock(LOCK_REASON.sleep)
        return
      case 'session-lock':
        this.lockIfOurs(event.session)
        return
      case 'locked-hint':
        if (event.locked) this.lockIfOurs(event.session)
    }
  }

  private lock(reason: LockReason): void {
    this.options.lock(reason).catch(err => this.options.log('error', `locking (${reason}) failed: ${toError(err).message}`))
  }

  private lockIfOurs(session: string): void {
    this.sessionUid(session)
      .then(uid => {
        if (uid !== undefined && uid === this.uid) this.lock(LOCK_REASON.screen)
        else if (uid === undefined) this.options.log('debug', `screen lock of ${session} ignored: its user is unknown`)
      })
      .catch(() => {})
  }

  private sessionUid(session: string): Promise<number | undefined> {
    const known = this.sessionUids.get(session)
    if (known !== undefined) return known
    const asked = new Promise<number | undefined>(resolve => {
      execFile(
        this.options.gdbus ?? 'gdbus',
        [
          'call',
          '--system',
          '--dest',
          LOGIND,
          '--object-path',
          session,
          '--method',
          'org.freedesktop.DBus.Properties.Get',
          "'org.freedesktop.login1.Session'",
          "'User'"
        ],
        { env: this.options.env ?? process.env, timeout: 5000 },
        (err, stdout) => {
          resolve(err === null ? parseSessionUser(String(stdout)) : undefined)
        }
      )
    })
    // a failed answer is asked again next time
    asked.then(
      uid => {
        if (uid === undefined) this.sessionUids.delete(session)
      },
      () => {}
    )
    this.sessionUids.set(session, asked)
    return asked
  }

  private end(): void {
    const child = this.monitor
    this.monitor = undefined
    if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
  }

  /** Stops the monitor and waits until it has exited. */
  async stop(): Promise<void> {
    this.stopping = true
    this.settle(false)
    const child = this.monitor
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise(resolve => child.once('exit', resolve))
    this.end()
    await exited
  }
}
