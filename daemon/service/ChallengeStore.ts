/**
 * WebAuthn challenges waiting for their answer: each one random, single-use (taken out before its
 * answer is checked, so a failed check burns it too), expiring after a couple of minutes, and only a
 * few outstanding at a time (a new one pushes out the oldest). Memory only: a restart forgets them.
 */
import { getRandomValues } from 'node:crypto'

/** how long a ceremony may take from its options to its answer */
export const CHALLENGE_TTL_MS = 2 * 60_000
/** how many ceremonies may wait at once */
export const MAX_OUTSTANDING_CHALLENGES = 4

export class ChallengeError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ChallengeError'
  }
}

export interface ChallengeStoreOptions {
  ttlMs?: number
  max?: number
  now?: () => number
}

export class ChallengeStore<T> {
  private readonly waiting = new Map<string, { value: T; expiresAt: number }>()
  private readonly ttlMs: number
  private readonly max: number
  private readonly now: () => number

  constructor(options: ChallengeStoreOptions = {}) {
    this.ttlMs = options.ttlMs ?? CHALLENGE_TTL_MS
    this.max = Math.max(1, options.max ?? MAX_OUTSTANDING_CHALLENGES)
    this.now = options.now ?? ((): number => Date.now())
  }

  /** A new challenge (32 random bytes) remembered with `value`; answers its bytes and base64url form. */
  issue(value: T): { bytes: Uint8Array<ArrayBuffer>; challenge: string } {
    this.sweep()
    while (this.waiting.size >= this.max) {
      const oldest = this.waiting.keys().next().value
      if (oldest === undefined) break
      this.waiting.delete(oldest)
    }
    const bytes = getRandomValues(new Uint8Array(32))
    const challenge = Buffer.from(bytes).toString('base64url')
    this.waiting.set(challenge, { value, expiresAt: this.now() + this.ttlMs })
    return { bytes, challenge }
  }

  /** Takes the challenge out (it never counts again) and answers its value; ChallengeError when unknown, used or expired. */
  take(challenge: string): T {
    const entry = this.waiting.get(challenge)
    this.waiting.delete(challenge)
    if (entry === undefined) throw new ChallengeError('this passkey request is unknown or was used already: start again')
    if (entry.expiresAt <= this.now()) throw new ChallengeError('this passkey request expired: start again')
    return entry.value
  }

  get size(): number {
    this.sweep()
    return this.waiting.size
  }

  private sweep(): void {
    const now = this.now()
    for (const [key, entry] of this.waiting) if (entry.expiresAt <= now) this.waiting.delete(key)
  }
}
