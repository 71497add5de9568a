/** SessionStore and LoginLinks on a fake clock: idle and absolute expiry, the 60-second single-use code. */
import { describe, expect, it } from 'vitest'
import { SessionStore } from '../../daemon/api/dashboard/SessionStore.js'
import { LoginLinks, LOGIN_CODE_TTL_MS } from '../../daemon/api/dashboard/LoginLinks.js'

describe('SessionStore', () => {
  it('expires a session that stays idle, and one past its maximum age however busy', () => {
    let now = 0
    const store = new SessionStore({ idleMs: 1000, maxAgeMs: 5000, now: () => now })
    const a = store.create()
    now = 900
    expect(store.check(a.id, a.token)).toBe(true)
    now = 1800
    expect(store.check(a.id, a.token)).toBe(true)
    now = 2900
    expect(store.check(a.id, a.token)).toBe(false)
    const b = store.create()
    for (now = 2900; now < 7900; now += 500) expect(store.check(b.id, b.token)).toBe(true)
    now = 8000
    expect(store.check(b.id, b.token)).toBe(false)
  })

  it('refuses missing, empty and mismatched credentials', () => {
    const store = new SessionStore()
    const a = store.create()
    const b = store.create()
    expect(store.check(undefined, a.token)).toBe(false)
    expect(store.check(a.id, undefined)).toBe(false)
    expect(store.check('', '')).toBe(false)
    expect(store.check(a.id, b.token)).toBe(false)
    expect(store.check(a.token, a.id)).toBe(false)
    expect(store.check(a.id, a.token)).toBe(true)
  })

  it('keeps at most `max` sessions, dropping the least recently used', () => {
    let now = 0
    const store = new SessionStore({ max: 2, now: () => now })
    const a = store.create()
    now++
    const b = store.create()
    now++
    expect(store.check(a.id, a.token)).toBe(true)
    now++
    const c = store.create()
    expect(store.size).toBe(2)
    expect(store.check(b.id, b.token)).toBe(false)
    expect(store.check(a.id, a.token)).toBe(true)
    expect(store.check(c.id, c.token)).toBe(true)
  })

  it('tabs of one browser share its cookie, each with its own token; an unknown cookie is never adopted', () => {
    const store = new SessionStore()
    const first = store.create()
    const second = store.create(first.id)
    expect(second.id).toBe(first.id)
    expect(second.token).not.toBe(first.token)
    expect(store.check(first.id, first.token)).toBe(true)
    expect(store.check(second.id, second.token)).toBe(true)
    const fixated = store.create('a-cookie-value-chosen-by-someone-else')
    expect(fixated.id).not.toBe('a-cookie-value-chosen-by-someone-else')
    expect(store.drop(first.token)).toEqual({ cookieStillUsed: true })
    expect(store.check(first.id, first.token)).toBe(false)
    expect(store.check(second.id, second.token)).toBe(true)
    expect(store.drop(second.token)).toEqual({ cookieStillUsed: false })
  })

  it('clear() ends every session', () => {
    const store = new SessionStore()
    const a = store.create()
    store.clear()
    expect(store.check(a.id, a.token)).toBe(false)
  })
})

describe('LoginLinks', () => {
  it('a code works once', () => {
    const links = new LoginLinks()
    const { code } = links.mint()
    expect(code).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(links.redeem(code)).toBe(true)
    expect(links.redeem(code)).toBe(false)
  })

  it('a code expires after 60 seconds, and a late try spends it', () => {
    let now = 0
    const links = new LoginLinks(() => now)
    const { code, expiresAt } = links.mint()
    expect(expiresAt).toBe(LOGIN_CODE_TTL_MS)
    expect(LOGIN_CODE_TTL_MS).toBe(60_000)
    now = 60_001
    expect(links.redeem(code)).toBe(false)
    now = 0
    expect(links.redeem(code)).toBe(false)
  })

  it('refuses junk and forgets every code on clear()', () => {
    const links = new LoginLinks()
    const { code } = links.mint()
    expect(links.redeem(undefined)).toBe(false)
    expect(links.redeem(42)).toBe(false)
    expect(links.redeem('x'.repeat(100))).toBe(false)
    links.clear()
    expect(links.redeem(code)).toBe(false)
  })
})
