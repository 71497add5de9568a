/** Unlock with the recovery key (the emergency kit's), when the master password is lost; a new password follows (NewPassword). */
import { useState } from 'preact/hooks'
import { api, ApiError } from '../api.js'
import { messageOf } from '../toast.js'
import { Logo } from './Logo.js'

export function RecoveryUnlock({ onBack, onDone }: { onBack: () => void; onDone: () => void }) {
  const [key, setKey] = useState('')
  const [error, setError] = useState<string>()
  const [busy, setBusy] = useState(false)
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault()
    if (key.trim() === '') return
    setBusy(true)
    setError(undefined)
    try {
      await api.unlockWithRecoveryKey(key.trim())
      setKey('')
      onDone()
    } catch (err) {
      if (err instanceof ApiError && err.status === 429) setError('Too many failed tries. Wait a moment before the next one.')
      else if (err instanceof ApiError && err.status === 401) setError('That is not the recovery key of this device.')
      else setError(messageOf(err))
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
        aria-labelledby="recovery-title"
      >
        <Logo />
        <h1 id="recovery-title">Unlock with the recovery key</h1>
        <p class="hint">The recovery key is on the emergency kit you printed or wrote down: 32 letters and digits in groups of four.</p>
        <div class="field">
          <label for="recovery-key">Recovery key</label>
          <input
            id="recovery-key"
            data-testid="recovery-key"
            class="mono"
            autoComplete="off"
            spellcheck={false}
            autoCapitalize="characters"
            autoFocus
            value={key}
            onInput={e => setKey(e.currentTarget.value)}
          />
        </div>
        {error !== undefined && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="button primary wide" data-testid="recovery-submit" disabled={busy || key.trim() === ''}>
          {busy ? 'Unlocking…' : 'Unlock'}
        </button>
        <button type="button" class="link-button" onClick={onBack}>
          Back to the master password
        </button>
      </form>
    </main>
  )
}
