/** Settings: auto-lock time, master password change, passkeys, vaults; export and import when the daemon offers them. */
import { useEffect, useId, useState } from 'preact/hooks'
import { api, ApiError } from '../api.js'
import type { VaultInfo } from '../types.js'
import { messageOf, toast } from '../toast.js'
import { PasswordInput, StrengthBar, TextField } from './ui.js'
import { useWeakGate, WeakConsent } from './WeakPasswordGate.js'
import { Transfers } from './Transfers.js'
import { Migrate, EraseDevice } from './MoveAndErase.js'
import { lazyComponent } from './lazyComponent.js'

const UnlockMethods = lazyComponent(async () => (await import('./UnlockMethods.js')).UnlockMethods)
const TrashSettings = lazyComponent(async () => (await import('./TrashSettings.js')).TrashSettings)

const AUTO_LOCK_CHOICES = [1, 5, 15, 30, 60, 240, 0]

function AutoLock() {
  const [minutes, setMinutes] = useState<number>()
  const id = useId()
  useEffect(() => {
    api.settings().then(
      s => setMinutes(s.autoLockMinutes),
      () => {}
    )
  }, [])
  const choose = async (value: number): Promise<void> => {
    try {
      const s = await api.saveSettings({ autoLockMinutes: value })
      setMinutes(s.autoLockMinutes)
      toast(value === 0 ? 'Auto-lock is off' : `Kith now locks after ${value} min without use`)
    } catch (err) {
      toast(messageOf(err), 'error')
    }
  }
  const choices = minutes === undefined || AUTO_LOCK_CHOICES.includes(minutes) ? AUTO_LOCK_CHOICES : [...AUTO_LOCK_CHOICES, minutes]
  return (
    <section class="card" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>Auto-lock</h3>
      <div class="field">
        <label for={id}>Lock the vault after it has not been used for</label>
        <select
          id={id}
          data-testid="auto-lock"
          value={minutes === undefined ? '' : String(minutes)}
          onChange={e => {
            void choose(Number(e.currentTarget.value))
          }}
        >
          {choices.map(m => (
            <option key={m} value={String(m)}>
              {m === 0 ? 'Never' : m < 60 ? `${m} minute${m === 1 ? '' : 's'}` : `${m / 60} hour${m === 60 ? '' : 's'}`}
            </option>
          ))}
        </select>
      </div>
      <p class="hint">Locking removes the keys and every decrypted item from memory and ends every dashboard session.</p>
    </section>
  )
}

function ChangePassword() {
  const [current, setCurrent] = useState('')
  const [next, setNext] = useState('')
  const [confirm, setConfirm] = useState('')
  const [error, setError] = useState<string>()
  const [busy, setBusy] = useState(false)
  const weak = useWeakGate(next)
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault()
    setError(undefined)
    if (next.length < 8) return setError('The new password needs at least 8 characters.')
    if (next !== confirm) return setError('The two new passwords are not the same.')
    setBusy(true)
    try {
      const weakness = await weak.check()
      if (weakness !== undefined) return setError(weakness)
      await api.changePassword(current, next)
      setCurrent('')
      setNext('')
      setConfirm('')
      toast('Master password changed')
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? 'The current password is not right.' : messageOf(err))
    } finally {
      setBusy(false)
    }
  }
  return (
    <section class="card">
      <form
        onSubmit={e => {
          void submit(e)
        }}
        aria-labelledby="change-password-title"
      >
        <h3 id="change-password-title">Change the master password</h3>
        <PasswordInput label="Current master password" value={current} onInput={setCurrent} testId="old-password" />
        <PasswordInput label="New master password" value={next} onInput={setNext} testId="new-password" autoComplete="new-password" />
        <StrengthBar password={next} verdict={weak.verdict} />
        <PasswordInput
          label="Repeat the new master password"
          value={confirm}
          onInput={setConfirm}
          testId="new-password-confirm"
          autoComplete="new-password"
        />
        <WeakConsent gate={weak} />
        {error !== undefined && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="button primary" data-testid="change-password" disabled={busy || current === '' || next === ''}>
          {busy ? 'Changing…' : 'Change password'}
        </button>
        <p class="hint">This changes the password of this device only; each device has its own.</p>
      </form>
    </section>
  )
}

function Vaults({ vaults, reload }: { vaults: VaultInfo[]; reload: () => Promise<void> }) {
  const [name, setName] = useState('')
  const create = async (e: Event): Promise<void> => {
    e.preventDefault()
    if (name.trim() === '') return
    try {
      await api.createVault(name.trim())
      toast(`Created the vault “${name.trim()}”`)
      setName('')
      await reload()
    } catch (err) {
      toast(messageOf(err), 'error')
    }
  }
  return (
    <section class="card">
      <h3>Vaults</h3>
      <ul class="vault-list">
        {vaults.map(v => (
          <li key={v.id}>
            <strong>{v.name}</strong>{' '}
            <span class="muted">
              {v.items} item{v.items === 1 ? '' : 's'}
            </span>
          </li>
        ))}
      </ul>
      <form
        class="inline-form"
        onSubmit={e => {
          void create(e)
        }}
      >
        <TextField
          label="New vault"
          value={name}
          onInput={setName}
          testId="new-vault-name"
          placeholder="e.g. Work, Family"
          autoComplete="off"
        />
        <button type="submit" class="button" data-testid="create-vault-button" disabled={name.trim() === ''}>
          Create vault
        </button>
      </form>
      <p class="hint">Each vault has its own key, so a device can be given some vaults and not others.</p>
    </section>
  )
}

export function Settings({
  vaults,
  reloadVaults,
  reloadItems
}: {
  vaults: VaultInfo[]
  reloadVaults: () => Promise<void>
  reloadItems: () => Promise<unknown>
}) {
  return (
    <main class="page settings-page" aria-labelledby="settings-title">
      <div class="page-header">
        <h2 id="settings-title">Settings</h2>
      </div>
      <AutoLock />
      <TrashSettings />
      <ChangePassword />
      <UnlockMethods />
      <Vaults vaults={vaults} reload={reloadVaults} />
      <Transfers
        vaults={vaults}
        reload={async () => {
          await reloadItems()
          await reloadVaults()
        }}
      />
      <Migrate
        vaults={vaults}
        reload={async () => {
          await reloadItems()
          await reloadVaults()
        }}
      />
      <section class="card">
        <h3>Keyboard</h3>
        <dl class="shortcuts">
          <dt>
            <kbd>/</kbd> or <kbd>Ctrl</kbd>+<kbd>K</kbd>
          </dt>
          <dd>Search</dd>
          <dt>
            <kbd>n</kbd>
          </dt>
          <dd>New item</dd>
          <dt>
            <kbd>↑</kbd> <kbd>↓</kbd> <kbd>Enter</kbd>
          </dt>
          <dd>Move through the list and open an item</dd>
          <dt>
            <kbd>Ctrl</kbd>+<kbd>S</kbd>
          </dt>
          <dd>Save the item being edited</dd>
          <dt>
            <kbd>Esc</kbd>
          </dt>
          <dd>Cancel editing, clear the search</dd>
        </dl>
      </section>
      <EraseDevice />
    </main>
  )
}
