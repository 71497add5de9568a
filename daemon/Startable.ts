/** One lifecycle for every part the composition root builds: started in order, stopped in reverse. */
import type { Log } from './log.js'
import { toError } from './toError.js'

export interface Startable {
  start: () => Promise<void>
  stop: () => Promise<void>
}

/** A named part, for the log when stopping it fails. */
export interface Part extends Startable {
  name: string
}

/** Starts parts in order; when one fails, stops those already started (in reverse) and rethrows. */
export class Lifecycle implements Startable {
  private started: Part[] = []

  constructor(
    private readonly parts: Part[],
    private readonly log: Log
  ) {}

  async start(): Promise<void> {
    for (const part of this.parts) {
      try {
        await part.start()
      } catch (err) {
        await this.stop()
        throw err
      }
      this.started.push(part)
    }
  }

  /** Stops what started, in reverse; a part that fails to stop is logged and the rest still stop. */
  async stop(): Promise<void> {
    const started = this.started
    this.started = []
    for (const part of started.reverse()) {
      try {
        await part.stop()
      } catch (err) {
        this.log('warn', `stopping ${part.name} failed: ${toError(err).message}`)
      }
    }
  }
}
