/** Small text helpers for the screens. */

/** "just now", "5 min ago", "3 h ago", "2 days ago", or a date. */
export function timeAgo(iso: string | number | null | undefined, now = Date.now()): string {
  if (iso === null || iso === undefined || iso === '') return 'never'
  const t = typeof iso === 'number' ? iso : Date.parse(iso)
  if (Number.isNaN(t)) return 'unknown'
  const s = Math.round((now - t) / 1000)
  if (s < 45) return 'just now'
  if (s < 3600) return `${Math.round(s / 60)} min ago`
  if (s < 86400) return `${Math.round(s / 3600)} h ago`
  const days = Math.round(s / 86400)
  if (s < 7 * 86400) return `${days} day${days === 1 ? '' : 's'} ago`
  return new Date(t).toLocaleDateString()
}

/** The host of a URL for display, or the text itself when it is not a URL. */
export function hostOf(url: string): string {
  try {
    return new URL(url.includes('://') ? url : `https://${url}`).host
  } catch {
    return url
  }
}

/** Only http(s) URLs become links (never javascript: or data:). */
export function safeHref(url: string): string | undefined {
  try {
    const u = new URL(url.includes('://') ? url : `https://${url}`)
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : undefined
  } catch {
    return undefined
  }
}

/** A stable colour class (hue-0 … hue-7) for an item's letter avatar. */
export function hueClass(text: string): string {
  let h = 0
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) >>> 0
  return `hue-${h % 8}`
}
