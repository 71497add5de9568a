/**
 * The unlock screen: the master password (and, when the daemon asks for it, the authenticator
 * app's code) opens the vault and this page's session; a device with passkeys also offers "Unlock
 * with a passkey" (or, when it needs both, the password and a passkey); "Use a recovery key" leads
 * to RecoveryUnlock.
 */
import { useEffect, useState } from 'preact/hooks'
import { api, ApiError } from '../api.js'
import { passkeyUnlocker, type PasskeyUnlocker } from '../passkeyUnlock.js'
import { PasswordInput } from './ui.js'
import { messageOf } from '../toast.js'
import { Logo } from './Logo.js'
import { lazyComponent } from './lazyComponent.js'

const RecoveryUnlock = lazyComponent(async () => (await import('./RecoveryUnlock.js')).RecoveryUnlock)

export function Unlock({ notice, onDone }: { notice?: string; onDone: (needsNewPassword?: boolean) => void }) {
  const [password, setPassword] = useState('')
  // shown once the daemon says this device also needs an authenticator code
  const [code, setCode] = useState<string>()
  const [recovery, setRecovery] = useState(false)
  const [error, setError] = useState<string>()
  const [busy, setBusy] = useState(false)
  const [waitUntil, setWaitUntil] = useState(0)
  const [, tick] = useState(0)
  const [passkey, setPasskey] = useState<PasskeyUnlocker>()

  useEffect(() => {
    let live = true
    passkeyUnlocker().then(
      found => {
        if (live) setPasskey(found)
      },
      () => {}
    )
    return () => {
      live = false
    }
  }, [])

  useEffect(() => {
    if (waitUntil <= Date.now()) return
    const t = setInterval(() => tick(n => n + 1), 500)
    return () => clearInterval(t)
  }, [waitUntil])
  const wait = Math.max(0, Math.ceil((waitUntil - Date.now()) / 1000))
  const both = passkey?.passwordRequired === true

  const attempt = async (withPasskey: boolean): Promise<void> => {
    if (wait > 0 || (password === '' && (!withPasskey || both))) return
    setBusy(true)
    setError(undefined)
    try {
      if (withPasskey && passkey !== undefined)
        await passkey.unlock(both ? password : undefined, both ? code?.replace(/\s+/g, '') : undefined)
      else await api.unlock(password, code?.replace(/\s+/g, ''))
      setPassword('')
      setCode(undefined)
      onDone()
    } catch (err) {
      if (err instanceof ApiError && err.code === 'second_factor_required') {
        setCode('')
        setError('Enter the current code from your authenticator app.')
      } else if (err instanceof ApiError && err.code === 'wrong_second_factor') {
        setCode('')
        setError('That code is wrong or was used already. Wait for the next one.')
      } else if (err instanceof ApiError && err.status === 429) {
        setWaitUntil(Date.now() + (err.retryAfter ?? 1) * 1000)
        setError('Too many wrong attempts. Wait a moment before the next try.')
      } else if (err instanceof ApiError && err.code === 'wrong_password') {
        setError(
          withPasskey
            ? both
              ? 'The password and this passkey do not open the vault.'
              : 'This passkey does not open the vault.'
            : 'That is not the master password.'
        )
      } else {
        setError(messageOf(err))
      }
    } finally {
      setBusy(false)
    }
  }
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault()
    await attempt(both)
  }

  if (recovery) return <RecoveryUnlock onBack={() => setRecovery(false)} onDone={() => onDone(true)} />

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
        {code !== undefined && (
          <div class="field">
            <label for="unlock-totp">Authenticator code</label>
            <input
              id="unlock-totp"
              data-testid="unlock-totp"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9 ]*"
              maxLength={7}
              value={code}
              autoFocus
              onInput={e => setCode(e.currentTarget.value)}
            />
          </div>
        )}
        {error !== undefined && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        {!both && (
          <button type="submit" class="button primary wide" data-testid="submit" disabled={busy || wait > 0}>
            {busy ? 'Unlocking…' : wait > 0 ? `Try again in ${wait} s` : 'Unlock'}
          </button>
        )}
        {passkey !== undefined && (
          <button
            type={both ? 'submit' : 'button'}
            class={`button wide${both ? ' primary' : ''}`}
            data-testid="unlock-passkey"
            disabled={busy || wait > 0 || (both && password === '')}
            onClick={
              both
                ? undefined
                : () => {
                    void attempt(true)
                  }
            }
          >
            {both ? 'Unlock with password and passkey' : 'Unlock with a passkey'}
          </button>
        )}
        {both && <p class="hint">This device needs the master password and one of its passkeys together.</p>}
        <button type="button" class="link-button" data-testid="use-recovery-key" onClick={() => setRecovery(true)}>
          Use a recovery key
        </button>
        <p class="hint">
          While the vault is unlocked, <code>kith open</code> in a terminal prints a one-time link that signs this browser in.
        </p>
      </form>
    </main>
  )
}
