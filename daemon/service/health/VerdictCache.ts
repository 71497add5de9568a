/**
 * The strength scores of passwords already estimated while the vault is unlocked, so that the health
 * report estimates each distinct password once. Entries are keyed by HMAC-SHA256 (never by the
 * password itself) under a key given at unlock — the device's own, derived from its root key, so the
 * scores stored sealed for the next unlock still match (StoredScores) — or a random one; `clear()`
 * at lock drops the entries and zeroes the key, so nothing here can be matched against a guess
 * without the root key.
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

  /** At lock: forget every score and replace the key (the old one is zeroed first); at unlock, `key` is this device's own. */
  clear(key: Uint8Array = randomBytes(32)): void {
    this.scores.clear()
    this.key.fill(0)
    this.key = Buffer.from(key)
    key.fill(0)
  }

  /** Every score whose digest is in `digests`. */
  entries(digests: Set<string>): Array<[string, StrengthScore]> {
    return [...this.scores].filter(([d]) => digests.has(d))
  }
}
