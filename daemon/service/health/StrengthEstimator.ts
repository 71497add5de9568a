/**
 * The one password-strength estimator of Kith: zxcvbn-ts (a maintained TypeScript port of Dropbox's
 * zxcvbn) with its common and English dictionaries, run in the daemon and nowhere else, so that the
 * CLI, the dashboard and the health report give the same verdict for the same password. It is
 * local (no network: the dictionaries ship in the npm packages) and loaded on first use, as a chunk
 * of its own, so a daemon that never estimates never pays for its dictionaries.
 */
import type { ZxcvbnFactory } from '@zxcvbn-ts/core'
import { zxcvbnCommon, zxcvbnCore, zxcvbnEnglish } from './zxcvbnModules.js'

export type StrengthScore = 0 | 1 | 2 | 3 | 4

export interface StrengthVerdict {
  /** zxcvbn's score: 0 (guessable in under 10^3 guesses) … 4 (10^10 guesses or more) */
  score: StrengthScore
  /** below WEAK_BELOW: the health report's "weak", and what needs "use it anyway" for a master or export password */
  weak: boolean
  label: string
  /** log2 of zxcvbn's estimated guesses, rounded: what the meter shows as "about N bits" */
  bits: number
  /** zxcvbn's warning (generic text, never a part of the password), or '' */
  warning: string
  suggestions: string[]
}

/** A score below this is weak: fewer than 10^8 estimated guesses (the convention of Bitwarden's report). */
export const WEAK_BELOW = 3

/**
 * Only this many characters are estimated (zxcvbn-ts recommends a cap: its matching grows with the
 * length). Characters past it can only add guesses, so the verdict of a longer password is a lower bound.
 */
export const MAX_ESTIMATED_LENGTH = 100

/**
 * At most this many l33t substitutions are tried per password. The library's default (100) costs
 * ~90 ms for a random 24-character password with symbols, 4 ~11 ms, 1 ~5 ms, and 1 gives the same
 * verdicts as 4 on l33t variants of common passwords ("P@ssw0rd2024!", "Dr@g0n123", "l3tm31n"),
 * where 0 lets some of them pass as not weak (test/service/health/StrengthEstimator.unit.test.ts).
 */
const L33T_MAX_SUBSTITUTIONS = 1

/** What the estimator is built with, here and in the health report's worker (ScoreWorker): one verdict everywhere. */
export const ESTIMATOR_SETTINGS = { maxLength: MAX_ESTIMATED_LENGTH, l33tMaxSubstitutions: L33T_MAX_SUBSTITUTIONS } as const

const LABELS = ['Very weak', 'Weak', 'Fairly weak', 'Good', 'Strong'] as const

export class StrengthEstimator {
  private loading: Promise<ZxcvbnFactory> | undefined
  private factory: ZxcvbnFactory | undefined

  /** Loads the library and its dictionaries (about 0.3 s, once); later calls return at once. */
  async load(): Promise<void> {
    this.loading ??= (async () => {
      const [{ ZxcvbnFactory }, common, en] = await Promise.all([zxcvbnCore(), zxcvbnCommon(), zxcvbnEnglish()])
      const factory = new ZxcvbnFactory({
        dictionary: { ...common.dictionary, ...en.dictionary },
        graphs: common.adjacencyGraphs,
        translations: en.translations,
        ...ESTIMATOR_SETTINGS
      })
      this.factory = factory
      return factory
    })()
    await this.loading
  }

  get loaded(): boolean {
    return this.factory !== undefined
  }

  async estimate(password: string): Promise<StrengthVerdict> {
    await this.load()
    return this.estimateLoaded(password)
  }

  /** The verdict once `load()` has finished (the health report calls it in a loop). */
  estimateLoaded(password: string): StrengthVerdict {
    if (this.factory === undefined) throw new Error('the strength estimator is not loaded yet')
    if (password === '') return verdictOf(0, 0, '', [])
    const result = this.factory.check(password.slice(0, MAX_ESTIMATED_LENGTH))
    const bits = Math.round(result.guessesLog10 * Math.log2(10))
    return verdictOf(result.score as StrengthScore, bits, result.feedback.warning ?? '', result.feedback.suggestions)
  }
}

export function verdictOf(score: StrengthScore, bits: number, warning: string, suggestions: string[]): StrengthVerdict {
  return { score, weak: score < WEAK_BELOW, label: LABELS[score], bits, warning, suggestions }
}
