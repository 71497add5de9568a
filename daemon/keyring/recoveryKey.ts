/**
 * The recovery key: 160 random bits shown once as 32 Crockford base32 characters in groups of four
 * (`ABCD-EFGH-…`), easy to print and type back. Reading it back ignores case, spaces and dashes and
 * takes the look-alikes O → 0 and I, L → 1.
 */
import { randomBytes } from '../crypto/random.js'
import { InvalidRecoveryKeyError } from './errors.js'

export const RECOVERY_KEY_BYTES = 20
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

/** A new recovery key: its bytes (the slot's secret) and how it is shown. */
export function newRecoveryKey(): { bytes: Uint8Array; text: string } {
  const bytes = randomBytes(RECOVERY_KEY_BYTES)
  return { bytes, text: formatRecoveryKey(bytes) }
}

export function formatRecoveryKey(bytes: Uint8Array): string {
  let bits = 0
  let value = 0
  let out = ''
  for (const byte of bytes) {
    value = (value << 8) | byte
    bits += 8
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31]
      bits -= 5
    }
    value &= (1 << bits) - 1
  }
  return (out.match(/.{1,4}/g) ?? []).join('-')
}

/** The bytes of a typed recovery key; InvalidRecoveryKeyError when it cannot be one. */
export function parseRecoveryKey(text: string): Uint8Array {
  const clean = text.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1')
  if (clean.length !== (RECOVERY_KEY_BYTES * 8) / 5) throw new InvalidRecoveryKeyError()
  const out = new Uint8Array(RECOVERY_KEY_BYTES)
  let bits = 0
  let value = 0
  let i = 0
  for (const ch of clean) {
    const digit = ALPHABET.indexOf(ch)
    if (digit < 0) throw new InvalidRecoveryKeyError()
    value = ((value << 5) | digit) & 0xffff
    bits += 5
    if (bits >= 8) {
      out[i++] = (value >>> (bits - 8)) & 0xff
      bits -= 8
    }
  }
  return out
}
