/**
 * The strength scores of passwords already estimated while the vault is unlocked, so that the health
 * report estimates each distinct password once. Entries are keyed by HMAC-SHA256 under a random key
 * made for this unlock (never by the password itself); `clear()` at lock drops the entries and
 * zeroes the key, so nothing here outlives the unlocked session or can be matched against a guess
 * without that key.
 */
import { createHmac, randomBytes } from 'node:crypto'
import type { StrengthScore } from './StrengthEstimator.js'

export class VerdictCache {
  private key: Buffer = randomBytes(32)
  private readonly scores = new Map<string, StrengthScore>()

  /** The keyed hash of a password: what the cache and the report's reuse grouping compare. */
  digest(password: string): string {
    return createHmac('sha256', this.key).update(password, 'utf8').digest('base64')
  }

  get(digest: string): StrengthScore | undefined {
    return this.scores.get(digest)
  }

  set(digest: string, score: StrengthScore): void {
    this.scores.set(digest, score)
  }

  get size(): number {
    return this.scores.size
  }

  /** At lock: forget every score and replace the key (the old one is zeroed first). */
  clear(): void {
    this.scores.clear()
    this.key.fill(0)
    this.key = randomBytes(32)
  }
}
