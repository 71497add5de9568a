/**
 * Auto-lock that means it (issue 11): a real daemon whose system bus is a private dbus-daemon, on
 * which the test plays logind, locks its vault when logind announces sleep, when a session of the
 * daemon's uid is told to lock, and when that session's LockedHint turns true; a session of another
 * uid locks nothing. Needs dbus-daemon and gdbus: skipped loudly without them, a failure when CI=true.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TestDaemon } from '../helpers/daemonProcess.js'
import { FakeLogind } from '../helpers/dbus/FakeLogind.js'
import { PrivateBus, busToolsNotice, missingBusTools } from '../helpers/dbus/privateBus.js'
import { PASSWORD, until } from '../sync/helpers/daemons.js'

const missing = missingBusTools()
if (missing.length > 0) console.warn(busToolsNotice('the lock-on-sleep end-to-end test', missing))

const uid = process.getuid?.() ?? 0

describe.skipIf(missing.length > 0)('a daemon locks when logind announces sleep or a screen lock', () => {
  let bus: PrivateBus
  let logind: FakeLogind
  let d: TestDaemon
  beforeAll(async () => {
    bus = await PrivateBus.start()
    logind = await FakeLogind.start(bus.address)
    logind.addSession('_31', uid)
    logind.addSession('_7', uid + 4242)
    d = await TestDaemon.create()
    d.env = bus.env(d.env)
    await d.start()
    await d.init(PASSWORD)
    await until(async () => d.output.includes('watching logind on the system bus'), 'the daemon to watch logind')
  }, 60_000)
  afterAll(async () => {
    await d?.destroy()
    logind?.stop()
    await bus?.stop()
  })

  const locked = async (): Promise<boolean> => (await d.api('GET', '/api/status')).body.locked === true
  const unlock = async (): Promise<void> => {
    const res = await d.api('POST', '/api/unlock', { password: PASSWORD })
    expect(res.status).toBe(200)
    expect(await locked()).toBe(false)
  }

  it('locks on PrepareForSleep(true) and says why in its log', async () => {
    expect(await locked()).toBe(false)
    // gdbus may report logind on the bus a moment before its subscription takes effect: announce until heard
    await until(
      async () => {
        logind.prepareForSleep(true)
        return await locked()
      },
      'the vault to lock on sleep',
      10_000,
      200
    )
    await until(async () => d.output.includes('locked: system going to sleep'), 'the lock reason in the log')
  })

  it('locks on Session.Lock for a session of its uid, not of another uid', async () => {
    await unlock()
    logind.lockSession('_7')
    logind.lockedHint('_7', true)
    await new Promise(resolve => setTimeout(resolve, 1000))
    expect(await locked()).toBe(false)
    logind.lockSession('_31')
    await until(async () => await locked(), 'the vault to lock on Session.Lock')
    await until(async () => d.output.includes('locked: screen locked'), 'the lock reason in the log')
  })

  it('locks when the session of its uid reports LockedHint true', async () => {
    await unlock()
    const before = d.output.split('locked: screen locked').length
    logind.lockedHint('_31', true)
    await until(async () => await locked(), 'the vault to lock on LockedHint')
    // the status answers over HTTP; the log line arrives on the child's stdout pipe a moment later
    await until(async () => d.output.split('locked: screen locked').length > before, 'the lock reason in the log')
    expect(d.output.split('locked: screen locked').length).toBe(before + 1)
  })
})

describe('lock on sleep: required tools', () => {
  it.runIf(missing.length > 0 && process.env.CI === 'true')('dbus-daemon and gdbus are installed (required when CI=true)', () => {
    expect(missing).toEqual([])
  })
})
