/** After an unlock with the recovery key: this device's new master password (the old one stops working). */
import { useState } from 'preact/hooks'
import { api } from '../api.js'
import { messageOf, toast } from '../toast.js'
import { Logo } from './Logo.js'
import { PasswordInput, StrengthBar } from './ui.js'
import { useWeakGate, WeakConsent } from './WeakPasswordGate.js'

export function NewPassword({ onDone }: { onDone: () => void }) {
  const [next, setNext] = useState('')
  const [confirm, setConfirm] = useState('')
  const [error, setError] = useState<string>()
  const [busy, setBusy] = useState(false)
  const weak = useWeakGate(next)
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault()
    setError(undefined)
    if (next.length < 8) return setError('The new password needs at least 8 characters.')
    if (next !== confirm) return setError('The two passwords are not the same.')
    setBusy(true)
    try {
      const weakness = await weak.check()
      if (weakness !== undefined) return setError(weakness)
      await api.setNewPassword(next)
      toast('New master password set')
      onDone()
    } catch (err) {
      setError(messageOf(err))
    } finally {
      setBusy(false)
    }
  }
  return (
    <main class="gate">
      <form
        class="gate-card"
        onSubmit={e => {
          void submit(e)
        }}
        aria-labelledby="new-password-title"
      >
        <Logo />
        <h1 id="new-password-title">Set a new master password</h1>
        <p class="hint">
          The recovery key opened this device. Choose a new master password now: the old one no longer works afterwards. Passkeys, the
          authenticator app and the recovery key keep working.
        </p>
        <PasswordInput
          label="New master password"
          value={next}
          onInput={setNext}
          testId="recovery-new-password"
          autoComplete="new-password"
          autoFocus
        />
        <StrengthBar password={next} verdict={weak.verdict} />
        <PasswordInput
          label="Repeat the new master password"
          value={confirm}
          onInput={setConfirm}
          testId="recovery-new-password-confirm"
          autoComplete="new-password"
        />
        <WeakConsent gate={weak} />
        {error !== undefined && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="button primary wide" data-testid="set-new-password" disabled={busy || next === ''}>
          {busy ? 'Saving…' : 'Set the new password'}
        </button>
      </form>
    </main>
  )
}
