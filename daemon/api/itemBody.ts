/** Turns an item JSON body into an ItemInput: known fields only, TOTP secrets normalised to otpauth URIs. */
import type { ItemInput } from '../vault/Item.js'
import { normalizeInput } from '../vault/VaultDoc.js'
import { normalizeTotp } from '../service/totp.js'

export function itemInputFromBody (body: Record<string, unknown>): ItemInput {
  const raw: Record<string, unknown> = { ...body }
  if (typeof raw.url === 'string' && raw.urls === undefined) raw.urls = [raw.url]
  const input = normalizeInput(raw as ItemInput)
  if (typeof input.totp === 'string') input.totp = normalizeTotp(input.totp, input.title ?? 'Kith')
  return input
}
