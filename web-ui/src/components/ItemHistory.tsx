/**
 * An item's timeline (GET /api/items/:id/history), a lazy chunk of its own: each version with when,
 * which device and each field's old → new value. Secret values (the daemon marks them: password,
 * one-time code secret, hidden fields, a card's number…) stay hidden until that version is revealed. "Restore" puts the item back as it was
 * before a version: a new edit that syncs like any other.
 */
import { useEffect, useState } from 'preact/hooks'
import { api, client, json } from '../api.js'
import type { Item } from '../types.js'
import { timeAgo } from '../format.js'
import { messageOf, toast } from '../toast.js'
import { FIELD_SPECS } from '../typedFieldSpecs.js'
import type { Section } from '../itemDraft.js'

type Version = Awaited<ReturnType<typeof loadHistory>>['versions'][number]
type Change = Version['changes'][number]

const loadHistory = async (id: string) => await json(client.items[':id'].history.$get({ param: { id: encodeURIComponent(id) } }))

const LABELS: Record<string, string> = { totp: 'one-time code', urls: 'websites', fields: 'custom fields', trashed: 'in the trash' }
const HIDDEN = '••••••••'

/** How the timeline names a field: a typed one (`card.number`) by its label in the item view. */
function labelOf(field: string): string {
  const dot = field.indexOf('.')
  if (dot < 0) return LABELS[field] ?? field
  const specs = FIELD_SPECS[field.slice(0, dot) as Section] as Array<{ name: string; label: string }> | undefined
  return specs?.find(s => s.name === field.slice(dot + 1))?.label ?? field
}

/** A value as the timeline shows it; secrets masked unless revealed. */
function shown(change: Change, value: Change['from'], reveal: boolean): string {
  if (value === null || value === '' || (Array.isArray(value) && value.length === 0)) return '(empty)'
  if (change.secret && change.field !== 'fields' && !reveal) return HIDDEN
  if (Array.isArray(value))
    return value.map(v => (typeof v === 'string' ? v : `${v.name}: ${v.hidden && !reveal ? HIDDEN : v.value}`)).join(', ')
  return String(value)
}

const hasSecret = (v: Version): boolean => v.changes.some(c => c.secret)

export function ItemHistory({ item, disabled, onRestored }: { item: Item; disabled: boolean; onRestored: (item: Item) => void }) {
  const [open, setOpen] = useState(false)
  const [versions, setVersions] = useState<Version[]>()
  const [names, setNames] = useState<Record<string, string>>({})
  const [revealed, setRevealed] = useState<Set<string>>(new Set())

  useEffect(() => {
    if (!open) return
    let live = true
    loadHistory(item.id).then(
      res => live && setVersions(res.versions),
      (err: unknown) => toast(messageOf(err), 'error')
    )
    return () => {
      live = false
    }
  }, [open, item.id, item.updatedAt])

  useEffect(() => {
    if (!open) return
    api.devices().then(
      list => setNames(Object.fromEntries(list.map(d => [d.id.slice(0, 16), d.self ? `${d.name} (this device)` : d.name]))),
      () => {}
    )
  }, [open])

  const restore = async (v: Version): Promise<void> => {
    try {
      const restored = await json(
        client.items[':id'].history[':version'].restore.$post({ param: { id: encodeURIComponent(item.id), version: v.version } })
      )
      onRestored(restored)
      toast('Restored: the item is as it was before that change')
    } catch (err) {
      toast(messageOf(err), 'error')
    }
  }

  return (
    <details class="item-history" data-testid="item-history" onToggle={e => setOpen(e.currentTarget.open)}>
      <summary>History</summary>
      {versions === undefined ? (
        open && <p class="muted">Loading…</p>
      ) : versions.length === 0 ? (
        <p class="muted">No older versions yet.</p>
      ) : (
        <ol class="history-list">
          {versions.map(v => {
            const reveal = revealed.has(v.version)
            return (
              <li key={v.version} data-testid="history-version">
                <p class="muted">
                  <time dateTime={v.at} title={new Date(v.at).toLocaleString()}>
                    {timeAgo(v.at)}
                  </time>{' '}
                  · {v.imported ? 'imported' : (names[v.device ?? ''] ?? `device ${v.device ?? '?'}`)}
                </p>
                <ul>
                  {v.changes.map(c => (
                    <li key={c.field}>
                      <strong>{labelOf(c.field)}</strong>:{' '}
                      {c.omitted ? (
                        'changed (too large to keep)'
                      ) : (
                        <span class="mono" data-testid={`history-${c.field}`}>
                          {shown(c, c.from, reveal)} → {shown(c, c.to, reveal)}
                        </span>
                      )}
                    </li>
                  ))}
                </ul>
                {hasSecret(v) && (
                  <button
                    type="button"
                    class="link-button"
                    data-testid="history-reveal"
                    onClick={() => setRevealed(r => new Set(reveal ? [...r].filter(x => x !== v.version) : [...r, v.version]))}
                  >
                    {reveal ? 'Hide' : 'Show'} values
                  </button>
                )}{' '}
                <button
                  type="button"
                  class="link-button"
                  data-testid="history-restore"
                  disabled={disabled}
                  title={disabled ? 'Save or undo your changes first' : undefined}
                  onClick={() => void restore(v)}
                >
                  Restore as before this change
                </button>
              </li>
            )
          })}
        </ol>
      )}
    </details>
  )
}
