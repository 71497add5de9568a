/** The password-health rules (weak, reused, old, totp-missing, duplicate): each flags what it names and nothing else. */
import { describe, expect, it } from 'vitest'
import { healthReport, MAX_LINKED, type HealthEntry } from '../../../daemon/service/health/healthRules.js'
import type { StrengthScore } from '../../../daemon/service/health/StrengthEstimator.js'
import { siteOf } from '../../../daemon/service/health/siteOf.js'

const NOW = new Date('2026-12-01T12:00:00Z')
const RECENT = '2026-11-01T00:00:00Z'
let n = 0
function entry(fields: Partial<HealthEntry>): HealthEntry {
  n++
  return {
    id: `id${n}`,
    vault: 'Personal',
    title: `Item ${n}`,
    username: '',
    password: `strong-${n}`,
    urls: [],
    totp: null,
    fields: [],
    updatedAt: RECENT,
    ...fields
  }
}

/** Scores: a password starting with "weak" scores 1, any other 4; the digest is the password (the rules only compare them). */
function report(entries: HealthEntry[]) {
  const scoreOf = (digest: string): StrengthScore => (digest.startsWith('weak') ? 1 : 4)
  return healthReport(entries, { digests: entries.map(e => e.password), scoreOf, now: NOW })
}
const issuesOf = (r: ReturnType<typeof report>, id: string): string[] => r.items.find(i => i.id === id)?.issues ?? []

describe('health rules', () => {
  it('weak: a password the estimator scores below 3; an item without a password is not weak', () => {
    const weak = entry({ password: 'weak-1' })
    const strong = entry({})
    const none = entry({ password: '' })
    const r = report([weak, strong, none])
    expect(issuesOf(r, weak.id)).toEqual(['weak'])
    expect(issuesOf(r, strong.id)).toEqual([])
    expect(issuesOf(r, none.id)).toEqual([])
    expect(r.items.find(i => i.id === weak.id)?.score).toBe(1)
    expect(r).toMatchObject({ checked: 3, summary: { weak: 1, reused: 0, old: 0, 'totp-missing': 0, duplicate: 0 } })
  })

  it('reused: the same password in items of other sites or usernames, not in the same account twice', () => {
    const a = entry({ password: 'shared', username: 'ann', urls: ['https://a.example'] })
    const b = entry({ password: 'shared', username: 'ann', urls: ['https://b.example'] })
    const c = entry({ password: 'shared', username: 'bob', urls: ['https://a.example'] })
    const other = entry({ password: 'own' })
    const r = report([a, b, c, other])
    expect(issuesOf(r, a.id)).toContain('reused')
    expect(r.items.find(i => i.id === a.id)?.reusedWith.sort()).toEqual([b.id, c.id].sort())
    expect(issuesOf(r, other.id)).toEqual([])
    // the same login saved twice is a duplicate, not a reuse
    const d1 = entry({ password: 'twice', username: 'ann', urls: ['https://d.example'] })
    const d2 = entry({ password: 'twice', username: 'ANN ', urls: ['d.example/login'] })
    const r2 = report([d1, d2])
    expect(issuesOf(r2, d1.id)).toEqual(['duplicate'])
  })

  it('old: the password set more than a year ago (passwordChangedAt, else updatedAt)', () => {
    const old = entry({ passwordChangedAt: '2025-11-30T00:00:00Z' })
    const editedSince = entry({ passwordChangedAt: '2025-01-01T00:00:00Z', updatedAt: RECENT })
    const fresh = entry({ passwordChangedAt: '2026-06-01T00:00:00Z', updatedAt: '2020-01-01T00:00:00Z' })
    const legacy = entry({ updatedAt: '2024-01-01T00:00:00Z' })
    const noPassword = entry({ password: '', updatedAt: '2020-01-01T00:00:00Z' })
    const r = report([old, editedSince, fresh, legacy, noPassword])
    expect(issuesOf(r, old.id)).toEqual(['old'])
    expect(issuesOf(r, editedSince.id)).toEqual(['old'])
    expect(issuesOf(r, fresh.id)).toEqual([])
    expect(issuesOf(r, legacy.id)).toEqual(['old'])
    expect(issuesOf(r, noPassword.id)).toEqual([])
  })

  it('totp-missing: another item for the site has a TOTP secret, or a field holds one; not for items that have one', () => {
    const withCode = entry({ username: 'ann', urls: ['https://www.shop.example'], totp: 'otpauth://totp/x?secret=JBSWY3DPEHPK3PXP' })
    const without = entry({ username: 'bob', urls: ['shop.example'] })
    const elsewhere = entry({ username: 'bob', urls: ['https://elsewhere.example'] })
    const inField = entry({ fields: [{ name: 'One-time code secret', value: 'JBSW Y3DP EHPK 3PXP JBSW', hidden: true }] })
    const notAnOtpField = entry({ fields: [{ name: 'PIN', value: 'JBSWY3DPEHPK3PXPJBSW', hidden: true }] })
    const r = report([withCode, without, elsewhere, inField, notAnOtpField])
    expect(issuesOf(r, without.id)).toEqual(['totp-missing'])
    expect(r.items.find(i => i.id === without.id)?.totpElsewhere).toEqual([withCode.id])
    expect(issuesOf(r, withCode.id)).toEqual([])
    expect(issuesOf(r, elsewhere.id)).toEqual([])
    expect(issuesOf(r, inField.id)).toEqual(['totp-missing'])
    expect(issuesOf(r, notAnOtpField.id)).toEqual([])
  })

  it('duplicate: same site and username (case and www. aside); an empty username or another site is not one', () => {
    const a = entry({ username: 'Ann@Example.com', urls: ['https://www.mail.example/login'] })
    const b = entry({ username: 'ann@example.com', urls: ['http://mail.example'] })
    const otherSite = entry({ username: 'ann@example.com', urls: ['https://chat.example'] })
    const noName1 = entry({ urls: ['https://wifi.example'] })
    const noName2 = entry({ urls: ['https://wifi.example'] })
    const r = report([a, b, otherSite, noName1, noName2])
    expect(r.items.find(i => i.id === a.id)?.duplicateOf).toEqual([b.id])
    expect(issuesOf(r, otherSite.id)).toEqual([])
    expect(issuesOf(r, noName1.id)).toEqual([])
  })

  it(`names at most ${MAX_LINKED} other items per list, and lists items with more issues first`, () => {
    const many = Array.from({ length: 60 }, () => entry({ password: 'weak-shared', urls: [`https://s${n}.example`] }))
    const r = report(many)
    for (const item of r.items) expect(item.reusedWith.length).toBe(MAX_LINKED)
    const mixed = report([entry({ password: 'weak-x' }), entry({ password: 'weak-y', updatedAt: '2020-01-01T00:00:00Z' })])
    expect(mixed.items[0]?.issues).toEqual(['weak', 'old'])
  })

  it('siteOf: host names without www., lower case; no host, no site', () => {
    expect(siteOf('https://WWW.Example.com:8443/a?b')).toBe('example.com')
    expect(siteOf('example.com/login')).toBe('example.com')
    expect(siteOf('android://com.example.app')).toBe('com.example.app')
    expect(siteOf('   ')).toBeUndefined()
    expect(siteOf('http://')).toBeUndefined()
  })
})
