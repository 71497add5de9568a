/**
 * "Confirm for the command line": the page a `kith` command opens when this device needs the
 * password and a passkey together and the command needs them proven again (an export, an
 * invitation…). The CLI cannot run WebAuthn; this page runs the ceremony with the password and
 * tells the daemon it was for the command line, which then goes on. Nothing secret is in its
 * address (`#/confirm-cli`).
 */
import { useState } from 'preact/hooks'
import { ApiError } from '../api.js'
import { PasswordInput } from './ui.js'
import { messageOf } from '../toast.js'
import { Logo } from './Logo.js'

export function ConfirmForCli({ onLeave }: { onLeave: () => void }) {
  const [password, setPassword] = useState('')
  const [error, setError] = useState<string>()
  const [busy, setBusy] = useState(false)
  const [done, setDone] = useState(false)

  const confirm = async (e: Event): Promise<void> => {
    e.preventDefault()
    if (password === '' || busy) return
    setBusy(true)
    setError(undefined)
    try {
      await (await import('../passkeyUnlock.js')).proveForCommandLine(password)
      setPassword('')
      setDone(true)
    } catch (err) {
      if (err instanceof ApiError && err.code === 'wrong_password') setError('That is not the master password.')
      else if (err instanceof ApiError && err.status === 429) setError('Too many wrong passwords. Wait a moment before the next try.')
      else setError(messageOf(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <main class="gate">
      <form class="gate-card" onSubmit={confirm} data-testid="confirm-cli">
        <Logo />
        <h1>Confirm for the command line</h1>
        {done ? (
          <>
            <p role="status" data-testid="confirm-cli-done">
              Confirmed. Go back to the terminal: the command goes on.
            </p>
            <button type="button" class="button" onClick={onLeave}>
              Open the vault here
            </button>
          </>
        ) : (
          <>
            <p class="muted">
              A <code>kith</code> command on this computer needs your master password and a passkey again. Confirm only if you just ran it.
            </p>
            <PasswordInput label="Master password" value={password} onInput={setPassword} testId="confirm-cli-password" autoFocus />
            {error !== undefined && (
              <p class="error" role="alert">
                {error}
              </p>
            )}
            <button type="submit" class="button primary" data-testid="confirm-cli-submit" disabled={busy || password === ''}>
              Confirm with a passkey
            </button>
          </>
        )}
      </form>
    </main>
  )
}
