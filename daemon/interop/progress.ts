/** Progress reporting for long imports and exports: a callback every N steps and a yield to the event loop. */
import type { ProgressCallback } from './types.js'

const yieldToLoop = async (): Promise<void> => await new Promise(resolve => setImmediate(resolve))

/** Counts steps up to `total`, calling the callback (and letting other work run) every `every` steps and at the end. */
export class Progress {
  private done = 0

  constructor(
    private readonly total: number,
    private readonly callback?: ProgressCallback,
    private readonly every = 1000
  ) {
    callback?.(0, total)
  }

  /** One step done. */
  async tick(): Promise<void> {
    this.done++
    if (this.done % this.every === 0 && this.done < this.total) {
      this.callback?.(this.done, this.total)
      await yieldToLoop()
    }
  }

  /** All steps done. */
  finish(): void {
    this.callback?.(this.total, this.total)
  }
}
