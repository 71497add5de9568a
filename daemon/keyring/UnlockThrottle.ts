/**
 * One global backoff for failed unlocks (every client is 127.0.0.1, so per-IP makes no sense):
 * three free attempts, then 1 s, 2 s, 4 s … capped at 5 minutes. The state is persisted so a
 * daemon restart does not reset it; attempts run one at a time. Its storage is the meta/ view
 * (metaLayout in storage/storageLayout.ts).
 */
import type { StorageAdapter } from '../storage/StorageAdapter.js'
import { metaLayout } from '../storage/storageLayout.js'
import { ThrottledError } from './errors.js'

const KEY = metaLayout.unlockThrottle
const FREE_ATTEMPTS = 3
const MAX_DELAY_MS = 5 * 60 * 1000

/** Stored as JSON `{"v": 1, "failures": n, "lastFailureAt": ms}` (no secret in it). */
interface State {
  failures: number
  lastFailureAt: number
}
const VERSION = 1

export class UnlockThrottle {
  private state: State = { failures: 0, lastFailureAt: 0 }
  private queue: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly storage: StorageAdapter,
    private readonly now: () => number = Date.now
  ) {}

  async load(): Promise<void> {
    const raw = await this.storage.get(KEY)
    if (raw !== undefined) {
      try {
        const parsed = JSON.parse(new TextDecoder().decode(raw)) as State & { v?: number }
        if (parsed.v !== VERSION || typeof parsed.failures !== 'number' || typeof parsed.lastFailureAt !== 'number')
          throw new Error('unknown throttle record')
        this.state = { failures: parsed.failures, lastFailureAt: parsed.lastFailureAt }
      } catch {
        // an unreadable record must not become a free pass: treat it as the free attempts used up
        this.state = { failures: FREE_ATTEMPTS, lastFailureAt: this.now() }
      }
    }
  }

  /** Milliseconds until the next attempt is allowed (0 when it is allowed now). */
  retryAfterMs(): number {
    if (this.state.failures < FREE_ATTEMPTS) return 0
    const delay = Math.min(MAX_DELAY_MS, 1000 * 2 ** (this.state.failures - FREE_ATTEMPTS))
    return Math.max(0, this.state.lastFailureAt + delay - this.now())
  }

  get failures(): number {
    return this.state.failures
  }

  /**
   * Runs `attempt` when allowed, one at a time. A throw of an error for which `isFailure` is true
   * counts as a failure; success resets the counter. Throws ThrottledError before running the KDF.
   */
  async run<T>(attempt: () => Promise<T>, isFailure: (err: unknown) => boolean): Promise<T> {
    const next = this.queue.then(async () => {
      const wait = this.retryAfterMs()
      if (wait > 0) throw new ThrottledError(wait)
      try {
        const result = await attempt()
        if (this.state.failures !== 0) await this.save({ failures: 0, lastFailureAt: 0 })
        return result
      } catch (err) {
        if (isFailure(err)) await this.save({ failures: this.state.failures + 1, lastFailureAt: this.now() })
        throw err
      }
    })
    this.queue = next.catch(() => {})
    return await next
  }

  private async save(state: State): Promise<void> {
    this.state = state
    await this.storage.put(KEY, new TextEncoder().encode(JSON.stringify({ v: VERSION, ...state })))
  }
}
