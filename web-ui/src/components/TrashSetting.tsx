/** Settings › Trash: how long the trash keeps an item after its last change before deleting it for good. */
import { useEffect, useId, useState } from 'preact/hooks'
import { api } from '../api.js'
import { messageOf, toast } from '../toast.js'

const CHOICES = [7, 30, 90, 365, 0]

export function TrashSetting() {
  const [days, setDays] = useState<number>()
  const id = useId()
  useEffect(() => {
    api.trashSettings().then(
      s => setDays(s.days),
      () => {}
    )
  }, [])
  const choose = async (value: number): Promise<void> => {
    try {
      setDays((await api.setTrashDays(value)).days)
      toast(
        value === 0 ? 'The trash now keeps items until you empty it' : `Items in the trash are now deleted for good after ${value} days`
      )
    } catch (err) {
      toast(messageOf(err), 'error')
    }
  }
  const choices = days === undefined || CHOICES.includes(days) ? CHOICES : [...CHOICES, days]
  return (
    <section class="card" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>Trash</h3>
      <div class="field">
        <label for={id}>Delete items in the trash for good after</label>
        <select
          id={id}
          data-testid="trash-days"
          value={days === undefined ? '' : String(days)}
          onChange={e => void choose(Number(e.currentTarget.value))}
        >
          {choices.map(d => (
            <option key={d} value={String(d)}>
              {d === 0 ? 'Never (until I empty it)' : `${d} days`}
            </option>
          ))}
        </select>
      </div>
      <p class="hint">
        Counted from an item's last change. Each device keeps its own trash setting; deleting for good reaches your other devices.
      </p>
    </section>
  )
}
