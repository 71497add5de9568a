/** Median, p99 and friends for benchmark samples, printed in one line each and kept for the JSON results. */
import { record } from './results.js'

export function summarize(samples: number[]): { n: number; median: number; p99: number; min: number; max: number; mean: number } {
  const s = [...samples].sort((a, b) => a - b)
  const q = (p: number): number => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] as number
  return {
    n: s.length,
    median: q(0.5),
    p99: q(0.99),
    min: s[0] as number,
    max: s.at(-1) as number,
    mean: s.reduce((a, b) => a + b, 0) / s.length
  }
}

export function report(label: string, samples: number[], unit = 'ms', target?: string): void {
  const r = summarize(samples)
  record({ label, unit, ...r, target, samples })
  const f = (v: number): string => v.toFixed(unit === 'ms' ? 2 : 1)
  process.stdout.write(
    `${label.padEnd(48)} n=${String(r.n).padStart(5)}  median ${f(r.median)} ${unit}  p99 ${f(r.p99)} ${unit}  min ${f(r.min)}  max ${f(r.max)}${target !== undefined ? `   (target ${target})` : ''}\n`
  )
}

/** `--quick` (or KITH_BENCH_QUICK=1, set by `npm run bench -- --quick`): fewer iterations. */
export const QUICK = process.argv.includes('--quick') || process.env.KITH_BENCH_QUICK === '1'
