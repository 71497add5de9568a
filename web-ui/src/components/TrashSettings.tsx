/**
 * The trash beyond one item (issue 15, F37), a lazy chunk: "Empty trash" above the trash list, and in
 * Settings after how many days trashed items are deleted for good (never by default).
 */
import { useEffect, useId, useState } from 'preact/hooks'
import { client, json } from '../api.js'
import { messageOf, toast } from '../toast.js'
import { ConfirmButton } from './ui.js'

const PURGE_CHOICES = [0, 7, 30, 90, 365]
const plural = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`

/** Deletes every trashed item for good; the list follows through the daemon's item-changed events. */
export function EmptyTrash({ count }: { count: number }) {
  const empty = async (): Promise<void> => {
    try {
      const { purged } = await json(client.trash.empty.$post({ json: {} }))
      toast(`Deleted ${plural(purged, 'item')} for good`)
    } catch (err) {
      toast(messageOf(err), 'error')
    }
  }
  return (
    <ConfirmButton
      class="link-button danger"
      testId="empty-trash"
      confirmText={`Delete ${plural(count, 'item')} for good?`}
      onConfirm={() => void empty()}
    >
      Empty trash
    </ConfirmButton>
  )
}

export function TrashSettings() {
  const [days, setDays] = useState<number>()
  const id = useId()
  useEffect(() => {
    json(client.trash.$get()).then(
      s => setDays(s.purgeAfterDays),
      () => {}
    )
  }, [])
  const choose = async (value: number): Promise<void> => {
    try {
      const s = await json(client.trash.$patch({ json: { purgeAfterDays: value } }))
      setDays(s.purgeAfterDays)
      toast(value === 0 ? 'Trashed items stay until you delete them' : `Trashed items are deleted for good after ${plural(value, 'day')}`)
    } catch (err) {
      toast(messageOf(err), 'error')
    }
  }
  const choices = days === undefined || PURGE_CHOICES.includes(days) ? PURGE_CHOICES : [...PURGE_CHOICES, days]
  return (
    <section class="card" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>Trash</h3>
      <div class="field">
        <label for={id}>Delete items for good once they have been in the trash for</label>
        <select
          id={id}
          data-testid="trash-purge-days"
          value={days === undefined ? '' : String(days)}
          onChange={e => void choose(Number(e.currentTarget.value))}
        >
          {choices.map(d => (
            <option key={d} value={String(d)}>
              {d === 0 ? 'Never' : plural(d, 'day')}
            </option>
          ))}
        </select>
      </div>
      <p class="hint">Deleting for good removes the item and its history from every device; it cannot be undone.</p>
    </section>
  )
}
