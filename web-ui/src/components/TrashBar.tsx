/**
 * Above the trash's list: how long the trash keeps items (Settings › Trash changes it) and "Empty
 * trash", which deletes every item in it for good after a confirmation.
 */
import { useEffect, useState } from 'preact/hooks'
import { api } from '../api.js'
import { messageOf, toast } from '../toast.js'
import { ConfirmButton } from './ui.js'

export function TrashBar({ count }: { count: number }) {
  const [days, setDays] = useState<number>()
  useEffect(() => {
    api.trashSettings().then(
      s => setDays(s.days),
      () => {}
    )
  }, [])
  const empty = async (): Promise<void> => {
    try {
      const { purged } = await api.emptyTrash()
      toast(`Deleted ${purged} item${purged === 1 ? '' : 's'} for good`)
    } catch (err) {
      toast(messageOf(err), 'error')
    }
  }
  return (
    <div class="trash-bar" data-testid="trash-bar">
      <span class="muted">
        {days === undefined
          ? ''
          : days === 0
            ? 'Items stay in the trash until you empty it.'
            : `Items are deleted for good ${days} days after they were last changed here.`}
      </span>
      {count > 0 && (
        <ConfirmButton confirmText={`Delete all ${count} for good?`} onConfirm={() => void empty()} testId="empty-trash">
          Empty trash
        </ConfirmButton>
      )}
    </div>
  )
}
