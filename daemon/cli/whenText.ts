/**
 * Times as the CLI prints them for people (newcomer report F29): relative for the past ("5 min ago")
 * and local clock time for a deadline ("14:13 local, in 10 min"); --json keeps ISO 8601.
 */

/** Milliseconds since the epoch, or undefined for a missing or unreadable time. */
function millis(when: string | number | null | undefined): number | undefined {
  if (when === null || when === undefined || when === '') return undefined
  const t = typeof when === 'number' ? when : Date.parse(when)
  return Number.isNaN(t) ? undefined : t
}

/** A span of time in words: "30 s", "5 min", "3 h", "2 days". */
function span(ms: number): string {
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.round(s / 60)} min`
  if (s < 86_400) return `${Math.round(s / 3600)} h`
  const days = Math.round(s / 86_400)
  return `${days} day${days === 1 ? '' : 's'}`
}

/** A local date and time, minutes only: "2026-12-01 15:04". */
function localTime(t: number): string {
  const d = new Date(t)
  const two = (n: number): string => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`
}

/** When something happened: "just now", "5 min ago", up to a week; then the local date and time. */
export function timeAgo(when: string | number | null | undefined, now = Date.now()): string {
  const t = millis(when)
  if (t === undefined) return 'never'
  const ms = now - t
  if (ms < 45_000) return 'just now'
  if (ms < 7 * 86_400_000) return `${span(ms)} ago`
  return localTime(t)
}

/** A deadline: the local time and how far off it is ("2026-12-01 15:13, in 10 min"), or that it passed. */
export function deadlineText(when: string | number, now = Date.now()): string {
  const t = millis(when)
  if (t === undefined) return String(when)
  return t <= now ? `${localTime(t)}, already passed` : `${localTime(t)}, in ${span(t - now)}`
}
