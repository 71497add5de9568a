/** The CLI prints times for people, not raw UTC (newcomer report F29): "5 min ago", and a local deadline with how far off it is. */
import { describe, expect, it } from 'vitest'
import { deadlineText, timeAgo } from '../../daemon/cli/whenText.js'

const NOW = new Date(2026, 11, 1, 15, 4, 6).getTime()

describe('timeAgo', () => {
  it('says how long ago, never an ISO timestamp', () => {
    expect(timeAgo(new Date(NOW - 10_000).toISOString(), NOW)).toBe('just now')
    expect(timeAgo(new Date(NOW - 5 * 60_000).toISOString(), NOW)).toBe('5 min ago')
    expect(timeAgo(NOW - 3 * 3_600_000, NOW)).toBe('3 h ago')
    expect(timeAgo(NOW - 86_400_000, NOW)).toBe('1 day ago')
    expect(timeAgo(null, NOW)).toBe('never')
  })

  it('gives the local date and time past a week', () => {
    const then = new Date(2026, 10, 2, 9, 7).getTime()
    expect(timeAgo(new Date(then).toISOString(), NOW)).toBe('2026-11-02 09:07')
  })
})

describe('deadlineText', () => {
  it('gives the local time and how far off it is', () => {
    const at = new Date(2026, 11, 1, 15, 14, 6).toISOString()
    const text = deadlineText(at, NOW)
    expect(text).toBe('2026-12-01 15:14, in 10 min')
    expect(text).not.toMatch(/T\d\d:|Z/)
  })

  it('says when it already passed', () => {
    expect(deadlineText(NOW - 1000, NOW)).toBe('2026-12-01 15:04, already passed')
  })
})
