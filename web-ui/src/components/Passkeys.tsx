/**
 * Settings → Passkeys: this device's passkeys (name, created, last used), adding one (named; the
 * browser asks the authenticator, with the PRF extension), renaming, removing, and the option to
 * require the master password together with a passkey (two factors: the password-only and
 * passkey-only ways in are then removed).
 */
import { useEffect, useState } from 'preact/hooks'
import { api } from '../api.js'
import { addPasskey } from '../passkeyApi.js'
import { timeAgo } from '../format.js'
import { messageOf, toast } from '../toast.js'
import { ConfirmButton, PasswordInput, TextField } from './ui.js'

/** This device's passkeys, from its list of unlock methods (the same list as Settings → Unlock methods). */
type Passkey = Awaited<ReturnType<typeof api.factors>>[number]
interface Listing {
  passkeys: Passkey[]
  passwordRequired: boolean
}

async function listPasskeys(): Promise<Listing> {
  const passkeys = (await api.factors()).filter(f => f.kind === 'passkey' || f.kind === 'password+passkey')
  return { passkeys, passwordRequired: passkeys.some(p => p.kind === 'password+passkey') }
}

const loadCeremony = async (): Promise<typeof import('../passkeyCeremony.js')> => await import('../passkeyCeremony.js')
const when = (value: unknown): string => timeAgo(typeof value === 'string' || typeof value === 'number' ? value : null)

function PasskeyRow({ passkey, reload }: { passkey: Passkey; reload: () => Promise<void> }) {
  const [renaming, setRenaming] = useState<string>()
  const save = async (e: Event): Promise<void> => {
    e.preventDefault()
    if (renaming === undefined || renaming.trim() === '') return
    try {
      await api.renameFactor(passkey.id, renaming.trim())
      setRenaming(undefined)
      await reload()
    } catch (err) {
      toast(messageOf(err), 'error')
    }
  }
  const remove = async (): Promise<void> => {
    try {
      await api.removeFactor(passkey.id)
      toast(`Removed the passkey “${passkey.name}”`)
      await reload()
    } catch (err) {
      toast(messageOf(err), 'error')
    }
  }
  return (
    <li class="passkey-row" data-testid="passkey-row" data-passkey-id={passkey.id}>
      {renaming === undefined ? (
        <div>
          <strong data-testid="passkey-name">{passkey.name}</strong>
          {passkey.kind === 'password+passkey' && <span class="muted"> · with the password</span>}
          <div class="muted">
            added {when(passkey.createdAt)} · last used {when(passkey.lastUsedAt)}
          </div>
        </div>
      ) : (
        <form
          class="inline-form"
          onSubmit={e => {
            void save(e)
          }}
        >
          <TextField label="Name" value={renaming} onInput={setRenaming} testId="passkey-rename-input" maxLength={64} />
          <button type="submit" class="button" data-testid="passkey-rename-save">
            Save
          </button>
        </form>
      )}
      <div class="row-actions">
        {renaming === undefined && (
          <button type="button" class="button" data-testid="passkey-rename" onClick={() => setRenaming(passkey.name)}>
            Rename
          </button>
        )}
        <ConfirmButton
          testId="passkey-remove"
          confirmText="Click again to remove"
          onConfirm={() => {
            void remove()
          }}
        >
          Remove
        </ConfirmButton>
      </div>
    </li>
  )
}

/** `onChange`: a passkey was added, renamed or removed (the Unlock methods card above counts them, and a password-and-passkey one removes the password) */
export function Passkeys({ onChange }: { onChange?: () => void } = {}) {
  const [listing, setListing] = useState<Listing>()
  const [name, setName] = useState('')
  const [withPassword, setWithPassword] = useState(false)
  const [password, setPassword] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string>()
  const reload = async (): Promise<void> => {
    try {
      setListing(await listPasskeys())
    } catch (err) {
      setError(messageOf(err))
    }
  }
  const changed = async (): Promise<void> => {
    await reload()
    onChange?.()
  }
  useEffect(() => {
    void reload()
  }, [])
  const required = listing?.passwordRequired === true
  const both = required || withPassword

  const add = async (e: Event): Promise<void> => {
    e.preventDefault()
    if (both && password === '') return
    // a passkey always has a name: "Passkey 2" when none was typed
    const named = name.trim() === '' ? `Passkey ${(listing?.passkeys.length ?? 0) + 1}` : name.trim()
    setBusy(true)
    setError(undefined)
    try {
      const { createPasskey } = await loadCeremony()
      await addPasskey(named, both, createPasskey, both ? password : undefined)
      toast(both ? `Added “${named}”: unlocking now needs the password and a passkey` : `Added the passkey “${named}”`)
      setName('')
      setPassword('')
      setWithPassword(false)
      await changed()
    } catch (err) {
      setError(messageOf(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <section class="card" aria-labelledby="passkeys-title" data-testid="passkeys">
      <h3 id="passkeys-title">Passkeys</h3>
      <p class="hint">
        A passkey (Touch ID, Windows Hello, a phone or a security key) can unlock this device without the master password. Its authenticator
        must support the WebAuthn PRF extension.
      </p>
      {listing !== undefined && listing.passkeys.length > 0 && (
        <ul class="passkey-list">
          {listing.passkeys.map(p => (
            <PasskeyRow key={p.id} passkey={p} reload={changed} />
          ))}
        </ul>
      )}
      <form
        onSubmit={e => {
          void add(e)
        }}
      >
        <TextField
          label="Name of the new passkey (optional)"
          value={name}
          onInput={setName}
          testId="passkey-new-name"
          maxLength={64}
          placeholder="Laptop"
        />
        <div>
          <label class="check">
            <input
              type="checkbox"
              data-testid="passkey-require-password"
              checked={both}
              disabled={required}
              onChange={e => setWithPassword(e.currentTarget.checked)}
            />{' '}
            Require the master password and the passkey together
          </label>
        </div>
        {both && (
          <>
            <PasswordInput label="Master password" value={password} onInput={setPassword} testId="passkey-password" />
            <p class="hint">
              Unlocking will need both: a copy of this device's data plus the password is not enough. The password alone and passkeys alone
              stop working here.
            </p>
          </>
        )}
        {error !== undefined && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="button primary" data-testid="add-passkey" disabled={busy || (both && password === '')}>
          {busy ? 'Waiting for the passkey…' : 'Add a passkey'}
        </button>
      </form>
    </section>
  )
}
