/**
 * Copy to the clipboard, cleared after 30 seconds. The clear overwrites the clipboard only while it
 * still holds what we copied, when the browser lets us read it without a prompt; otherwise it
 * clears unconditionally. A page in the background cannot write the clipboard, so a clear that
 * fails is retried when the page regains focus.
 */
export const CLEAR_AFTER_MS = 30_000

let copied: string | undefined
let timer: ReturnType<typeof setTimeout> | undefined
let pending = false

async function canReadSilently(): Promise<boolean> {
  try {
    const state = await navigator.permissions.query({ name: 'clipboard-read' as PermissionName })
    return state.state === 'granted'
  } catch {
    return false
  }
}

async function clear(): Promise<void> {
  const ours = copied
  if (ours === undefined) return
  try {
    if ((await canReadSilently()) && (await navigator.clipboard.readText()) !== ours) {
      copied = undefined
      pending = false
      return
    }
    await navigator.clipboard.writeText('')
    copied = undefined
    pending = false
  } catch {
    pending = true
  }
}

function retryPending(): void {
  if (pending) void clear()
}
window.addEventListener('focus', retryPending)
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') retryPending()
})

/** Copies text; when `secret`, schedules the 30-second clear. */
export async function copyText(text: string, secret = true): Promise<void> {
  try {
    await navigator.clipboard.writeText(text)
  } catch {
    // older or restricted contexts: the selection-based copy still works on a user gesture
    const area = document.createElement('textarea')
    area.value = text
    area.setAttribute('readonly', '')
    area.className = 'offscreen'
    document.body.append(area)
    area.select()
    const ok = document.execCommand('copy')
    area.remove()
    if (!ok) throw new Error('the browser refused to copy')
  }
  clearTimeout(timer)
  if (!secret) return
  copied = text
  pending = false
  timer = setTimeout(() => {
    void clear()
  }, CLEAR_AFTER_MS)
}
