/** First run on a device: create a vault (password twice, strength meter) or join one by invitation. */
import { useId, useState } from 'preact/hooks'
import { api, ApiError } from '../api.js'
import { PasswordInput, StrengthBar, TextField } from './ui.js'
import { useWeakGate, WeakConsent } from './WeakPasswordGate.js'
import { messageOf } from '../toast.js'
import { Logo } from './Logo.js'

const MIN_LENGTH = 8

export function FirstRun({ onDone }: { onDone: () => void }) {
  const [mode, setMode] = useState<'create' | 'join'>('create')
  const [password, setPassword] = useState('')
  const [confirm, setConfirm] = useState('')
  const [invitation, setInvitation] = useState('')
  const [deviceName, setDeviceName] = useState('')
  const [error, setError] = useState<string>()
  const [busy, setBusy] = useState(false)
  /** the verification words while the inviting device has not decided */
  const [words, setWords] = useState<string[]>([])
  const meterId = useId()
  const weak = useWeakGate(password)
  const invitationId = useId()

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault()
    setError(undefined)
    if (mode === 'join' && invitation.trim() === '') return setError('Paste the invitation from your other device.')
    if (password.length < MIN_LENGTH) return setError(`The master password needs at least ${MIN_LENGTH} characters.`)
    if (password !== confirm) return setError('The two passwords are not the same.')
    setBusy(true)
    try {
      const weakness = await weak.check()
      if (weakness !== undefined) return setError(weakness)
      if (mode === 'create') {
        await api.init(password)
      } else {
        let joining = true
        // the daemon knows the words once the inviter answered; show them until someone decides there
        const watch = (async () => {
          while (joining) {
            const state = await api.joining().catch(() => null)
            if (joining && state !== null && state.words.length > 0) setWords(state.words)
            await new Promise(resolve => setTimeout(resolve, 300))
          }
        })()
        try {
          await api.join(invitation.trim(), password, deviceName.trim() === '' ? undefined : deviceName.trim())
        } finally {
          joining = false
          await watch
          setWords([])
        }
        // joining leaves the vault unlocked; unlocking again opens this page's session
        await api.unlock(password)
      }
      onDone()
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 404 && mode === 'join'
          ? 'This daemon cannot join other devices yet (pairing is not available).'
          : messageOf(err)
      )
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
        aria-labelledby="first-run-title"
      >
        <Logo />
        <h1 id="first-run-title">Welcome to Kith</h1>
        <p class="muted">Your passwords stay on your own devices, encrypted, and sync directly between them.</p>
        <div class="segmented" role="group" aria-label="How to start">
          <button
            type="button"
            data-testid="create-vault"
            aria-pressed={mode === 'create'}
            onClick={() => {
              setMode('create')
              setError(undefined)
            }}
          >
            Create a new vault
          </button>
          <button
            type="button"
            data-testid="join-vault"
            aria-pressed={mode === 'join'}
            onClick={() => {
              setMode('join')
              setError(undefined)
            }}
          >
            Join from another device
          </button>
        </div>
        {mode === 'join' && (
          <div class="field">
            <label for={invitationId}>Invitation</label>
            <textarea
              id={invitationId}
              data-testid="join-invitation"
              rows={3}
              value={invitation}
              spellcheck={false}
              autoCapitalize="off"
              placeholder="kith://pair/…"
              onInput={e => setInvitation(e.currentTarget.value)}
              autoFocus
            />
            <p class="hint">
              On a device that has your vault, open <strong>Devices → Invite a device</strong> (or run <code>kith pair invite</code>) and
              paste the invitation here.
            </p>
          </div>
        )}
        {mode === 'join' && (
          <TextField
            label="Name of this device (optional)"
            value={deviceName}
            onInput={setDeviceName}
            testId="device-name"
            placeholder="e.g. Work laptop"
            autoComplete="off"
          />
        )}
        <PasswordInput
          label={mode === 'create' ? 'Master password' : 'Master password for this device'}
          value={password}
          onInput={setPassword}
          testId="password"
          autoComplete="new-password"
          autoFocus={mode === 'create'}
          describedBy={meterId}
          name="password"
        />
        <StrengthBar password={password} id={meterId} verdict={weak.verdict} />
        <PasswordInput
          label="Repeat the master password"
          value={confirm}
          onInput={setConfirm}
          testId="password-confirm"
          autoComplete="new-password"
          name="password-confirm"
        />
        <WeakConsent gate={weak} />
        <p class="hint">Kith cannot recover this password. Write it down and keep it somewhere safe.</p>
        {busy && words.length > 0 && (
          <div class="card approval" role="status" data-testid="join-words-card">
            <p>On the inviting device, approve this device if it shows these words:</p>
            <p class="words" data-testid="join-words">
              {words.join(' ')}
            </p>
            <p class="muted">Waiting for approval…</p>
          </div>
        )}
        {error !== undefined && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="button primary wide" data-testid="submit" disabled={busy}>
          {busy ? (mode === 'create' ? 'Creating…' : 'Joining…') : mode === 'create' ? 'Create vault' : 'Join'}
        </button>
      </form>
    </main>
  )
}
