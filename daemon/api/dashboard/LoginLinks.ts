/**
 * One-time login codes for `kith open`: the CLI (bearer token) mints a code, the browser gets it in
 * the URL fragment (never sent to a server, never in a log) and posts it once to redeem a session.
 * A code is 128 random bits, works once, and expires after 60 seconds.
 */
import { createHash } from 'node:crypto'
import { randomBytes } from '../../crypto/random.js'
import { toBase64Url } from '../../crypto/bytes.js'

export const LOGIN_CODE_TTL_MS = 60_000
/** outstanding codes kept at most; minting more forgets the oldest */
const MAX_CODES = 8

const keyOf = (code: string): string => createHash('sha256').update(code).digest('base64url')

export class LoginLinks {
  /** hash of the code → expiry time */
  private readonly codes = new Map<string, number>()

  constructor(
    private readonly now: () => number = Date.now,
    private readonly ttlMs = LOGIN_CODE_TTL_MS
  ) {}

  mint(): { code: string; expiresAt: number } {
    this.prune()
    const code = toBase64Url(randomBytes(16))
    const expiresAt = this.now() + this.ttlMs
    this.codes.set(keyOf(code), expiresAt)
    while (this.codes.size > MAX_CODES) this.codes.delete(this.codes.keys().next().value as string)
    return { code, expiresAt }
  }

  /** True once for a live code; the code is spent whether or not it was still valid. */
  redeem(code: unknown): boolean {
    if (typeof code !== 'string' || code.length === 0 || code.length > 64) return false
    const key = keyOf(code)
    const expiresAt = this.codes.get(key)
    this.codes.delete(key)
    return expiresAt !== undefined && this.now() <= expiresAt
  }

  /** Forgets every code (lock). */
  clear(): void {
    this.codes.clear()
  }

  private prune(): void {
    const now = this.now()
    for (const [key, expiresAt] of this.codes) if (expiresAt < now) this.codes.delete(key)
  }
}
