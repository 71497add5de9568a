/**
 * "Use it anyway" for a weak new master password or export password (newcomer report F17): the
 * meter shows the daemon's verdict, and a weak password needs the checkbox ticked before the form
 * goes ahead, as `kith` asks at a terminal (or takes --allow-weak).
 */
import { useEffect, useState } from 'preact/hooks'
import { api } from '../api.js'
import type { StrengthVerdict } from '../strength.js'
import { useStrength } from './useStrength.js'

export interface WeakGate {
  verdict: StrengthVerdict | undefined
  consent: boolean
  setConsent: (consent: boolean) => void
  /** at submit: the error to show, or undefined when the password may be used (asks the daemon if the verdict is not in yet) */
  check: () => Promise<string | undefined>
}

export function useWeakGate(password: string): WeakGate {
  const verdict = useStrength(password)
  const [consent, setConsent] = useState(false)
  // a consent is for the password it was given for
  useEffect(() => setConsent(false), [password])
  return {
    verdict,
    consent,
    setConsent,
    check: async () => {
      if (password === '') return undefined
      const v = verdict ?? (await api.strength(password))
      return v.weak && !consent ? 'This password is easy to guess. Choose a stronger one, or tick “Use it anyway”.' : undefined
    }
  }
}

/** The checkbox, shown only while the password is weak. */
export function WeakConsent({ gate }: { gate: WeakGate }) {
  if (gate.verdict?.weak !== true) return null
  return (
    <label class="check weak-consent">
      <input type="checkbox" data-testid="allow-weak" checked={gate.consent} onChange={e => gate.setConsent(e.currentTarget.checked)} />
      Use it anyway: I understand a weak password is easier to guess
    </label>
  )
}
