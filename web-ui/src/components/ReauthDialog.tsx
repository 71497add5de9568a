/**
 * Asks for the master password again before a guarded action (export, invitation, removing a
 * device, auto-lock off, destroy) when this page has not given it in the last few minutes: a
 * modal dialog the API client opens through `onReauthentication`, as sudo or Bitwarden's export do.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import { onReauthentication } from '../api.js'
import { PasswordInput } from './ui.js'

interface Ask {
  problem?: string
  answer: (password: string | null) => void
}

export function ReauthDialog() {
  const [ask, setAsk] = useState<Ask>()
  const [password, setPassword] = useState('')
  const dialog = useRef<HTMLDialogElement>(null)

  useEffect(
    () =>
      onReauthentication(
        problem =>
          new Promise(resolve => {
            setPassword('')
            setAsk({ problem, answer: resolve })
          })
      ),
    []
  )
  useEffect(() => {
    const d = dialog.current
    if (d === null) return
    if (ask !== undefined && !d.open) d.showModal()
    if (ask === undefined && d.open) d.close()
  }, [ask])

  const finish = (value: string | null): void => {
    ask?.answer(value)
    setAsk(undefined)
    setPassword('')
  }

  return (
    <dialog
      ref={dialog}
      class="card reauth"
      aria-labelledby="reauth-title"
      data-testid="reauth-dialog"
      onCancel={e => {
        e.preventDefault()
        finish(null)
      }}
    >
      <form
        method="dialog"
        onSubmit={e => {
          e.preventDefault()
          if (password !== '') finish(password)
        }}
      >
        <h3 id="reauth-title">Confirm with your master password</h3>
        <p class="muted">
          This takes data or trust off this device, so Kith asks again when the password was not given in the last few minutes.
        </p>
        {ask?.problem !== undefined && (
          <p class="error" role="alert">
            {ask.problem}
          </p>
        )}
        {ask !== undefined && (
          <PasswordInput label="Master password" value={password} onInput={setPassword} testId="reauth-password" autoFocus required />
        )}
        <div class="view-actions">
          <button type="submit" class="button primary" data-testid="reauth-submit" disabled={password === ''}>
            Confirm
          </button>
          <button type="button" class="button" onClick={() => finish(null)}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  )
}
