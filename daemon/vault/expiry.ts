/**
 * When an item expires and how soon: its own `expiresAt`, or for a card without one, the end of its
 * expiry month. "Expiring soon" is within EXPIRING_SOON_DAYS. Computed when shown, never stored
 * (the answer changes with the clock). web-ui/src/expiry.ts mirrors this for the dashboard.
 */
import type { Item } from './Item.js'
import { InvalidItemError } from './errors.js'

export const EXPIRING_SOON_DAYS = 30
const DAY_MS = 86_400_000
const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/

export type ExpiryState = 'expired' | 'expiring-soon'

/** The moment an item stops being valid, or undefined when it has no expiry. */
export function expiryOf(item: Pick<Item, 'expiresAt' | 'card'>): Date | undefined {
  if (item.expiresAt !== null) {
    const d = new Date(item.expiresAt)
    return Number.isNaN(d.getTime()) ? undefined : d
  }
  const month = Number(item.card?.expMonth ?? '')
  const year = Number(item.card?.expYear ?? '')
  // a card is valid through the last day of its expiry month
  if (month >= 1 && month <= 12 && year > 0) return new Date(Date.UTC(year, month, 1))
  return undefined
}

/** 'expired', 'expiring-soon' (within 30 days) or undefined. */
export function expiryState(item: Pick<Item, 'expiresAt' | 'card'>, now = new Date()): ExpiryState | undefined {
  const at = expiryOf(item)
  if (at === undefined) return undefined
  if (at.getTime() <= now.getTime()) return 'expired'
  if (at.getTime() - now.getTime() <= EXPIRING_SOON_DAYS * DAY_MS) return 'expiring-soon'
  return undefined
}

/** Checks an expiry date given by a caller: an ISO 8601 date or date-time, stored as ISO 8601 UTC; '' and null clear it. */
export function normalizeExpiry(value: unknown): string | null {
  if (value === null || value === '') return null
  const s = typeof value === 'string' ? value.trim() : ''
  const d = ISO_DATE.test(s) && realDay(s) ? new Date(s.length === 10 ? `${s}T00:00:00Z` : s.replace(' ', 'T')) : undefined
  if (d === undefined || Number.isNaN(d.getTime()))
    throw new InvalidItemError('expiresAt must be an ISO 8601 date such as 2027-01-31 (or a date-time), or null')
  return d.toISOString()
}

/** The date part names a day that exists (Date would roll 2027-02-31 over to March 3). */
function realDay(s: string): boolean {
  const [y, m, d] = s.slice(0, 10).split('-').map(Number) as [number, number, number]
  return new Date(Date.UTC(y, m - 1, d)).toISOString().slice(0, 10) === s.slice(0, 10)
}
