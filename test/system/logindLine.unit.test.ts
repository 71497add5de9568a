/** The lines of `gdbus monitor --system --dest org.freedesktop.login1` the logind watcher acts on, as GLib prints them. */
import { describe, expect, it } from 'vitest'
import { parseLogindLine, parseSessionUser } from '../../daemon/system/logindLine.js'

describe('parseLogindLine', () => {
  it('reads whether logind is on the bus', () => {
    expect(parseLogindLine('The name org.freedesktop.login1 is owned by :1.5')).toEqual({ kind: 'owner', owned: true })
    expect(parseLogindLine('The name org.freedesktop.login1 does not have an owner')).toEqual({ kind: 'owner', owned: false })
    expect(parseLogindLine('Monitoring signals from all objects owned by org.freedesktop.login1')).toBeUndefined()
  })

  it('reads PrepareForSleep, a session Lock and a LockedHint change', () => {
    expect(parseLogindLine('/org/freedesktop/login1: org.freedesktop.login1.Manager.PrepareForSleep (true,)')).toEqual({
      kind: 'sleep',
      starting: true
    })
    expect(parseLogindLine('/org/freedesktop/login1: org.freedesktop.login1.Manager.PrepareForSleep (false,)')).toEqual({
      kind: 'sleep',
      starting: false
    })
    expect(parseLogindLine('/org/freedesktop/login1/session/_32: org.freedesktop.login1.Session.Lock ()')).toEqual({
      kind: 'session-lock',
      session: '/org/freedesktop/login1/session/_32'
    })
    expect(
      parseLogindLine(
        "/org/freedesktop/login1/session/_32: org.freedesktop.DBus.Properties.PropertiesChanged ('org.freedesktop.login1.Session', {'LockedHint': <true>}, @as [])"
      )
    ).toEqual({ kind: 'locked-hint', session: '/org/freedesktop/login1/session/_32', locked: true })
    expect(
      parseLogindLine(
        "/org/freedesktop/login1/session/c2: org.freedesktop.DBus.Properties.PropertiesChanged ('org.freedesktop.login1.Session', {'IdleHint': <false>, 'LockedHint': <false>}, @as [])"
      )
    ).toEqual({ kind: 'locked-hint', session: '/org/freedesktop/login1/session/c2', locked: false })
  })

  it('ignores other signals, other interfaces and other objects', () => {
    for (const line of [
      '/org/freedesktop/login1/session/_32: org.freedesktop.login1.Session.Unlock ()',
      '/org/freedesktop/login1: org.freedesktop.login1.Manager.PrepareForShutdown (true,)',
      "/org/freedesktop/login1/session/_32: org.freedesktop.DBus.Properties.PropertiesChanged ('org.freedesktop.login1.Session', {'IdleHint': <true>}, @as [])",
      "/org/freedesktop/login1/user/_0: org.freedesktop.DBus.Properties.PropertiesChanged ('org.freedesktop.login1.User', {'LockedHint': <true>}, @as [])",
      '/org/freedesktop/login1/seat/seat0: org.freedesktop.login1.Session.Lock ()',
      ''
    ])
      expect(parseLogindLine(line), line).toBeUndefined()
  })
})

describe('parseSessionUser', () => {
  it("reads the uid from logind's answer to Properties.Get(Session, User)", () => {
    expect(parseSessionUser("(<(uint32 1000, objectpath '/org/freedesktop/login1/user/_1000')>,)\n")).toBe(1000)
    expect(parseSessionUser('Error: GDBus.Error:org.freedesktop.DBus.Error.UnknownObject: Unknown object')).toBeUndefined()
  })
})
