/**
 * Settings › Unlock methods: this device's ways in (the password, passkeys, password + passkey, the
 * recovery key) and the authenticator app, with when each was added and last used; renaming and
 * removing (never the last way in), an authenticator app (TotpSetup), a recovery key with its
 * emergency kit (EmergencyKit), and the log of changes. Every change asks for the master password
 * again when it was not given in the last few minutes. Passkeys are listed, added, renamed and
 * removed only in the Passkeys card below it (Passkeys.tsx); this card counts them.
 */
import { useCallback, useEffect, useState } from 'preact/hooks'
import { api } from '../api.js'
import type { Factor, FactorLogEntry } from '../types.js'
import { timeAgo } from '../format.js'
import { messageOf, toast } from '../toast.js'
import { ConfirmButton } from './ui.js'
import { TotpSetup, type PendingTotp } from './TotpSetup.js'
import { EmergencyKit } from './EmergencyKit.js'
import { Passkeys } from './Passkeys.js'

const KIND_LABEL: Record<Factor['kind'], string> = {
  password: 'Master password',
  passkey: 'Passkey',
  'password+passkey': 'Password and passkey',
  totp: 'Authenticator app',
  'recovery-key': 'Recovery key'
}

const ACTION_LABEL: Record<FactorLogEntry['action'], string> = {
  added: 'added',
  removed: 'removed',
  renamed: 'renamed',
  'password-changed': 'changed',
  'password-set-after-recovery': 'set again with the recovery key'
}

const isPasskey = (f: Factor): boolean => f.kind === 'passkey' || f.kind === 'password+passkey'

function FactorRow({ factor, reload }: { factor: Factor; reload: () => Promise<void> }) {
  const [renaming, setRenaming] = useState<string>()
  const act = async (what: () => Promise<unknown>, done: string): Promise<void> => {
    try {
      await what()
      toast(done)
      setRenaming(undefined)
      await reload()
    } catch (err) {
      toast(messageOf(err), 'error')
    }
  }
  return (
    <li class="device-row" data-testid="factor-row" data-kind={factor.kind}>
      <div class="device-text">
        {renaming === undefined ? (
          <span class="device-name">
            <strong>{factor.name}</strong>
            {factor.name !== KIND_LABEL[factor.kind] && <span class="badge">{KIND_LABEL[factor.kind]}</span>}
            {!factor.confirmed && <span class="badge">not confirmed</span>}
          </span>
        ) : (
          <form
            class="inline-form"
            onSubmit={e => {
              e.preventDefault()
              void act(async () => await api.renameFactor(factor.id, renaming), 'Renamed')
            }}
          >
            <input aria-label="New name" value={renaming} maxLength={64} onInput={e => setRenaming(e.currentTarget.value)} />
            <button type="submit" class="button">
              Save
            </button>
          </form>
        )}
        <span class="muted">
          added {factor.createdAt === null ? 'before this list' : timeAgo(factor.createdAt)} · last used {timeAgo(factor.lastUsedAt)}
        </span>
      </div>
      {renaming === undefined && (
        <button type="button" class="button" onClick={() => setRenaming(factor.name)}>
          Rename
        </button>
      )}
      <ConfirmButton
        confirmText="Remove?"
        testId={`remove-factor-${factor.kind}`}
        onConfirm={() => {
          void act(async () => await api.removeFactor(factor.id), `Removed ${KIND_LABEL[factor.kind].toLowerCase()}`)
        }}
      >
        Remove
      </ConfirmButton>
    </li>
  )
}

export function UnlockMethods() {
  const [factors, setFactors] = useState<Factor[]>([])
  const [log, setLog] = useState<FactorLogEntry[]>([])
  const [pendingTotp, setPendingTotp] = useState<PendingTotp>()
  const [recoveryKey, setRecoveryKey] = useState<string>()
  const reload = useCallback(async (): Promise<void> => {
    try {
      setFactors(await api.factors())
      setLog(await api.factorLog())
    } catch (err) {
      toast(messageOf(err), 'error')
    }
  }, [])
  useEffect(() => {
    void reload()
  }, [reload])
  const start = async (what: () => Promise<void>): Promise<void> => {
    try {
      await what()
      await reload()
    } catch (err) {
      toast(messageOf(err), 'error')
    }
  }
  const passkeys = factors.filter(isPasskey).length
  const hasTotp = factors.some(f => f.kind === 'totp' && f.confirmed)
  const hasRecoveryKey = factors.some(f => f.kind === 'recovery-key')
  return (
    <>
      <section class="card" aria-labelledby="unlock-methods-title" data-testid="unlock-methods">
        <h3 id="unlock-methods-title">Unlock methods</h3>
        <ul class="device-list">
          {/* passkeys are listed (renamed, removed) once, in the Passkeys card below */}
          {factors
            .filter(f => !isPasskey(f))
            .map(f => (
              <FactorRow key={f.id} factor={f} reload={reload} />
            ))}
        </ul>
        {passkeys > 0 && (
          <p class="hint" data-testid="passkey-count">
            {passkeys === 1 ? 'And 1 passkey' : `And ${passkeys} passkeys`}, under Passkeys below.
          </p>
        )}
        <div class="generator-actions">
          <button
            type="button"
            class="button"
            data-testid="add-totp"
            onClick={() => {
              void start(async () => setPendingTotp(await api.addTotp()))
            }}
          >
            {hasTotp ? 'Move the authenticator to a new app' : 'Set up an authenticator app'}
          </button>
          <button
            type="button"
            class="button"
            data-testid="add-recovery-key"
            onClick={() => {
              void start(async () => setRecoveryKey((await api.addRecoveryKey()).recoveryKey))
            }}
          >
            {hasRecoveryKey ? 'Make a new recovery key' : 'Create a recovery key'}
          </button>
        </div>
        <p class="hint">
          The last way to unlock this device cannot be removed. Each device has its own unlock methods; changes ask for the master password
          again.
        </p>
        {log.length > 0 && (
          <details data-testid="factor-log">
            <summary>Recent changes</summary>
            <ul class="vault-list">
              {[...log]
                .reverse()
                .slice(0, 20)
                .map(e => (
                  <li key={`${e.at}-${e.id}-${e.action}`}>
                    {KIND_LABEL[e.kind as Factor['kind']] ?? e.kind} “{e.name}” {ACTION_LABEL[e.action] ?? e.action}{' '}
                    <span class="muted">{timeAgo(e.at)}</span>
                  </li>
                ))}
            </ul>
          </details>
        )}
      </section>
      {pendingTotp !== undefined && (
        <TotpSetup
          pending={pendingTotp}
          onDone={() => {
            setPendingTotp(undefined)
            void reload()
          }}
        />
      )}
      {recoveryKey !== undefined && <EmergencyKit recoveryKey={recoveryKey} onClose={() => setRecoveryKey(undefined)} />}
      <Passkeys onChange={() => void reload()} />
    </>
  )
}
