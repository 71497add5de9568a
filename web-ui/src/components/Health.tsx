/**
 * Password health: every item with a weak, reused or old password, a one-time code missing, or a
 * duplicate, each linked to the item. The daemon computes it on this device (GET /api/health); the
 * page holds no estimator. A chunk of its own, loaded when the screen is first opened.
 */
import { useEffect, useState } from 'preact/hooks'
import { api } from '../api.js'
import { hrefOf } from '../router.js'
import type { HealthReport } from '../types.js'
import { messageOf } from '../toast.js'
import { Icon } from './Icon.js'

type Issue = HealthReport['items'][number]['issues'][number]

/** Each issue's name in the list and what it means. */
const ISSUES: Record<Issue, { name: string; meaning: string }> = {
  weak: { name: 'Weak', meaning: 'easy to guess (the strength estimator scores it below 3 of 4)' },
  reused: { name: 'Reused', meaning: 'the same password is in another item: one leak opens both' },
  old: { name: 'Old', meaning: 'not changed for more than a year' },
  'totp-missing': {
    name: 'One-time code missing',
    meaning: 'another item for this site has a one-time code, or a field holds a code secret Kith does not use'
  },
  duplicate: { name: 'Duplicate', meaning: 'another item has the same site and username' }
}

const POLL_MS = 1000

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`

export function Health() {
  const [report, setReport] = useState<HealthReport>()
  const [error, setError] = useState<string>()
  const [busy, setBusy] = useState(false)

  const [round, setRound] = useState(0)

  // the first report after an unlock may still be estimating passwords: asked again until complete
  useEffect(() => {
    let stale = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const load = async (): Promise<void> => {
      setBusy(true)
      setError(undefined)
      try {
        const r = await api.health()
        if (stale) return
        setReport(r)
        if (!r.complete) timer = setTimeout(() => void load(), POLL_MS)
      } catch (err) {
        if (!stale) setError(messageOf(err))
      } finally {
        if (!stale) setBusy(false)
      }
    }
    void load()
    return () => {
      stale = true
      clearTimeout(timer)
    }
  }, [round])

  const found = (Object.keys(ISSUES) as Issue[]).filter(i => (report?.summary[i] ?? 0) > 0)
  return (
    <main class="page health-page" aria-labelledby="health-title" data-testid="health">
      <div class="page-header">
        <h2 id="health-title">Password health</h2>
        <button type="button" class="button" data-testid="health-refresh" disabled={busy} onClick={() => setRound(r => r + 1)}>
          <Icon name="refresh" /> Check again
        </button>
      </div>
      <p class="hint">Checked on this device; no password or hash leaves it.</p>
      {error !== undefined && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {report === undefined && error === undefined && <p class="muted">Checking your passwords…</p>}
      {report !== undefined && !report.complete && (
        <p class="muted" role="status" data-testid="health-pending">
          Checking the strength of {plural(report.pending, 'password')}…
        </p>
      )}
      {report?.complete && (
        <>
          <p data-testid="health-verdict">
            {report.items.length === 0
              ? `All ${plural(report.checked, 'item')} look healthy.`
              : `${plural(report.items.length, 'item')} of ${report.checked} need attention.`}
          </p>
          {found.length > 0 && (
            <ul class="health-summary" data-testid="health-summary">
              {found.map(i => (
                <li key={i} class="chip" title={ISSUES[i].meaning}>
                  {ISSUES[i].name}: {report.summary[i]}
                </li>
              ))}
            </ul>
          )}
          <ul class="health-list">
            {report.items.map(item => (
              <li key={item.id} class="health-row" data-testid="health-row">
                <a href={hrefOf({ page: 'items', id: item.id, mode: 'view' })} data-testid="health-item-link">
                  {item.title}
                </a>
                <span class="muted">{item.vault}</span>
                <span>
                  {item.issues.map(i => (
                    <span key={i} class="badge warn" title={ISSUES[i].meaning} data-testid="health-issue" data-issue={i}>
                      {ISSUES[i].name}
                    </span>
                  ))}
                </span>
              </li>
            ))}
          </ul>
          {found.length > 0 && (
            <dl class="hint">
              {found.map(i => (
                <div key={i}>
                  <dt>{ISSUES[i].name}</dt>
                  <dd>{ISSUES[i].meaning}</dd>
                </div>
              ))}
            </dl>
          )}
        </>
      )}
    </main>
  )
}
