/** GET /api/events: server-sent events for item changes, lock state and peers. */
import { Hono, type Context } from 'hono'
import { streamSSE } from 'hono/streaming'
import type { EventEmitter } from 'node:events'
import { requireScope, type ApiEnv } from '../auth.js'
import type { EventSource } from '../ports.js'

export type { EventSource }

/**
 * `stillAuthorized` is asked again before every event: a stream opened by a dashboard session ends
 * as soon as that session does (lock, auto-lock, logout), not when the client disconnects.
 */
export function eventRoutes(
  events: EventSource,
  stillAuthorized: (c: Context<ApiEnv>) => boolean = () => true,
  changes: () => number | undefined = () => undefined
) {
  return new Hono<ApiEnv>().get('/', requireScope('items:read'), c =>
    streamSSE(c, async stream => {
      const queue: Array<{ event: string; data: unknown }> = []
      let wake: (() => void) | undefined
      const unsubscribe = events.subscribe((event, data) => {
        queue.push({ event, data })
        wake?.()
      })
      let closed = false
      stream.onAbort(() => {
        closed = true
        wake?.()
      })
      // item changes announced before this stream subscribed (a list with x-kith-changes ≥ this missed none)
      await stream.writeSSE({ event: 'hello', data: JSON.stringify({ changes: changes() }) })
      try {
        while (!closed) {
          const next = queue.shift()
          if (next === undefined) {
            await new Promise<void>(resolve => {
              wake = resolve
              setTimeout(resolve, 15000).unref()
            })
            wake = undefined
            if (queue.length > 0) continue // an event woke us: handled (and authorised) above
            if (!stillAuthorized(c)) break
            if (!closed) await stream.writeSSE({ event: 'ping', data: '{}' })
            continue
          }
          if (!stillAuthorized(c)) {
            // the lock that ended a session is still told (even behind other queued events), so the
            // page knows why its stream ends instead of retrying into a 401
            const locked = next.event === 'locked' ? next : queue.find(e => e.event === 'locked')
            if (locked !== undefined) await stream.writeSSE({ event: 'locked', data: JSON.stringify(locked.data) })
            break
          }
          await stream.writeSSE({ event: next.event, data: JSON.stringify(next.data) })
        }
      } finally {
        unsubscribe()
      }
    })
  )
}

/** Bridges named events of emitters into one EventSource. */
export function eventSourceFrom(sources: Array<{ emitter: EventEmitter; events: string[] }>): EventSource {
  return {
    subscribe(listener) {
      const offs: Array<() => void> = []
      for (const { emitter, events } of sources) {
        for (const name of events) {
          const handler = (data: unknown): void => listener(name, data ?? {})
          emitter.on(name, handler)
          offs.push(() => emitter.off(name, handler))
        }
      }
      return () => {
        for (const off of offs) off()
      }
    }
  }
}
