/**
 * /api/init, /api/unlock (public: the dashboard gets its session by unlocking) and /api/lock.
 * A successful init or unlock from the dashboard page also opens a dashboard session.
 */
import { Hono, type Context } from 'hono'
import type { ApiEnv } from '../auth.js'
import { requireScope } from '../auth.js'
import type { SessionPort, StatusPort } from '../ports.js'
import { jsonBody, passwordBody } from '../schemas.js'

/** What a browser unlock adds to the answer (the dashboard's session token); nothing for the CLI. */
export type AfterUnlock = (c: Context<ApiEnv>) => { sessionToken?: string }

export function sessionPublicRoutes(session: SessionPort, status: StatusPort, afterUnlock: AfterUnlock) {
  return new Hono<ApiEnv>()
    .post('/init', jsonBody(passwordBody), async c => {
      await session.init(c.req.valid('json').password)
      return c.json({ ok: true as const, ...status.status(), ...afterUnlock(c) }, 201)
    })
    .post('/unlock', jsonBody(passwordBody), async c => {
      await session.unlock({ kind: 'password', password: c.req.valid('json').password })
      return c.json({ ok: true as const, ...afterUnlock(c) }, 200)
    })
}

export function sessionRoutes(session: SessionPort) {
  return new Hono<ApiEnv>().post('/lock', requireScope('items:read'), async c => {
    await session.lock()
    return c.json({ ok: true as const }, 200)
  })
}
