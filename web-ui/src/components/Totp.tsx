/** A TOTP code with a countdown; fetches the next code when the period runs out. */
import { useEffect, useState } from 'preact/hooks'
import { api } from '../api.js'
import type { TotpCode } from '../types.js'
import { CopyButton } from './ui.js'
import { messageOf } from '../toast.js'

export function Totp ({ itemId, uri }: { itemId: string, uri: string }) {
  const [code, setCode] = useState<TotpCode & { at: number }>()
  const [error, setError] = useState<string>()
  const [now, setNow] = useState(Date.now())

  useEffect(() => {
    let stop = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const load = async (): Promise<void> => {
      try {
        const c = await api.totp(itemId)
        if (stop) return
        setCode({ ...c, at: Date.now() })
        setError(undefined)
        timer = setTimeout(() => { void load() }, c.remaining * 1000 + 50)
      } catch (err) {
        if (!stop) setError(messageOf(err))
      }
    }
    void load()
    const tick = setInterval(() => setNow(Date.now()), 1000)
    return () => { stop = true; clearTimeout(timer); clearInterval(tick) }
  }, [itemId, uri])

  if (error !== undefined) return <p class='error'>{error}</p>
  if (code === undefined) return <span class='muted'>…</span>
  const remaining = Math.max(0, code.remaining - Math.floor((now - code.at) / 1000))
  const shown = code.code.length === 6 ? `${code.code.slice(0, 3)} ${code.code.slice(3)}` : code.code
  return (
    <div class='totp'>
      <span class='totp-code' data-testid='totp-code' aria-label={`One-time code ${code.code}`}>{shown}</span>
      <progress class={`totp-timer${remaining <= 5 ? ' ending' : ''}`} max={code.period} value={remaining} aria-label={`${remaining} seconds left`} />
      <span class='totp-seconds' aria-hidden='true'>{remaining}s</span>
      <CopyButton value={code.code} what='One-time code' testId='copy-totp' />
    </div>
  )
}
