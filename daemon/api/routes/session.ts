/**
 * /api/init, /api/unlock (public: the dashboard gets its session by unlocking), /api/lock and
 * /api/reauthenticate. A successful init or unlock from the dashboard page also opens a dashboard
 * session; either counts as the caller proving the password (RecentProofs).
 */
import { Hono, type Context } from 'hono'
import type { ApiEnv } from '../auth.js'
import { requireScope } from '../auth.js'
import type { SessionPort, StatusPort } from '../ports.js'
import { jsonBody, passwordBody } from '../schemas.js'
import { callerOf, type RecentProofs } from '../RecentProofs.js'

/**
 * What a browser unlock adds to the answer (the dashboard's session token); nothing for the CLI.
 * It also records that the caller (and the new session) proved the password.
 */
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

export function sessionRoutes(session: SessionPort, proofs: RecentProofs) {
  return (
    new Hono<ApiEnv>()
      .post('/lock', requireScope('items:read'), async c => {
        await session.lock()
        return c.json({ ok: true as const }, 200)
      })
      // whether this caller must give the password again before a guarded action, and until when it need not
      .get('/reauthenticate', requireScope('items:read'), c => {
        const validUntil = proofs.validUntil(callerOf(c))
        return c.json({ required: validUntil === null, validUntil: validUntil === null ? null : new Date(validUntil).toISOString() }, 200)
      })
      // proves the password again (under the unlock throttle: a wrong one counts like a failed unlock)
      .post('/reauthenticate', requireScope('items:read'), jsonBody(passwordBody), async c => {
        await session.verify({ kind: 'password', password: c.req.valid('json').password })
        const caller = callerOf(c)
        proofs.prove(caller)
        return c.json({ ok: true as const, validUntil: new Date(proofs.validUntil(caller) ?? Date.now()).toISOString() }, 200)
      })
  )
}
