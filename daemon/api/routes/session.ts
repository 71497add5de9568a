/**
 * /api/init, /api/unlock (public: the dashboard gets its session by unlocking), /api/lock and
 * /api/reauthenticate. A successful init or unlock from the dashboard page also opens a dashboard
 * session; either counts as the caller proving the password (RecentProofs).
 */
import { Hono, type Context } from 'hono'
import type { ApiEnv } from '../auth.js'
import { requireScope } from '../auth.js'
import type { SessionPort, StatusPort } from '../ports.js'
import { jsonBody, passwordBody, unlockBody } from '../schemas.js'
import { HttpError } from '../errors.js'
import type { UnlockRequest } from '../ports.js'
import { callerOf, type RecentProofs } from '../RecentProofs.js'

/**
 * What a browser unlock adds to the answer (the dashboard's session token); nothing for the CLI.
 * It also records that the caller (and the new session) proved the password.
 */
export type AfterUnlock = (c: Context<ApiEnv>) => { sessionToken?: string }

export function sessionPublicRoutes(session: SessionPort, status: StatusPort, afterUnlock: AfterUnlock) {
  return (
    new Hono<ApiEnv>()
      .post('/init', jsonBody(passwordBody), async c => {
        await session.init(c.req.valid('json').password)
        return c.json({ ok: true as const, ...status.status(), ...afterUnlock(c) }, 201)
      })
      // {"password", "totp"?} or {"recoveryKey"}; after a recovery key the answer says a new password is needed
      .post('/unlock', jsonBody(unlockBody), async c => {
        await session.unlock(unlockRequestOf(c.req.valid('json')))
        return c.json({ ok: true as const, needsNewPassword: session.needsNewPassword, ...afterUnlock(c) }, 200)
      })
  )
}

function unlockRequestOf(body: { password?: string; totp?: string; recoveryKey?: string }): UnlockRequest {
  if (body.recoveryKey !== undefined) {
    if (body.password !== undefined) throw new HttpError(400, 'invalid_request', 'give either the password or the recovery key')
    return { kind: 'recovery-key', recoveryKey: body.recoveryKey }
  }
  return { kind: 'password', password: body.password ?? '', ...(body.totp === undefined ? {} : { totp: body.totp }) }
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
