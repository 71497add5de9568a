/**
 * The health report's estimates in a worker thread: the same scores as the meters' estimator, a
 * stop (at lock) ends the thread and rejects what was being scored, it ends on its own when idle,
 * and a failed worker makes the report estimate on the daemon's thread with the same verdicts.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ScoreWorker, ScoreWorkerError, type Scorer } from '../../../daemon/service/health/ScoreWorker.js'
import { StrengthEstimator } from '../../../daemon/service/health/StrengthEstimator.js'
import { HealthService } from '../../../daemon/service/health/HealthService.js'
import { generatePassword } from '../../../daemon/service/passwordGenerator.js'
import { memoryService, PASSWORD } from '../../helpers/memoryDevice.js'

const SAMPLES = [
  '',
  'password123',
  'P@ssw0rd2024!',
  'Dr@g0n123',
  'l3tm31n',
  'correct horse battery staple',
  'q7#Lm2!vR9@xZ4$kP8&wN3^t',
  `${'x'.repeat(150)}Q9!`,
  'Ünïcödé pässwörd 🙂',
  ...Array.from({ length: 20 }, () => generatePassword())
]

const estimator = new StrengthEstimator()
beforeAll(async () => {
  await estimator.load()
}, 30_000)

const workers: ScoreWorker[] = []
afterEach(() => {
  for (const w of workers.splice(0)) w.stop()
})
function worker(idleStopMs?: number): ScoreWorker {
  const w = new ScoreWorker(idleStopMs)
  workers.push(w)
  return w
}

describe('ScoreWorker', () => {
  it('scores each password as the estimator of the meters does, in order', async () => {
    const w = worker()
    expect(await w.scores(SAMPLES)).toEqual(SAMPLES.map(p => estimator.estimateLoaded(p).score))
    expect(await w.scores([])).toEqual([])
  }, 30_000)

  it('a stop ends the thread and rejects the batch being scored; the next batch starts a new one', async () => {
    const w = worker()
    await w.scores(['warm up'])
    expect(w.running).toBe(true)
    const batch = w.scores(Array.from({ length: 200 }, () => generatePassword()))
    w.stop()
    await expect(batch).rejects.toBeInstanceOf(ScoreWorkerError)
    expect(w.running).toBe(false)
    expect(await w.scores(['password123'])).toEqual([0])
  }, 30_000)

  it.runIf(process.platform === 'linux')(
    'on Linux the worker thread runs at nice 10 and the main thread keeps its priority',
    async () => {
      const { readdirSync, readFileSync } = await import('node:fs')
      const niceOf = (stat: string): number => Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])
      const threads = (): number[] =>
        readdirSync('/proc/self/task').map(tid => {
          try {
            return niceOf(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8'))
          } catch {
            return 0
          }
        })
      const mainNice = niceOf(readFileSync('/proc/self/stat', 'utf8'))
      const w = worker()
      await w.scores(['password123'])
      expect(threads().filter(n => n === mainNice + 10).length).toBeGreaterThan(0)
      expect(niceOf(readFileSync('/proc/self/stat', 'utf8'))).toBe(mainNice)
      w.stop()
    },
    30_000
  )

  it('ends on its own after a quiet while', async () => {
    const w = worker(50)
    await w.scores(['password123'])
    expect(w.running).toBe(true)
    await new Promise(resolve => setTimeout(resolve, 200))
    expect(w.running).toBe(false)
  }, 30_000)
})

describe('HealthService with its scorer', () => {
  it('a lock stops the scorer; a failing scorer leaves the estimates to this thread, with the same verdicts', async () => {
    const { device: d, service } = await memoryService()
    await service.init(PASSWORD)
    let stops = 0
    const logged: string[] = []
    const failing: Scorer = {
      scores: async () => {
        throw new ScoreWorkerError('the strength estimator failed (Error)')
      },
      stop: () => {
        stops++
      }
    }
    const health = new HealthService({
      estimator,
      scorer: failing,
      entries: () => d.items.healthEntries(),
      entryOf: id => d.items.healthEntry(id),
      state: () => d.items.healthState(),
      session: d.unlock,
      changes: d.items,
      log: (level, message) => logged.push(`${level} ${message}`)
    })
    await d.items.createItem({ title: 'weak', password: 'password123' })
    await d.items.createItem({ title: 'strong', password: 'q7#Lm2!vR9@xZ4$kP8&wN3^t' })
    const report = await health.report({ waitMs: 60_000 })
    expect(report.complete).toBe(true)
    expect(report.items.map(i => [i.title, i.issues, i.score])).toEqual([['weak', ['weak'], 0]])
    expect(logged[0]).toMatch(/^warn password health: estimating on the main thread/)
    expect(logged.join('\n')).not.toContain('password123')
    const before = stops
    await d.unlock.lock()
    expect(stops).toBe(before + 1)
  }, 30_000)
})
