/**
 * Gives memory back when the daemon goes quiet. V8 collects the old generation only when it nears a
 * limit set well above the live size, so after a burst of work (lists of 10,000 items, an import)
 * the garbage would stay resident for a long time. This runs a compacting full collection
 * (collectGarbage) once things are quiet: a fixed delay after a lock, an unlock or a bulk
 * operation, and after ordinary requests only when the heap has grown since the last collection.
 */
import { getHeapStatistics } from 'node:v8'

export interface IdleCollectorOptions {
  collect: () => void
  /** quiet time after ordinary activity */
  quietMs?: number
  /** growth of the used heap since the last collection that makes one worth it */
  minGrowthBytes?: number
  heapUsed?: () => number
}

export class IdleCollector {
  private timer: NodeJS.Timeout | undefined
  private forced = false
  private baseline: number
  private readonly collect: () => void
  private readonly quietMs: number
  private readonly minGrowth: number
  private readonly heapUsed: () => number

  constructor (options: IdleCollectorOptions) {
    this.collect = options.collect
    this.quietMs = options.quietMs ?? 5000
    this.minGrowth = options.minGrowthBytes ?? 8 * 1048576
    this.heapUsed = options.heapUsed ?? (() => getHeapStatistics().used_heap_size)
    this.baseline = this.heapUsed()
  }

  /** A request was served: check once the quiet time has passed (a pending check is not pushed back). */
  activity (): void {
    if (this.timer === undefined) this.schedule(this.quietMs)
  }

  /** A lock, unlock or bulk operation ended: collect after `ms`, pushed back by the next such event. */
  soon (ms: number): void {
    this.forced = true
    this.schedule(ms)
  }

  stop (): void {
    clearTimeout(this.timer)
    this.timer = undefined
  }

  private schedule (ms: number): void {
    clearTimeout(this.timer)
    this.timer = setTimeout(() => { this.run() }, ms)
    this.timer.unref()
  }

  private run (): void {
    this.timer = undefined
    if (this.forced || this.heapUsed() - this.baseline >= this.minGrowth) this.collect()
    this.forced = false
    this.baseline = this.heapUsed()
  }
}
