/**
 * Setting up an authenticator app: the new secret as a QR code (the encoder is its own lazily
 * loaded chunk) and as text, then the app's current code to confirm it. Until it is confirmed the
 * app gates nothing, so a mistyped setup never locks anyone out.
 */
import { useEffect, useState } from 'preact/hooks'
import { api } from '../api.js'
import { messageOf, toast } from '../toast.js'
import { CopyButton } from './ui.js'

const loadQr = async (): Promise<typeof import('../qr.js')> => await import('../qr.js')

export interface PendingTotp {
  id: string
  secret: string
  uri: string
}

export function TotpSetup({ pending, onDone }: { pending: PendingTotp; onDone: (confirmed: boolean) => void }) {
  const [qr, setQr] = useState<{ size: number; d: string }>()
  const [code, setCode] = useState('')
  const [error, setError] = useState<string>()
  const [busy, setBusy] = useState(false)
  useEffect(() => {
    loadQr().then(
      m => setQr(m.qrPath(pending.uri)),
      () => {}
    )
  }, [pending.uri])
  const confirm = async (e: Event): Promise<void> => {
    e.preventDefault()
    setBusy(true)
    setError(undefined)
    try {
      await api.confirmTotp(pending.id, code.replace(/\s+/g, ''))
      toast('The authenticator app is on: unlocking now also asks for its code')
      onDone(true)
    } catch (err) {
      setError(messageOf(err))
    } finally {
      setBusy(false)
    }
  }
  return (
    <section class="card" aria-labelledby="totp-setup-title" data-testid="totp-setup">
      <h3 id="totp-setup-title">Set up an authenticator app</h3>
      <div class="invitation-body">
        {qr === undefined ? (
          <p class="muted">Drawing the QR code…</p>
        ) : (
          <svg
            class="qr"
            viewBox={`0 0 ${qr.size} ${qr.size}`}
            width="200"
            height="200"
            role="img"
            aria-label="QR code of the authenticator secret"
            data-testid="totp-qr"
            shape-rendering="crispEdges"
          >
            <rect width={qr.size} height={qr.size} class="qr-bg" />
            <path d={qr.d} class="qr-fg" />
          </svg>
        )}
        <form
          class="invitation-text"
          onSubmit={e => {
            void confirm(e)
          }}
        >
          <p>Scan the code with your authenticator app, or type this secret into it:</p>
          <div class="input-with-button">
            <input class="mono" readOnly value={pending.secret} data-testid="totp-secret" aria-label="Authenticator secret" />
            <CopyButton value={pending.secret} what="Secret" />
          </div>
          <div class="field">
            <label for="totp-confirm-code">The code the app shows now</label>
            <input
              id="totp-confirm-code"
              data-testid="totp-confirm-code"
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={7}
              value={code}
              onInput={e => setCode(e.currentTarget.value)}
            />
          </div>
          {error !== undefined && (
            <p class="error" role="alert">
              {error}
            </p>
          )}
          <div class="generator-actions">
            <button type="submit" class="button primary" data-testid="totp-confirm" disabled={busy || code.trim() === ''}>
              {busy ? 'Checking…' : 'Turn on'}
            </button>
            <button type="button" class="button" onClick={() => onDone(false)}>
              Cancel
            </button>
          </div>
        </form>
      </div>
      <p class="hint">
        Afterwards unlocking with the master password also asks for the app's current code. This protects against someone who knows your
        password and sits at this computer; it does not protect a copy of Kith's data folder (a passkey as a second factor does).
      </p>
    </section>
  )
}
