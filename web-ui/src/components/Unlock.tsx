/**
 * The unlock screen: the master password (and, when the daemon asks for it, the authenticator
 * app's code) opens the vault and this page's session; a device with passkeys also offers "Unlock
 * with a passkey" (or, when it needs both, the password and a passkey); "Use a
 * recovery key" leads to RecoveryUnlock.
 */
import { useEffect, useState } from 'preact/hooks'
import { api, ApiError } from '../api.js'
import { PasswordInput } from './ui.js'
import { messageOf } from '../toast.js'
import { Logo } from './Logo.js'
import { lazyComponent } from './lazyComponent.js'

type PasskeyOptions = Awaited<ReturnType<typeof api.passkeyUnlockOptions>>

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
  // this device's passkeys: the options are fetched when the page opens, so a click goes straight to the authenticator
  const [passkey, setPasskey] = useState<{ both: boolean; next?: PasskeyOptions }>()
  const both = passkey?.both === true

  useEffect(() => {
    api.passkeyUnlockOptions().then(
      found => {
        if (found.options === null) return
        setPasskey({ both: found.passwordRequired, next: found })
        // the ceremony's code too, so that a click goes straight to the authenticator
        import('../passkeyUnlock.js').catch(() => {})
      },
      () => {}
    )
  }, [])

  useEffect(() => {
    if (waitUntil <= Date.now()) return
    const t = setInterval(() => tick(n => n + 1), 500)
    return () => clearInterval(t)
  }, [waitUntil])
  const wait = Math.max(0, Math.ceil((waitUntil - Date.now()) / 1000))

  const run = async (unlock: () => Promise<unknown>): Promise<void> => {
    if (wait > 0) return
    setBusy(true)
    setError(undefined)
    try {
      await unlock()
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
        setError('Too many wrong passwords. Wait a moment before the next try.')
      } else if (err instanceof ApiError && err.code === 'wrong_password') {
        // with a passkey too, the assertion was verified first: what failed is most likely the password
        setError('That is not the master password.')
      } else {
        setError(messageOf(err))
      }
    } finally {
      setBusy(false)
    }
  }

  const withPasskey = async (): Promise<void> => {
    if (passkey === undefined || (both && password === '')) return
    const first = passkey.next
    // a challenge counts once: a later attempt fetches new options
    setPasskey({ both })
    await run(async () => await (await import('../passkeyUnlock.js')).unlockWithPasskey(first, both ? password : undefined, code))
  }
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault()
    if (both) return await withPasskey()
    if (password !== '') await run(async () => await api.unlock(password, code?.replace(/\s+/g, '')))
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
            type="button"
            class={`button wide${both ? ' primary' : ''}`}
            data-testid="unlock-passkey"
            disabled={busy || wait > 0}
            onClick={() => {
              void withPasskey()
            }}
          >
            {both ? 'Unlock with password and passkey' : 'Unlock with a passkey'}
          </button>
        )}
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
