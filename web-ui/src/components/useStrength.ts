/** The daemon's strength verdict for a password being typed: asked a moment after typing pauses; an answer for an older value is dropped. */
import { useEffect, useState } from 'preact/hooks'
import { api } from '../api.js'
import type { StrengthVerdict } from '../strength.js'

/** How long typing must pause before the daemon is asked. */
const STRENGTH_DELAY_MS = 150

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
