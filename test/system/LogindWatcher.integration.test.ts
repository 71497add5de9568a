// The logind watcher against a real dbus-daemon (a private system bus in a temporary directory) on
// which the test plays logind. Needs dbus-daemon and gdbus: skipped loudly without them, and a
// failure when CI=true.
import { afterEach, describe, expect, it } from 'vitest'
import { LOCK_REASON, LogindWatcher, type LockReason } from '../../daemon/system/LogindWatcher.js'
import type { LogLevel } from '../../daemon/log.js'
import { FakeLogind } from '../helpers/dbus/FakeLogind.js'
import { PrivateBus, busToolsNotice, missingBusTools } from '../helpers/dbus/privateBus.js'

const missing = missingBusTools()
const inCi = process.env.CI === 'true'
if (missing.length > 0) console.warn(busToolsNotice('the logind watcher test', missing))

const uid = process.getuid?.() ?? 0
const otherUid = uid + 4242

interface Run {
  bus: PrivateBus
  logind: FakeLogind
  watcher: LogindWatcher
  locks: LockReason[]
  logs: { level: LogLevel; message: string }[]
}

const runs: Run[] = []
afterEach(async () => {
  for (const run of runs.splice(0)) {
    await run.watcher.stop()
    run.logind.stop()
    await run.bus.stop()
  }
})

async function watch(options: { logind?: boolean } = {}): Promise<Run> {
  const bus = await PrivateBus.start()
  const logind = await FakeLogind.start(bus.address, { impostor: options.logind === false })
  logind.addSession('_31', uid)
  logind.addSession('_7', otherUid)
  const locks: LockReason[] = []
  const logs: Run['logs'] = []
  const watcher = new LogindWatcher({
    env: bus.env(),
    log: (level, message) => logs.push({ level, message }),
    lock: async reason => {
      locks.push(reason)
    }
  })
  const run = { bus, logind, watcher, locks, logs }
  runs.push(run)
  watcher.start()
  return run
}

async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}

/**
 * Waits until the watcher is ready and hears signals: gdbus may print that logind owns its name a
 * moment before its subscription takes effect, so sleep is announced until a lock is seen, then
 * the locks are cleared.
 */
async function primed(run: Run): Promise<void> {
  expect(await run.watcher.ready).toBe(true)
  const deadline = Date.now() + 5000
  while (run.locks.length === 0) {
    if (Date.now() > deadline) throw new Error('the watcher never heard PrepareForSleep(true)')
    run.logind.prepareForSleep(true)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  await new Promise(resolve => setTimeout(resolve, 200))
  run.locks.splice(0)
}

/**
 * After signals that must not lock: announces sleep, waits for its lock and a while longer (a
 * session's owner is looked up by a `gdbus call`), then takes the sleep locks out of the list.
 */
async function settled(run: Run): Promise<void> {
  run.logind.prepareForSleep(true)
  await until(() => run.locks.includes(LOCK_REASON.sleep), 'the sleep signal sent after them')
  await new Promise(resolve => setTimeout(resolve, 500))
  const others = run.locks.filter(r => r !== LOCK_REASON.sleep)
  run.locks.splice(0, run.locks.length, ...others)
}

describe.skipIf(missing.length > 0)('LogindWatcher on a private system bus', () => {
  it('locks when logind announces sleep (PrepareForSleep(true)), not on resume', async () => {
    const run = await watch()
    await primed(run)
    run.logind.prepareForSleep(false)
    run.logind.prepareForSleep(true)
    await until(() => run.locks.length > 0, 'a lock')
    await new Promise(resolve => setTimeout(resolve, 200))
    // PrepareForSleep(false) came first on the same connection: had it locked, there would be two
    expect(run.locks).toEqual([LOCK_REASON.sleep])
    expect(run.logs.some(l => l.level === 'info' && l.message.includes('watching logind'))).toBe(true)
  })

  it('locks on Session.Lock and on LockedHint true for a session of this uid only', async () => {
    const run = await watch()
    await primed(run)
    run.logind.lockSession('_7')
    run.logind.lockedHint('_7', true)
    run.logind.lockedHint('_31', false)
    await settled(run)
    expect(run.locks).toEqual([])
    run.logind.lockSession('_31')
    await until(() => run.locks.length === 1, 'the Lock signal')
    run.logind.lockedHint('_31', true)
    await until(() => run.locks.length === 2, 'the LockedHint change')
    expect(run.locks).toEqual([LOCK_REASON.screen, LOCK_REASON.screen])
    // the session's owner was asked of logind once per session
    expect(run.logind.asked.filter(p => p.endsWith('/_31'))).toHaveLength(1)
  })

  it('ignores the same signals sent by a process that does not own org.freedesktop.login1', async () => {
    const run = await watch()
    await primed(run)
    const impostor = await FakeLogind.start(run.bus.address, { impostor: true })
    try {
      impostor.prepareForSleep(true)
      impostor.lockSession('_31')
      impostor.lockedHint('_31', true)
      await settled(run)
      expect(run.locks).toEqual([])
    } finally {
      impostor.stop()
    }
  })

  it('when the system bus goes away while watching: one warning, no retry', async () => {
    const run = await watch()
    await primed(run)
    run.logind.stop()
    await run.bus.stop()
    await until(() => run.logs.some(l => l.level === 'warn'), 'the warning')
    await new Promise(resolve => setTimeout(resolve, 300))
    const warnings = run.logs.filter(l => l.level === 'warn')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]?.message).toMatch(/^sleep and screen lock are not detected: the system bus monitor ended/)
  })

  it('without logind on the bus: one info line, no lock, no process left', async () => {
    const run = await watch({ logind: false })
    expect(await run.watcher.ready).toBe(false)
    await new Promise(resolve => setTimeout(resolve, 300))
    expect(run.logs).toEqual([
      { level: 'info', message: expect.stringContaining('sleep and screen lock are not detected: no logind on the system bus') as string }
    ])
  })
})

describe('LogindWatcher where nothing can be watched', () => {
  it('without a system bus: one info line and nothing else', async () => {
    const logs: string[] = []
    const watcher = new LogindWatcher({
      env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: 'unix:path=/nonexistent/kith-test-bus' },
      log: (level, message) => logs.push(`${level} ${message}`),
      lock: async () => {
        throw new Error('must not lock')
      }
    })
    watcher.start()
    expect(await watcher.ready).toBe(false)
    await new Promise(resolve => setTimeout(resolve, 200))
    expect(logs).toHaveLength(1)
    expect(logs[0]).toMatch(/^info sleep and screen lock are not detected: .*auto-lock timer still applies/)
    await watcher.stop()
  })

  it('without gdbus: one info line naming it', async () => {
    const logs: string[] = []
    const watcher = new LogindWatcher({
      gdbus: 'kith-no-such-gdbus',
      log: (level, message) => logs.push(`${level} ${message}`),
      lock: async () => {}
    })
    watcher.start()
    expect(await watcher.ready).toBe(false)
    await new Promise(resolve => setTimeout(resolve, 100))
    expect(logs).toEqual([expect.stringMatching(/^info sleep and screen lock are not detected: gdbus is not installed/) as string])
  })

  it('on macOS and Windows: one info line, no process started', async () => {
    for (const platform of ['darwin', 'win32'] as const) {
      const logs: string[] = []
      const watcher = new LogindWatcher({
        platform,
        gdbus: 'kith-no-such-gdbus',
        log: (level, message) => logs.push(`${level} ${message}`),
        lock: async () => {}
      })
      watcher.start()
      expect(await watcher.ready).toBe(false)
      expect(logs).toEqual([`info sleep and screen lock are not detected on ${platform} (the auto-lock timer still applies)`])
    }
  })

  it.runIf(missing.length > 0 && inCi)('dbus-daemon and gdbus are installed (required when CI=true)', () => {
    expect(missing).toEqual([])
  })
})
