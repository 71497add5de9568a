/** The unlock screen: the master password opens the vault and this page's session. */
import { useEffect, useState } from 'preact/hooks'
import { api, ApiError } from '../api.js'
import { PasswordInput } from './ui.js'
import { messageOf } from '../toast.js'
import { Logo } from './Logo.js'

export function Unlock({ notice, onDone }: { notice?: string; onDone: () => void }) {
  const [password, setPassword] = useState('')
  const [error, setError] = useState<string>()
  const [busy, setBusy] = useState(false)
  const [waitUntil, setWaitUntil] = useState(0)
  const [, tick] = useState(0)

  useEffect(() => {
    if (waitUntil <= Date.now()) return
    const t = setInterval(() => tick(n => n + 1), 500)
    return () => clearInterval(t)
  }, [waitUntil])
  const wait = Math.max(0, Math.ceil((waitUntil - Date.now()) / 1000))

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault()
    if (password === '' || wait > 0) return
    setBusy(true)
    setError(undefined)
    try {
      await api.unlock(password)
      setPassword('')
      onDone()
    } catch (err) {
      if (err instanceof ApiError && err.status === 429) {
        setWaitUntil(Date.now() + (err.retryAfter ?? 1) * 1000)
        setError('Too many wrong passwords. Wait a moment before the next try.')
      } else if (err instanceof ApiError && err.status === 401) {
        setError('That is not the master password.')
      } else {
        setError(messageOf(err))
      }
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
        aria-labelledby="unlock-title"
      >
        <Logo />
        <h1 id="unlock-title">Unlock Kith</h1>
        {notice !== undefined && (
          <p class="notice" role="status">
            {notice}
          </p>
        )}
        <PasswordInput label="Master password" value={password} onInput={setPassword} testId="password" autoFocus name="password" />
        {error !== undefined && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="button primary wide" data-testid="submit" disabled={busy || wait > 0}>
          {busy ? 'Unlocking…' : wait > 0 ? `Try again in ${wait} s` : 'Unlock'}
        </button>
        <p class="hint">
          While the vault is unlocked, <code>kith open</code> in a terminal prints a one-time link that signs this browser in.
        </p>
      </form>
    </main>
  )
}
