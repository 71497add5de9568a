/**
 * The strength meter's text. The verdict itself is the daemon's estimator's (zxcvbn-ts, POST
 * /api/strength; components/useStrength.ts asks for it): the same verdict `kith` gives, and no
 * dictionary in the page.
 */
import type { StrengthVerdict } from '../../daemon/service/health/StrengthEstimator.js'

export type { StrengthVerdict }

/** The label and bits, and the estimator's warning when it has one. */
export function strengthText(verdict: StrengthVerdict): string {
  const base = `${verdict.label} · about ${verdict.bits} bits`
  return verdict.warning === '' ? base : `${base} · ${verdict.warning}`
}
