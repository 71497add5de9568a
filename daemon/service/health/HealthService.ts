/**
 * Password health on this device, with no network: the report over every live item of the open
 * vaults (healthRules.ts) and the strength verdict of one password (for the meters and the
 * "use it anyway" checks). Each distinct password is estimated once per unlocked session and its
 * score kept under a keyed hash (VerdictCache); an edit or a synced change re-estimates the changed
 * item's password in the background once a report has been asked for. A lock forgets every score.
 */
import { performance } from 'node:perf_hooks'
import { LockedError } from '../../keyring/errors.js'
import { healthReport, type HealthEntry, type HealthReport } from './healthRules.js'
import type { StrengthEstimator, StrengthVerdict } from './StrengthEstimator.js'
import { VerdictCache } from './VerdictCache.js'

/** How long one run of estimates may hold the event loop before it yields (other requests go between). */
const SLICE_MS = 20
/** How long after the last item change the background re-estimate starts (a sync brings changes in bursts). */
const REFRESH_DELAY_MS = 200

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
  now?: () => Date
}

const yieldToEventLoop = async (): Promise<void> => await new Promise(resolve => setImmediate(resolve))

export class HealthService {
  private readonly cache = new VerdictCache()
  /** bumped at every lock and unlock: an estimate run from an earlier session stops */
  private generation = 0
  private readonly changed = new Set<string>()
  private refreshTimer: NodeJS.Timeout | undefined

  constructor(private readonly options: HealthServiceOptions) {
    const reset = (): void => {
      this.generation++
      this.cache.clear()
      this.changed.clear()
      clearTimeout(this.refreshTimer)
      this.refreshTimer = undefined
    }
    options.session.on('locked', reset)
    options.session.on('unlocked', reset)
    options.changes.on('item-changed', ({ id }) => this.onChange(id))
  }

  /** The strength verdict of one password (not kept). */
  async strength(password: string): Promise<StrengthVerdict> {
    return await this.options.estimator.estimate(password)
  }

  /** The health of every live item. Passwords not estimated yet in this session are estimated first, in slices. */
  async report(): Promise<HealthReport> {
    const generation = this.generation
    const entries = this.options.entries()
    const digests = entries.map(e => (e.password === '' ? '' : this.cache.digest(e.password)))
    await this.estimate(
      entries.map(e => e.password),
      digests,
      generation
    )
    if (this.generation !== generation) throw new LockedError()
    return healthReport(entries, {
      digests,
      scoreOf: digest => this.cache.get(digest) ?? 0,
      now: (this.options.now ?? (() => new Date()))()
    })
  }

  /** How many distinct passwords have a score in this session. */
  get estimated(): number {
    return this.cache.size
  }

  private async estimate(passwords: readonly string[], digests: readonly string[], generation: number): Promise<void> {
    const missing = new Map<string, string>()
    digests.forEach((digest, i) => {
      if (digest !== '' && this.cache.get(digest) === undefined && !missing.has(digest)) missing.set(digest, passwords[i] as string)
    })
    if (missing.size === 0) return
    const { estimator } = this.options
    await estimator.load()
    let sliceStart = performance.now()
    for (const [digest, password] of missing) {
      if (this.generation !== generation) throw new LockedError()
      if (this.cache.get(digest) === undefined) this.cache.set(digest, estimator.estimateLoaded(password).score)
      if (performance.now() - sliceStart > SLICE_MS) {
        await yieldToEventLoop()
        sliceStart = performance.now()
      }
    }
  }

  /** Once a report was made in this session, a changed item's password is estimated soon after, in the background. */
  private onChange(id: string): void {
    if (this.cache.size === 0) return
    this.changed.add(id)
    clearTimeout(this.refreshTimer)
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined
      void this.refresh().catch(() => {})
    }, REFRESH_DELAY_MS)
    this.refreshTimer.unref()
  }

  private async refresh(): Promise<void> {
    const generation = this.generation
    const ids = [...this.changed]
    this.changed.clear()
    const entries = ids.map(id => this.options.entryOf(id)).filter((e): e is HealthEntry => e !== undefined && e.password !== '')
    await this.estimate(
      entries.map(e => e.password),
      entries.map(e => this.cache.digest(e.password)),
      generation
    )
  }
}
