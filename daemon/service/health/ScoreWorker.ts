/**
 * The health report's strength estimates, off the daemon's event loop: one worker thread
 * (node:worker_threads) that loads zxcvbn-ts and its dictionaries once, with the settings of
 * StrengthEstimator (the same verdicts as the CLI's and the dashboard's meters), and answers the
 * score of each password of a batch. Passwords cross into the worker by message: it is in this
 * process, they are never logged, and an error names only its kind. `stop()` (at lock) terminates
 * it, so no plaintext it held outlives the session; it also stops on its own after a quiet while,
 * which gives back the memory of its dictionaries. On Linux it runs at a lower priority than the
 * daemon's main thread.
 */
import { Worker } from 'node:worker_threads'
import { ESTIMATOR_SETTINGS, type StrengthScore } from './StrengthEstimator.js'
import { zxcvbnModulePaths } from './zxcvbnModules.js'

/** Scores a batch of passwords, in order (the health report's view of an estimator). */
export interface Scorer {
  scores: (passwords: string[]) => Promise<StrengthScore[]>
  /** forgets everything: a batch being scored is rejected */
  stop: () => void
}

/** The worker failed or was stopped while scoring (its message never holds a password). */
export class ScoreWorkerError extends Error {
  override name = 'ScoreWorkerError'
}

/** How long the worker stays after its last batch (loading it again costs ~0.3 s of CPU). */
const IDLE_STOP_MS = 10_000

/**
 * The worker thread's nice value on Linux, where it applies to that thread alone (elsewhere it
 * would lower the whole daemon: 0, left as it is). Reports and other requests go first when the
 * CPU is short; the estimates take the time left.
 */
const WORKER_NICE = process.platform === 'linux' ? 10 : 0

// CommonJS, evaluated in the worker: the packages' paths come from the daemon (workerData), so it
// runs the same under the bundle, tsx and the tests
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
// on Linux a nice value is per thread: this one yields the CPU to the daemon's main thread
if (workerData.nice > 0) try { require('node:os').setPriority(workerData.nice) } catch {}
const core = require(workerData.modules.core)
const common = require(workerData.modules.common)
const en = require(workerData.modules.en)
const factory = new core.ZxcvbnFactory({
  dictionary: { ...common.dictionary, ...en.dictionary },
  graphs: common.adjacencyGraphs,
  translations: en.translations,
  ...workerData.settings
})
parentPort.on('message', passwords => {
  const scores = new Uint8Array(passwords.length)
  for (let i = 0; i < passwords.length; i++) {
    const password = passwords[i]
    scores[i] = password === '' ? 0 : factory.check(password.slice(0, workerData.settings.maxLength)).score
    passwords[i] = ''
  }
  parentPort.postMessage(scores)
})
`

interface Waiting {
  resolve: (scores: StrengthScore[]) => void
  reject: (err: Error) => void
}

export class ScoreWorker implements Scorer {
  private worker: Worker | undefined
  /** batches sent, answered in order */
  private readonly waiting: Waiting[] = []
  private idleTimer: NodeJS.Timeout | undefined

  constructor(private readonly idleStopMs = IDLE_STOP_MS) {}

  /** Whether a worker thread is running now. */
  get running(): boolean {
    return this.worker !== undefined
  }

  async scores(passwords: string[]): Promise<StrengthScore[]> {
    if (passwords.length === 0) return []
    clearTimeout(this.idleTimer)
    const worker = this.start()
    return await new Promise<StrengthScore[]>((resolve, reject) => {
      this.waiting.push({ resolve, reject })
      worker.postMessage(passwords)
    })
  }

  stop(): void {
    this.end(new ScoreWorkerError('the strength estimates were stopped'))
  }

  private start(): Worker {
    if (this.worker !== undefined) return this.worker
    const worker = new Worker(SOURCE, {
      eval: true,
      workerData: { modules: zxcvbnModulePaths(), settings: ESTIMATOR_SETTINGS, nice: WORKER_NICE },
      // its output is not the daemon's: nothing it could print reaches a log
      stdout: true,
      stderr: true
    })
    worker.unref()
    worker.on('message', (scores: Uint8Array) => {
      this.waiting.shift()?.resolve(Array.from(scores, s => s as StrengthScore))
      if (this.waiting.length === 0) this.idle()
    })
    worker.on('error', (err: Error) => {
      if (this.worker === worker) this.end(new ScoreWorkerError(`the strength estimator failed (${err.name})`))
    })
    worker.on('exit', () => {
      if (this.worker === worker) this.end(new ScoreWorkerError('the strength estimator stopped'))
    })
    this.worker = worker
    return worker
  }

  private idle(): void {
    clearTimeout(this.idleTimer)
    this.idleTimer = setTimeout(() => {
      if (this.waiting.length === 0) this.stop()
    }, this.idleStopMs)
    this.idleTimer.unref()
  }

  private end(reason: Error): void {
    clearTimeout(this.idleTimer)
    this.idleTimer = undefined
    const worker = this.worker
    this.worker = undefined
    void worker?.terminate()
    for (const w of this.waiting.splice(0)) w.reject(reason)
  }
}
