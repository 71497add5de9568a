/**
 * A field being edited here that another device changed meanwhile: both values are shown and the
 * person picks one; Save waits until they have (never a silent overwrite either way). A password
 * from the other device is not shown, only that it changed.
 */
import type { Draft, DraftKey } from '../itemDraft.js'

const LABELS: Record<DraftKey, string> = {
  vault: 'Vault',
  type: 'Type',
  expiresAt: 'Expiry date',
  details: 'Typed fields',
  title: 'Title',
  username: 'Username',
  password: 'Password',
  urls: 'Websites',
  totp: 'One-time code',
  folder: 'Folder',
  tags: 'Tags',
  favorite: 'Favourite',
  notes: 'Notes',
  fields: 'Custom fields'
}

function shown(key: DraftKey, value: unknown): string {
  if (key === 'password' || key === 'totp' || key === 'details') return 'a new value (hidden)'
  if (key === 'fields') {
    const n = (value as Draft['fields']).length
    return `${n} field${n === 1 ? '' : 's'}`
  }
  if (Array.isArray(value)) return value.filter(v => v !== '').join(', ') || '(empty)'
  if (typeof value === 'boolean') return value ? 'yes' : 'no'
  const text = String(value)
  return text === '' ? '(empty)' : `“${text.length > 120 ? `${text.slice(0, 120)}…` : text}”`
}

export function ConflictNotice({
  conflicts,
  mine,
  choose
}: {
  conflicts: Partial<Draft>
  mine: Draft
  choose: (key: DraftKey, theirs: boolean) => void
}) {
  const keys = Object.keys(conflicts) as DraftKey[]
  if (keys.length === 0) return null
  return (
    <div class="notice conflicts" role="alert" data-testid="conflicts">
      {keys.map(key => (
        <div key={key} class="conflict" data-testid="conflict">
          <p>
            <strong>{LABELS[key]}</strong> was changed on another device to {shown(key, conflicts[key])} while you were editing it (yours:{' '}
            {shown(key, mine[key])}).
          </p>
          <div class="view-actions">
            <button type="button" class="button" data-testid="conflict-theirs" onClick={() => choose(key, true)}>
              Use theirs
            </button>
            <button type="button" class="button" data-testid="conflict-mine" onClick={() => choose(key, false)}>
              Keep mine
            </button>
          </div>
        </div>
      ))}
    </div>
  )
}
