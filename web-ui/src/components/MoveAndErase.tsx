/** Settings → move personal items out of a work vault, and erase this device's vault for good. */
import { useId, useState } from 'preact/hooks'
import { api } from '../api.js'
import type { VaultInfo } from '../types.js'
import { messageOf, toast } from '../toast.js'
import { rosterNote } from '../rosterNote.js'
import { ConfirmButton, TextField } from './ui.js'

interface Plan {
  moved: string[]
  kept: string[]
  dryRun: boolean
  details: Array<{ id: string; title: string; action: 'move' | 'keep'; reason: string }>
}

export function Migrate({ vaults, reload }: { vaults: VaultInfo[]; reload: () => Promise<void> }) {
  const ids = { from: useId(), to: useId() }
  const [from, setFrom] = useState(vaults.find(v => v.name === 'Work')?.name ?? vaults[0]?.name ?? '')
  const [to, setTo] = useState(vaults.find(v => v.name === 'Personal')?.name ?? vaults[1]?.name ?? '')
  const [domain, setDomain] = useState('')
  const [plan, setPlan] = useState<Plan>()
  const [busy, setBusy] = useState(false)

  const run = async (dryRun: boolean): Promise<void> => {
    setBusy(true)
    try {
      const result = await api.migrate({ from, to, orgDomain: domain, dryRun })
      setPlan(result)
      if (!dryRun) {
        toast(`Moved ${result.moved.length} item${result.moved.length === 1 ? '' : 's'} from ${from} to ${to}`)
        await reload()
      }
    } catch (err) {
      toast(messageOf(err), 'error')
    } finally {
      setBusy(false)
    }
  }

  const vaultSelect = (id: string, value: string, set: (v: string) => void, testId: string) => (
    <select
      id={id}
      value={value}
      onChange={e => {
        set(e.currentTarget.value)
        setPlan(undefined)
      }}
      data-testid={testId}
    >
      {vaults.map(v => (
        <option key={v.id} value={v.name}>
          {v.name}
        </option>
      ))}
    </select>
  )

  return (
    <section class="card" aria-labelledby="migrate-title">
      <h3 id="migrate-title">Move personal items out of a work vault</h3>
      <p class="hint">
        Items whose websites or e-mail addresses are on the organisation's domain stay; the others move, re-encrypted under the other
        vault's key, and are deleted from the work vault. Items in the trash stay.
      </p>
      <div class="two-columns">
        <div class="field">
          <label for={ids.from}>From</label>
          {vaultSelect(ids.from, from, setFrom, 'migrate-from')}
        </div>
        <div class="field">
          <label for={ids.to}>To</label>
          {vaultSelect(ids.to, to, setTo, 'migrate-to')}
        </div>
      </div>
      <TextField
        label="Organisation's domain"
        value={domain}
        onInput={v => {
          setDomain(v)
          setPlan(undefined)
        }}
        testId="migrate-domain"
        placeholder="acme-corp.example"
      />
      <div class="form-actions">
        <button
          type="button"
          class="button"
          data-testid="migrate-preview"
          disabled={busy || domain.trim() === '' || from === to}
          onClick={() => {
            void run(true)
          }}
        >
          Preview
        </button>
        {plan?.dryRun === true && plan.moved.length > 0 && (
          <ConfirmButton
            testId="migrate-run"
            confirmText={`Click again to move ${plan.moved.length}`}
            class="button"
            onConfirm={() => {
              void run(false)
            }}
          >
            Move {plan.moved.length} item{plan.moved.length === 1 ? '' : 's'}
          </ConfirmButton>
        )}
      </div>
      {plan !== undefined && (
        <ul class="migration-plan" data-testid="migrate-plan" aria-live="polite">
          {plan.details.map(d => (
            <li key={d.id} data-testid="migrate-row">
              <strong>{d.action === 'move' ? (plan.dryRun ? 'Moves' : 'Moved') : 'Stays'}</strong> {d.title} —{' '}
              <span class="muted">{d.reason}</span>
            </li>
          ))}
          {plan.details.length === 0 && <li>The vault is empty.</li>}
        </ul>
      )}
    </section>
  )
}

export function EraseDevice() {
  const [confirmation, setConfirmation] = useState('')
  const [erased, setErased] = useState<string>()
  const [leftRoster, setLeftRoster] = useState<string>()
  const erase = async (): Promise<void> => {
    try {
      const r = await api.destroy()
      setErased(`Erased ${r.keyRecords} key records and ${r.records} vault records; the daemon has stopped. Close this page.`)
      setLeftRoster(rosterNote(r))
    } catch (err) {
      toast(messageOf(err), 'error')
    }
  }
  return (
    <section class="card danger-zone" aria-labelledby="erase-title">
      <h3 id="erase-title">Delete everything on this device</h3>
      {erased !== undefined ? (
        <>
          <p role="status" data-testid="erase-done">
            {erased}
          </p>
          {leftRoster !== undefined && (
            <p class="hint" data-testid="erase-roster">
              {leftRoster}
            </p>
          )}
        </>
      ) : (
        <>
          <p class="hint">
            Removes this device from your device list (when it is unlocked and another device answers), erases its vault keys, then every
            record, and stops the daemon. Your other devices keep their copies. This cannot be undone: export first if you want a copy.
          </p>
          <TextField
            label="Type DELETE to confirm"
            value={confirmation}
            onInput={setConfirmation}
            testId="erase-confirm"
            autoComplete="off"
          />
          <ConfirmButton
            testId="erase"
            confirmText="Click again to erase for good"
            onConfirm={() => {
              if (confirmation === 'DELETE') void erase()
            }}
          >
            Delete everything
          </ConfirmButton>
        </>
      )}
    </section>
  )
}
