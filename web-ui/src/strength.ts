/**
 * The strength meter's verdict, from the daemon's estimator (zxcvbn-ts, POST /api/strength): the
 * same verdict `kith` gives, and no dictionary in the page's first load. Asked a moment after the
 * person stops typing; an answer for an older value is dropped.
 */
import { useEffect, useState } from 'preact/hooks'
import { api } from './api.js'
import type { StrengthVerdict } from './types.js'

export type { StrengthVerdict }

/** How long typing must pause before the daemon is asked. */
export const STRENGTH_DELAY_MS = 150

/** The verdict for `password`: undefined while it is empty or being estimated. */
export function useStrength(password: string): StrengthVerdict | undefined {
  const [verdict, setVerdict] = useState<{ password: string; verdict: StrengthVerdict }>()
  useEffect(() => {
    if (password === '') return
    let stale = false
    const timer = setTimeout(() => {
      api.strength(password).then(
        v => {
          if (!stale) setVerdict({ password, verdict: v })
        },
        () => {}
      )
    }, STRENGTH_DELAY_MS)
    return () => {
      stale = true
      clearTimeout(timer)
    }
  }, [password])
  return verdict !== undefined && verdict.password === password ? verdict.verdict : undefined
}

/** The meter's text: the label and bits, and the estimator's warning when it has one. */
export function strengthText(verdict: StrengthVerdict): string {
  const base = `${verdict.label} · about ${verdict.bits} bits`
  return verdict.warning === '' ? base : `${base} · ${verdict.warning}`
}
