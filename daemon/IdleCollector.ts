/**
 * Gives memory back when the daemon goes quiet. V8 collects the old generation only when it nears a
 * limit set well above the live size, so after a burst of work (lists of 10,000 items, an import)
 * the garbage would stay resident for a long time. This runs a compacting full collection
 * (collectGarbage) once things are quiet: a fixed delay after a lock, an unlock or a bulk
 * operation, and after ordinary requests only when the heap has grown since the last collection.
 * `enabled: false` (`kith daemon --no-idle-gc`, KITH_IDLE_GC=0) never collects: V8 alone decides.
 */
import { getHeapStatistics } from 'node:v8'

export interface IdleCollectorOptions {
  collect: () => void
  /** false: activity() and soon() do nothing (default true) */
  enabled?: boolean
  /** quiet time after ordinary activity */
  quietMs?: number
  /** a pending collection is not pushed back past this (a client that never pauses) */
  maxDeferMs?: number
  /** growth of the used heap since the last collection that makes one worth it */
  minGrowthBytes?: number
  heapUsed?: () => number
}

export class IdleCollector {
  private timer: NodeJS.Timeout | undefined
  private pendingSince = 0
  private forced = false
  private baseline: number
  private readonly collect: () => void
  private readonly quietMs: number
  private readonly maxDeferMs: number
  private readonly minGrowth: number
  private readonly heapUsed: () => number
  readonly enabled: boolean

  constructor(options: IdleCollectorOptions) {
    this.collect = options.collect
    this.enabled = options.enabled ?? true
    this.quietMs = options.quietMs ?? 5000
    this.maxDeferMs = options.maxDeferMs ?? 30_000
    this.minGrowth = options.minGrowthBytes ?? 8 * 1048576
    this.heapUsed = options.heapUsed ?? (() => getHeapStatistics().used_heap_size)
    this.baseline = this.heapUsed()
  }

  /** A request was served: check once no request came for the quiet time, so a burst is not interrupted. */
  activity(): void {
    this.schedule(this.quietMs)
  }

  /** A lock, unlock or bulk operation ended: collect after `ms` of quiet, whatever the growth. */
  soon(ms: number): void {
    this.forced = true
    this.schedule(ms)
  }

  stop(): void {
    clearTimeout(this.timer)
    this.timer = undefined
  }

  private schedule(ms: number): void {
    if (!this.enabled) return
    const now = Date.now()
    if (this.timer === undefined) this.pendingSince = now
    else if (now - this.pendingSince >= this.maxDeferMs) return // overdue: let it run
    clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.run()
    }, ms)
    this.timer.unref()
  }

  private run(): void {
    this.timer = undefined
    if (this.forced || this.heapUsed() - this.baseline >= this.minGrowth) this.collect()
    this.forced = false
    this.baseline = this.heapUsed()
  }
}
