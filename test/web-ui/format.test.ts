/** Text helpers of the dashboard (web-ui/src/format.ts): relative times, hosts, safe links, avatar colours. */
import { describe, it, expect } from 'vitest'
import { hostOf, hueClass, safeHref, timeAgo } from '../../web-ui/src/format.js'

describe('timeAgo', () => {
  const now = Date.parse('2026-03-01T12:00:00Z')
  const ago = (seconds: number): number => now - seconds * 1000

  it('says never or unknown for what is not a time', () => {
    expect(timeAgo(null, now)).toBe('never')
    expect(timeAgo(undefined, now)).toBe('never')
    expect(timeAgo('', now)).toBe('never')
    expect(timeAgo('yesterday-ish', now)).toBe('unknown')
  })

  it('rounds into minutes, hours and days at the boundaries', () => {
    expect(timeAgo(ago(44), now)).toBe('just now')
    expect(timeAgo(ago(45), now)).toBe('1 min ago')
    expect(timeAgo(ago(3599), now)).toBe('60 min ago')
    expect(timeAgo(ago(3600), now)).toBe('1 h ago')
    expect(timeAgo(ago(86_399), now)).toBe('24 h ago')
    expect(timeAgo(ago(86_400), now)).toBe('1 day ago')
    expect(timeAgo(new Date(ago(2 * 86_400)).toISOString(), now)).toBe('2 days ago')
  })

  it('shows a date from a week on', () => {
    const t = ago(7 * 86_400)
    expect(timeAgo(t, now)).toBe(new Date(t).toLocaleDateString())
  })
})

describe('links', () => {
  it('shows the host of a URL, with or without a scheme, and the text itself otherwise', () => {
    expect(hostOf('https://github.com/login')).toBe('github.com')
    expect(hostOf('mail.example.com:8443/inbox')).toBe('mail.example.com:8443')
    expect(hostOf('not a url')).toBe('not a url')
  })

  it('links only http and https, never javascript: or data:', () => {
    expect(safeHref('https://example.com/a?b=c')).toBe('https://example.com/a?b=c')
    expect(safeHref('example.com')).toBe('https://example.com/')
    expect(safeHref('http://intranet.local/')).toBe('http://intranet.local/')
    for (const bad of [
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      'data:text/html,<script>1</script>',
      'file:///etc/passwd',
      'ftp://files.example/x',
      'vbscript:msgbox'
    ]) {
      expect(safeHref(bad), bad).toBeUndefined()
    }
    expect(safeHref('http://[bad')).toBeUndefined()
  })
})

describe('hueClass', () => {
  it('gives the same text the same of eight colours', () => {
    const seen = new Set<string>()
    for (const t of ['GitHub', 'Bank', 'Mail', 'Router', 'Wi-Fi', 'AWS', 'Shop', 'Forum', 'ü', '']) {
      const c = hueClass(t)
      expect(c).toMatch(/^hue-[0-7]$/)
      expect(hueClass(t)).toBe(c)
      seen.add(c)
    }
    expect(seen.size).toBeGreaterThan(2)
  })
})
