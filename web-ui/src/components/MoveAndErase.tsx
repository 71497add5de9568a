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
  details: Array<{
    id: string
    title: string
    action: 'move' | 'keep'
    reason: string
    evidence?: 'organisation' | 'other' | 'none' | 'chosen'
  }>
}

export function Migrate({ vaults, reload }: { vaults: VaultInfo[]; reload: () => Promise<void> }) {
  const ids = { from: useId(), to: useId() }
  const [from, setFrom] = useState(vaults.find(v => v.name === 'Work')?.name ?? vaults[0]?.name ?? '')
  const [to, setTo] = useState(vaults.find(v => v.name === 'Personal')?.name ?? vaults[1]?.name ?? '')
  const [domain, setDomain] = useState('')
  const [plan, setPlan] = useState<Plan>()
  const [busy, setBusy] = useState(false)
  /** items the person chose to keep in the preview */
  const [keep, setKeep] = useState<Set<string>>(new Set())
  const domains = domain
    .split(/[\s,]+/)
    .map(d => d.trim())
    .filter(d => d !== '')
  const moving = plan?.details.filter(d => d.action === 'move' && !keep.has(d.id)).length ?? 0

  const run = async (dryRun: boolean): Promise<void> => {
    setBusy(true)
    try {
      const result = await api.migrate({ from, to, orgDomain: domains, dryRun, keep: [...keep] })
      setPlan(result)
      if (!dryRun) {
        setKeep(new Set())
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
        setKeep(new Set())
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
        label="Organisation's domains (separate several with commas)"
        value={domain}
        onInput={v => {
          setDomain(v)
          setPlan(undefined)
          setKeep(new Set())
        }}
        testId="migrate-domain"
        placeholder="acme-corp.example"
      />
      <div class="form-actions">
        <button
          type="button"
          class="button"
          data-testid="migrate-preview"
          disabled={busy || domains.length === 0 || from === to}
          onClick={() => {
            void run(true)
          }}
        >
          Preview
        </button>
        {plan?.dryRun === true && moving > 0 && (
          <ConfirmButton
            testId="migrate-run"
            confirmText={`Click again to move ${moving}`}
            class="button"
            onConfirm={() => {
              void run(false)
            }}
          >
            Move {moving} item{moving === 1 ? '' : 's'}
          </ConfirmButton>
        )}
      </div>
      {plan !== undefined && (
        <ul class="migration-plan" data-testid="migrate-plan" aria-live="polite">
          {plan.details.map(d => (
            <li key={d.id} data-testid="migrate-row" class={d.evidence === 'none' ? 'no-evidence' : undefined}>
              {plan.dryRun && d.action === 'move' && (
                <label class="keep-choice">
                  <input
                    type="checkbox"
                    data-testid="migrate-keep"
                    checked={keep.has(d.id)}
                    onChange={e => {
                      const next = new Set(keep)
                      if (e.currentTarget.checked) next.add(d.id)
                      else next.delete(d.id)
                      setKeep(next)
                    }}
                  />{' '}
                  keep
                </label>
              )}
              <strong>{d.action === 'move' && !keep.has(d.id) ? (plan.dryRun ? 'Moves' : 'Moved') : 'Stays'}</strong> {d.title} —{' '}
              <span class="muted">{keep.has(d.id) ? 'kept by you' : d.reason}</span>
              {d.evidence === 'none' && d.action === 'move' && <span class="badge warn"> no evidence either way</span>}
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
