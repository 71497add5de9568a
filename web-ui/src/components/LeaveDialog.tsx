/**
 * "Save, Discard or Cancel?" when the page is about to leave an item with unsaved changes (another
 * item, another screen, the back button, lock). A modal dialog the router and the lock button open
 * through `onLeaveRequest` (unsavedChanges.ts).
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import { onLeaveRequest, type LeaveChoice } from '../unsavedChanges.js'

interface Ask {
  what: string
  answer: (choice: LeaveChoice) => void
}

export function LeaveDialog() {
  const [ask, setAsk] = useState<Ask>()
  const dialog = useRef<HTMLDialogElement>(null)

  useEffect(() => onLeaveRequest(what => new Promise(resolve => setAsk({ what, answer: resolve }))), [])
  useEffect(() => {
    const d = dialog.current
    if (d === null) return
    if (ask !== undefined && !d.open) d.showModal()
    if (ask === undefined && d.open) d.close()
  }, [ask])

  const choose = (choice: LeaveChoice): void => {
    ask?.answer(choice)
    setAsk(undefined)
  }

  return (
    <dialog
      ref={dialog}
      class="card reauth"
      aria-labelledby="unsaved-title"
      data-testid="unsaved-dialog"
      onCancel={e => {
        e.preventDefault()
        choose('cancel')
      }}
    >
      <h3 id="unsaved-title">Save the changes to {ask?.what}?</h3>
      <p class="muted">You changed this item and have not saved it. Leaving it now would lose what you typed.</p>
      <div class="view-actions">
        <button type="button" class="button primary" data-testid="unsaved-save" onClick={() => choose('save')}>
          Save
        </button>
        <button type="button" class="button danger" data-testid="unsaved-discard" onClick={() => choose('discard')}>
          Discard
        </button>
        <button type="button" class="button" data-testid="unsaved-cancel" onClick={() => choose('cancel')}>
          Cancel
        </button>
      </div>
    </dialog>
  )
}
