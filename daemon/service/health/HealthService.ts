/**
 * Password health on this device, with no network: the report over every live item of the open
 * vaults (healthRules.ts) and the strength verdict of one password (for the meters and the
 * "use it anyway" checks). Each distinct password is estimated once, in a worker thread
 * (ScoreWorker: the daemon's event loop keeps answering meanwhile), and its score kept under a
 * keyed hash (VerdictCache) — in memory, and sealed on disk for the next unlocks (StoredScores) when
 * the device gives this service its own key. The rows the rules read are kept for the session and,
 * sealed, for the next unlock (HealthRows, StoredHealthRows). A report answers within a short wait
 * whatever is known: `complete: false` and `pending` (distinct passwords still being estimated)
 * until every score is in; the CLI and the dashboard ask again until it is complete. An edit or a
 * synced change queues the changed item's password once a report has been asked for. A lock forgets
 * every score and row, drops the queue and stops the worker.
 */
import { LockedError } from '../../keyring/errors.js'
import { healthReportOfRows, type HealthEntry, type HealthReport, type HealthRow } from './healthRules.js'
import type { StrengthEstimator, StrengthVerdict, StrengthScore } from './StrengthEstimator.js'
import { VerdictCache } from './VerdictCache.js'
import { StoredScores } from './StoredScores.js'
import { StoredHealthRows } from './StoredHealthRows.js'
import { HealthRows } from './HealthRows.js'
import { ScoreWorker, ScoreWorkerError, type Scorer } from './ScoreWorker.js'
import type { StorageAdapter } from '../../storage/StorageAdapter.js'
import type { Log } from '../../log.js'

/** Passwords per message to the worker: a few hundred ms of estimates, so a lock stops it soon. */
const BATCH = 64
/** How long after the last item change the background re-estimate starts (a sync brings changes in bursts). */
const REFRESH_DELAY_MS = 200
/** How long a report waits for estimates before it answers with what is known, when only a few are left. */
export const REPORT_WAIT_MS = 300
/** At most this many passwords left to estimate: a report waits (REPORT_WAIT_MS) rather than answer at once. */
const FEW_PENDING = 32

/** The report with how far the estimates have come. */
export interface HealthAnswer extends HealthReport {
  /** every live password has its score: nothing below changes by asking again */
  complete: boolean
  /** distinct passwords not estimated yet (their items are not called weak until they are) */
  pending: number
}

export interface HealthServiceOptions {
  /** the verdict of one password (the meters) */
  estimator: StrengthEstimator
  /** the report's estimates; a worker thread by default */
  scorer?: Scorer
  /** every live item (throws LockedError while locked) */
  entries: () => HealthEntry[]
  /** one live item, or undefined */
  entryOf: (id: string) => HealthEntry | undefined
  /** the open vaults and their heads (ItemService.healthState; throws LockedError while locked) */
  state: () => { vaults: string; heads: string }
  /** 'locked' and 'unlocked': the scores of one session never reach the next */
  session: { on: (event: 'locked' | 'unlocked', listener: () => void) => unknown }
  /** item changes, local or synced */
  changes: { on: (event: 'item-changed', listener: (change: { id: string }) => void) => unknown }
  /** this device's own keys (Keyring.localKey) and its meta/ storage: scores and rows kept sealed between unlocks; without them, per session only */
  persist?: { localKey: (label: string) => Uint8Array; storage: StorageAdapter }
  now?: () => Date
  /** where a failed worker is reported (never with a password) */
  log?: Log
}

/** How long after the last estimate the scores and rows are written (sealed) for the next unlock. */
const SAVE_DELAY_MS = 1000

const yieldToEventLoop = async (): Promise<void> => await new Promise(resolve => setImmediate(resolve))
const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms).unref())

export class HealthService {
  private readonly cache = new VerdictCache()
  /** bumped at every lock and unlock: estimates queued in an earlier session are dropped */
  private generation = 0
  /** digest → password, waiting for an estimate */
  private readonly queue = new Map<string, string>()
  /** digests sent to the scorer and not answered yet */
  private readonly inFlight = new Set<string>()
  private draining: Promise<void> | undefined
  private readonly changed = new Set<string>()
  private refreshTimer: NodeJS.Timeout | undefined
  private readonly stored: StoredScores | undefined
  private readonly rows: HealthRows
  private readonly scorer: Scorer
  /** this session's read of the stored scores (once, at the first report) */
  private loading: Promise<void> | undefined
  /** the digests of the passwords in use at the last report: only theirs are written */
  private inUse = new Set<string>()
  private unsaved = false
  private saveTimer: NodeJS.Timeout | undefined
  private sent = 0

  constructor(private readonly options: HealthServiceOptions) {
    const persist = options.persist
    this.stored = persist === undefined ? undefined : new StoredScores(persist.storage, () => persist.localKey('health-scores'))
    const storedRows = persist === undefined ? undefined : new StoredHealthRows(persist.storage, () => persist.localKey('health-rows'))
    this.rows = new HealthRows(
      { entries: options.entries, entryOf: options.entryOf, state: options.state },
      password => this.cache.digest(password),
      storedRows
    )
    this.scorer = options.scorer ?? new ScoreWorker()
    const reset = (key?: Uint8Array): void => {
      this.generation++
      this.scorer.stop()
      this.cache.clear(key)
      this.rows.clear()
      this.queue.clear()
      this.inFlight.clear()
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
    this.options.state()
    await this.loadStored()
    if (this.generation !== generation) throw new LockedError()
    const { rows, unscored } = await this.rows.read(digest => this.cache.get(digest) !== undefined)
    if (this.generation !== generation) throw new LockedError()
    for (const [digest, password] of unscored) this.enqueue(digest, password)
    const job = this.drain()
    // a few passwords left (an edit, a sync) are worth a short wait for a complete answer; many are not
    const waitMs = options.waitMs ?? (this.pendingOf(rows) <= FEW_PENDING ? REPORT_WAIT_MS : 0)
    if (this.draining !== undefined && waitMs > 0) await Promise.race([job, sleep(waitMs)])
    if (this.generation !== generation) throw new LockedError()
    const inUse = new Set<string>()
    for (const row of rows) if (row.digest !== '') inUse.add(row.digest)
    this.inUse = inUse
    const pending = this.pendingOf(rows)
    const report = healthReportOfRows(rows, {
      scoreOf: digest => this.cache.get(digest),
      now: (this.options.now ?? (() => new Date()))()
    })
    if (pending === 0) this.scheduleSave()
    return { ...report, complete: pending === 0, pending }
  }

  /**
   * Before a lock: writes what a report of this session read and estimated and the next unlock
   * would otherwise read again (the rows after an edit, scores not written yet).
   */
  async beforeLock(): Promise<void> {
    clearTimeout(this.saveTimer)
    this.saveTimer = undefined
    if (this.stored === undefined) return
    if (this.unsaved) {
      this.unsaved = false
      await this.stored.save(this.cache.entries(this.inUse))
    }
    await this.rows.save()
  }

  /** How many distinct passwords of `rows` have no score yet. */
  private pendingOf(rows: readonly HealthRow[]): number {
    const seen = new Set<string>()
    for (const row of rows) if (row.digest !== '' && this.cache.get(row.digest) === undefined) seen.add(row.digest)
    return seen.size
  }

  /** How many distinct passwords have a score in this session. */
  get estimated(): number {
    return this.cache.size
  }

  /** How many passwords were sent to be estimated since start (each distinct one once per session, unless stored). */
  get estimatesAsked(): number {
    return this.sent
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

  /** Writes the scores of the passwords in use and the rows, a moment after the last estimate. */
  private scheduleSave(): void {
    if (this.stored === undefined) return
    const generation = this.generation
    clearTimeout(this.saveTimer)
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined
      if (this.generation !== generation || this.queue.size > 0) return
      // a lock in between makes the key unavailable: nothing is written, the next session reads again
      if (this.unsaved) {
        const entries: Array<[string, StrengthScore]> = this.cache.entries(this.inUse)
        this.unsaved = false
        void this.stored?.save(entries).catch(() => {})
      }
      void this.rows.save().catch(() => {})
    }, SAVE_DELAY_MS)
    this.saveTimer.unref()
  }

  private enqueue(digest: string, password: string): void {
    if (digest !== '' && this.cache.get(digest) === undefined && !this.inFlight.has(digest)) this.queue.set(digest, password)
  }

  /** Estimates what is queued in the worker, a batch at a time; one run at a time. */
  private drain(): Promise<void> {
    if (this.queue.size === 0) return this.draining ?? Promise.resolve()
    const generation = this.generation
    this.draining ??= (async () => {
      while (this.queue.size > 0 && this.generation === generation) {
        const batch: Array<[string, string]> = []
        for (const entry of this.queue) {
          batch.push(entry)
          this.queue.delete(entry[0])
          if (batch.length === BATCH) break
        }
        this.sent += batch.length
        for (const [digest] of batch) this.inFlight.add(digest)
        const scores = await this.scoresOf(batch.map(([, password]) => password)).finally(() => {
          for (const [digest] of batch) this.inFlight.delete(digest)
        })
        if (this.generation !== generation) return
        batch.forEach(([digest], i) => {
          this.cache.set(digest, scores[i] as StrengthScore)
        })
        this.unsaved = true
      }
    })()
      .catch(() => {})
      .finally(() => {
        this.draining = undefined
        // what a later session queued while this run was ending is estimated now
        if (this.queue.size > 0) void this.drain()
        else if (this.generation === generation) this.scheduleSave()
      })
    return this.draining
  }

  /** The scores from the worker; should it fail, from the estimator on this thread (the same verdicts, only slower). */
  private async scoresOf(passwords: string[]): Promise<StrengthScore[]> {
    const generation = this.generation
    try {
      return await this.scorer.scores(passwords)
    } catch (err) {
      if (this.generation !== generation) throw new LockedError()
      this.options.log?.(
        'warn',
        `password health: estimating on the main thread (${err instanceof ScoreWorkerError ? err.message : 'the worker failed'})`
      )
      const { estimator } = this.options
      await estimator.load()
      const scores: StrengthScore[] = []
      for (const password of passwords) {
        scores.push(estimator.estimateLoaded(password).score)
        await yieldToEventLoop()
      }
      return scores
    }
  }

  /** Once a report was made in this session, a changed item's password is estimated soon after, in the background. */
  private onChange(id: string): void {
    this.rows.changed(id)
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
