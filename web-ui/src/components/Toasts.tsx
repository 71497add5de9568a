/** The toast stack: a polite live region at the bottom of the page. */
import { useToasts } from '../toast.js'

export function Toasts() {
  const list = useToasts()
  return (
    <div class="toasts" role="status" aria-live="polite">
      {list.map(t => (
        <div key={t.id} class={`toast ${t.kind}`}>
          {t.text}
        </div>
      ))}
    </div>
  )
}
