/**
 * Every bench writes its figures to bench/results/<name>.json as well as printing them, so a
 * regression can be found by comparing files: per figure the median, p99, n, target and samples,
 * with the date, the Node version and how the daemon was started.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { cpus, loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export interface Figure {
  label: string
  unit: string
  n: number
  median: number
  p99: number
  min: number
  max: number
  mean: number
  target?: string
  /** whether the target was met, when the bench decides it */
  met?: boolean
  samples: number[]
  /** how the daemon of this figure was started, when it differs from the whole file's */
  startedAs?: string
}

export const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'results')

const figures: Figure[] = []

export function record(figure: Figure): void {
  figures.push(figure)
}

/** Marks the figure last recorded under `label` as meeting its target or not. */
export function judge(label: string, met: boolean): void {
  const f = figures.findLast(x => x.label === label)
  if (f !== undefined) f.met = met
}

export async function saveResults(name: string, startedAs: string, extra: Record<string, unknown> = {}): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true })
  const path = join(RESULTS_DIR, `${name}.json`)
  const body = {
    name,
    date: new Date().toISOString(),
    node: process.version,
    machine: { cpus: cpus().length, loadAverage: loadavg().map(x => Math.round(x * 100) / 100) },
    startedAs,
    quick: process.argv.includes('--quick') || process.env.KITH_BENCH_QUICK === '1',
    ...extra,
    figures
  }
  await writeFile(path, JSON.stringify(body, null, 2) + '\n')
  process.stdout.write(`results written to bench/results/${name}.json\n`)
  return path
}
