/**
 * Password health on this device, with no network: the report over every live item of the open
 * vaults (healthRules.ts) and the strength verdict of one password (for the meters and the
 * "use it anyway" checks). Each distinct password is estimated once, in the background, and its
 * score kept under a keyed hash (VerdictCache) — in memory, and sealed on disk for the next unlocks
 * (StoredScores) when the device gives this service its own key. A report answers within a short
 * wait whatever is known: `complete: false` and `pending` (distinct passwords still being estimated)
 * until every score is in; the CLI and the dashboard ask again until it is complete. An edit or a
 * synced change queues the changed item's password once a report has been asked for. A lock forgets
 * every score and drops the queue.
 */
import { performance } from 'node:perf_hooks'
import { LockedError } from '../../keyring/errors.js'
import { healthReport, type HealthEntry, type HealthReport } from './healthRules.js'
import type { StrengthEstimator, StrengthVerdict } from './StrengthEstimator.js'
import { VerdictCache } from './VerdictCache.js'
import { StoredScores } from './StoredScores.js'
import type { StorageAdapter } from '../../storage/StorageAdapter.js'
import type { StrengthScore } from './StrengthEstimator.js'

/** How long one run of estimates may hold the event loop before it yields (other requests go between). */
const SLICE_MS = 20
/** How long after the last item change the background re-estimate starts (a sync brings changes in bursts). */
const REFRESH_DELAY_MS = 200
/** How long a report waits for estimates before it answers with what is known. */
export const REPORT_WAIT_MS = 300

/** The report with how far the estimates have come. */
export interface HealthAnswer extends HealthReport {
  /** every live password has its score: nothing below changes by asking again */
  complete: boolean
  /** distinct passwords not estimated yet (their items are not called weak until they are) */
  pending: number
}

export interface HealthServiceOptions {
  estimator: StrengthEstimator
  /** every live item (throws LockedError while locked) */
  entries: () => HealthEntry[]
  /** one live item, or undefined */
  entryOf: (id: string) => HealthEntry | undefined
  /** 'locked' and 'unlocked': the scores of one session never reach the next */
  session: { on: (event: 'locked' | 'unlocked', listener: () => void) => unknown }
  /** item changes, local or synced */
  changes: { on: (event: 'item-changed', listener: (change: { id: string }) => void) => unknown }
  /** this device's own keys (Keyring.localKey) and its meta/ storage: scores kept sealed between unlocks; without them, per session only */
  persist?: { localKey: (label: string) => Uint8Array; storage: StorageAdapter }
  now?: () => Date
}

/** How long after the last estimate the scores are written (sealed) for the next unlock. */
const SAVE_DELAY_MS = 1000

const yieldToEventLoop = async (): Promise<void> => await new Promise(resolve => setImmediate(resolve))
const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms).unref())

export class HealthService {
  private readonly cache = new VerdictCache()
  /** bumped at every lock and unlock: estimates queued in an earlier session are dropped */
  private generation = 0
  /** digest → password, waiting for an estimate */
  private readonly queue = new Map<string, string>()
  private draining: Promise<void> | undefined
  private readonly changed = new Set<string>()
  private refreshTimer: NodeJS.Timeout | undefined
  private readonly stored: StoredScores | undefined
  /** this session's read of the stored scores (once, at the first report) */
  private loading: Promise<void> | undefined
  /** the digests of the passwords in use at the last report: only theirs are written */
  private inUse = new Set<string>()
  private unsaved = false
  private saveTimer: NodeJS.Timeout | undefined

  constructor(private readonly options: HealthServiceOptions) {
    const persist = options.persist
    this.stored = persist === undefined ? undefined : new StoredScores(persist.storage, () => persist.localKey('health-scores'))
    const reset = (key?: Uint8Array): void => {
      this.generation++
      this.cache.clear(key)
      this.queue.clear()
      this.changed.clear()
      clearTimeout(this.refreshTimer)
      this.refreshTimer = undefined
      clearTimeout(this.saveTimer)
      this.saveTimer = undefined
      this.loading = undefined
      this.inUse = new Set()
      this.unsaved = false
    }
    options.session.on('locked', () => reset())
    // the digests' key is this device's own while persisting (the stored scores must match the next session's digests)
    options.session.on('unlocked', () => {
      let key: Uint8Array | undefined
      try {
        key = persist?.localKey('health-digest')
      } catch {}
      reset(key)
    })
    options.changes.on('item-changed', ({ id }) => this.onChange(id))
  }

  /** The strength verdict of one password (not kept). */
  async strength(password: string): Promise<StrengthVerdict> {
    return await this.options.estimator.estimate(password)
  }

  /**
   * The health of every live item, with the scores known after waiting up to `waitMs` for the
   * passwords not estimated yet in this session (they are estimated in the background meanwhile).
   */
  async report(options: { waitMs?: number } = {}): Promise<HealthAnswer> {
    const generation = this.generation
    const entries = this.options.entries()
    await this.loadStored()
    if (this.generation !== generation) throw new LockedError()
    const digests = entries.map(e => (e.password === '' ? '' : this.cache.digest(e.password)))
    this.inUse = new Set(digests.filter(d => d !== ''))
    entries.forEach((e, i) => {
      this.enqueue(digests[i] as string, e.password)
    })
    const job = this.drain()
    if (this.queue.size > 0) await Promise.race([job, sleep(options.waitMs ?? REPORT_WAIT_MS)])
    if (this.generation !== generation) throw new LockedError()
    const pending = new Set(digests.filter(d => d !== '' && this.cache.get(d) === undefined)).size
    const report = healthReport(entries, {
      digests,
      scoreOf: digest => this.cache.get(digest),
      now: (this.options.now ?? (() => new Date()))()
    })
    return { ...report, complete: pending === 0, pending }
  }

  /** How many distinct passwords have a score in this session. */
  get estimated(): number {
    return this.cache.size
  }

  /** Fills the cache from the sealed scores of earlier sessions (once per session). */
  private async loadStored(): Promise<void> {
    if (this.stored === undefined) return
    const generation = this.generation
    this.loading ??= this.stored
      .load()
      .then(entries => {
        if (this.generation !== generation) return
        for (const [digest, score] of entries) if (this.cache.get(digest) === undefined) this.cache.set(digest, score)
      })
      .catch(() => {})
    await this.loading
  }

  /** Writes the scores of the passwords in use, a moment after the last estimate. */
  private scheduleSave(): void {
    if (this.stored === undefined || !this.unsaved) return
    const generation = this.generation
    clearTimeout(this.saveTimer)
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined
      if (this.generation !== generation || this.queue.size > 0) return
      const entries: Array<[string, StrengthScore]> = this.cache.entries(this.inUse)
      this.unsaved = false
      // a lock in between makes the key unavailable: nothing is written, the next session estimates again
      void this.stored?.save(entries).catch(() => {})
    }, SAVE_DELAY_MS)
    this.saveTimer.unref()
  }

  private enqueue(digest: string, password: string): void {
    if (digest !== '' && this.cache.get(digest) === undefined) this.queue.set(digest, password)
  }

  /** Estimates what is queued, in slices that yield to the event loop; one run at a time. */
  private drain(): Promise<void> {
    if (this.queue.size === 0) return Promise.resolve()
    this.draining ??= (async () => {
      const { estimator } = this.options
      await estimator.load()
      let sliceStart = performance.now()
      for (const [digest, password] of this.queue) {
        this.queue.delete(digest)
        if (this.cache.get(digest) === undefined) {
          this.cache.set(digest, estimator.estimateLoaded(password).score)
          this.unsaved = true
        }
        if (performance.now() - sliceStart > SLICE_MS) {
          await yieldToEventLoop()
          sliceStart = performance.now()
        }
      }
    })().finally(() => {
      this.draining = undefined
      this.scheduleSave()
    })
    return this.draining
  }

  /** Once a report was made in this session, a changed item's password is estimated soon after, in the background. */
  private onChange(id: string): void {
    if (this.cache.size === 0) return
    this.changed.add(id)
    clearTimeout(this.refreshTimer)
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined
      const ids = [...this.changed]
      this.changed.clear()
      for (const entry of ids.map(i => this.options.entryOf(i)))
        if (entry !== undefined && entry.password !== '') this.enqueue(this.cache.digest(entry.password), entry.password)
      void this.drain().catch(() => {})
    }, REFRESH_DELAY_MS)
    this.refreshTimer.unref()
  }
}
