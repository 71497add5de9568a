/**
 * Item types as the dashboard names them, and an item's expiry state ("expired", "expires soon":
 * within 30 days, from `expiresAt` or else a card's expiry month) — the same rule as
 * daemon/vault/expiry.ts, which the CLI uses (test/web-ui/itemTypes.test.ts checks they agree).
 */
import type { Item } from '../../daemon/vault/Item.js'

export type ItemType = Item['type']

export const TYPE_LABELS: Record<ItemType, string> = {
  login: 'Login',
  note: 'Secure note',
  card: 'Payment card',
  identity: 'Identity',
  sshKey: 'SSH key',
  other: 'Other'
}

const SOON_MS = 30 * 86_400_000

/** 'expired', 'expiring-soon' or undefined. */
export function expiryOf(item: Pick<Item, 'expiresAt' | 'card'>, now = Date.now()): 'expired' | 'expiring-soon' | undefined {
  const month = Number(item.card?.expMonth ?? '')
  const year = Number(item.card?.expYear ?? '')
  const at =
    item.expiresAt !== null
      ? new Date(item.expiresAt).getTime()
      : month >= 1 && month <= 12 && year > 0
        ? Date.UTC(year, month, 1)
        : Number.NaN
  if (Number.isNaN(at)) return undefined
  return at <= now ? 'expired' : at - now <= SOON_MS ? 'expiring-soon' : undefined
}

/** The list row's second line for an item that is not a login: a card's brand and last digits, an identity's name… */
export function typedSummary(item: Item): string | undefined {
  if (item.card !== undefined)
    return [item.card.brand, item.card.number !== '' ? `•••• ${item.card.number.slice(-4)}` : ''].join(' ').trim()
  if (item.identity !== undefined)
    return [item.identity.firstName, item.identity.lastName].join(' ').trim() || item.identity.email || undefined
  if (item.sshKey !== undefined) return item.sshKey.fingerprint || undefined
  if (item.type === 'note') return item.notes.split('\n')[0]
  return undefined
}
