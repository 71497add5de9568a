/** Converts the time stamps formats use (Unix seconds or ms, ISO strings, .NET ticks in base64) to ISO 8601. */

/** ISO 8601 from Unix seconds, or undefined for missing or absurd values. */
export function isoFromSeconds(s: unknown): string | undefined {
  const n = typeof s === 'string' && s.trim() !== '' ? Number(s) : s
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0 || n > 32503680000) return undefined
  return new Date(n * 1000).toISOString()
}

/** ISO 8601 from Unix milliseconds (Firefox). */
export function isoFromMillis(ms: unknown): string | undefined {
  const n = typeof ms === 'string' && ms.trim() !== '' ? Number(ms) : ms
  return typeof n === 'number' ? isoFromSeconds(n / 1000) : undefined
}

/** ISO 8601 from any string Date can parse, or undefined. */
export function isoFromString(s: unknown): string | undefined {
  if (typeof s !== 'string' || s.trim() === '') return undefined
  const d = new Date(s.trim())
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString()
}

const SECONDS_0001_TO_1970 = 62135596800

/** KDBX 4 XML time: base64 of an int64 LE count of seconds since 0001-01-01; ISO strings (KDBX 3) pass through. */
export function isoFromKeePassTime(s: unknown): string | undefined {
  if (typeof s !== 'string' || s.trim() === '') return undefined
  const t = s.trim()
  if (/^[A-Za-z0-9+/]{11}=$/.test(t)) {
    const b = Buffer.from(t, 'base64')
    if (b.length === 8) return isoFromSeconds(Number(b.readBigInt64LE(0)) - SECONDS_0001_TO_1970)
  }
  return isoFromString(t)
}
