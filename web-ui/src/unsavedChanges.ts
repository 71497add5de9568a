/**
 * The one edit the page holds that is not saved yet (the open item's form), so that leaving it —
 * another item, another screen, the back button, lock, a reload or closing the tab — asks first
 * instead of dropping what was typed. The form registers itself while it is dirty; the router and
 * the lock button ask `confirmLeave()`; the dialog answers through `onLeaveRequest`.
 */

export interface UnsavedEdit {
  /** what the dialog names ("“Dropbox”") */
  what: string
  /** saves; false when it could not (the form then shows why) */
  save: () => Promise<boolean>
  discard: () => void
}

export type LeaveChoice = 'save' | 'discard' | 'cancel'
type Asker = (what: string) => Promise<LeaveChoice>

let pending: UnsavedEdit | undefined
let ask: Asker | undefined

/** The form's current unsaved edit, or undefined once it is saved or undone. */
export function setUnsavedEdit(edit: UnsavedEdit | undefined): void {
  pending = edit
}

export const hasUnsavedEdit = (): boolean => pending !== undefined

/** The dialog registers here; returns an unsubscribe function. */
export function onLeaveRequest(asker: Asker): () => void {
  ask = asker
  return () => {
    if (ask === asker) ask = undefined
  }
}

/** True when the page may leave the current edit: nothing unsaved, or saved, or discarded by the person. */
export async function confirmLeave(): Promise<boolean> {
  const edit = pending
  if (edit === undefined) return true
  if (ask === undefined) return window.confirm(`Discard the unsaved changes to ${edit.what}?`)
  const choice = await ask(edit.what)
  if (choice === 'cancel') return false
  if (choice === 'discard') {
    edit.discard()
    pending = undefined
    return true
  }
  const saved = await edit.save()
  if (saved) pending = undefined
  return saved
}

/** A reload or closing the tab with an unsaved edit: the browser's own "Leave site?" question. */
export function guardUnload(): () => void {
  const onBeforeUnload = (e: BeforeUnloadEvent): void => {
    if (pending === undefined) return
    e.preventDefault()
    e.returnValue = ''
  }
  window.addEventListener('beforeunload', onBeforeUnload)
  return () => window.removeEventListener('beforeunload', onBeforeUnload)
}
