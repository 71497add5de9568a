/** A TOTP code with a countdown, computed in the page (see ../totp.ts), renewed when the period ends. */
import { useEffect, useMemo, useState } from 'preact/hooks'
import { parseTotpUri, totpAt } from '../totp.js'
import { CopyButton } from './ui.js'
import { messageOf } from '../toast.js'

export function Totp({ uri }: { uri: string }) {
  const params = useMemo(() => {
    try {
      return parseTotpUri(uri)
    } catch (err) {
      return messageOf(err)
    }
  }, [uri])
  const [code, setCode] = useState<{ code: string; remaining: number; period: number }>()

  useEffect(() => {
    if (typeof params === 'string') return
    let stop = false
    const tick = (): void => {
      totpAt(params).then(
        c => {
          if (!stop) setCode(c)
        },
        () => {}
      )
    }
    tick()
    // align to whole seconds so the countdown and the code change together
    let interval: ReturnType<typeof setInterval> | undefined
    const start = setTimeout(
      () => {
        tick()
        interval = setInterval(tick, 1000)
      },
      1000 - (Date.now() % 1000)
    )
    return () => {
      stop = true
      clearTimeout(start)
      clearInterval(interval)
    }
  }, [params])

  if (typeof params === 'string') return <p class="error">{params}</p>
  if (code === undefined) return <span class="muted">…</span>
  const shown = code.code.length === 6 ? `${code.code.slice(0, 3)} ${code.code.slice(3)}` : code.code
  return (
    <div class="totp">
      <span class="totp-code" data-testid="totp-code" aria-label={`One-time code ${code.code}`}>
        {shown}
      </span>
      <progress
        class={`totp-timer${code.remaining <= 5 ? ' ending' : ''}`}
        max={code.period}
        value={code.remaining}
        aria-label={`${code.remaining} second${code.remaining === 1 ? '' : 's'} left`}
      />
      <span class="totp-seconds" aria-hidden="true">
        {code.remaining}s
      </span>
      <CopyButton value={code.code} what="One-time code" testId="copy-totp" />
    </div>
  )
}
