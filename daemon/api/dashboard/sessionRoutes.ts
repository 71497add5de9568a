/**
 * /api/session: redeem a one-time login code (public, browser only), mint one (CLI only), and end
 * the calling page's own session. Without a dashboard (a keyless peer) these answer 404.
 */
import { Hono, type MiddlewareHandler } from 'hono'
import { requireScope, type ApiEnv } from '../auth.js'
import { HttpError } from '../errors.js'
import { jsonBody, redeemBody } from '../schemas.js'
import type { Dashboard } from './Dashboard.js'
import { clearSessionCookie, dashboardOrigin, fromDashboard, openSession } from './sessionAuth.js'

function present(dashboard: Dashboard | undefined): Dashboard {
  if (dashboard === undefined) throw new HttpError(404, 'not_found', 'this daemon has no dashboard')
  return dashboard
}

/** Needs no credential: the code in the body is the credential. */
export function sessionPublicRoutes(dashboard: Dashboard | undefined) {
  const fromThePage: MiddlewareHandler<ApiEnv> = async (c, next) => {
    if (!fromDashboard(c, present(dashboard).port()))
      throw new HttpError(403, 'forbidden_origin', 'login links are redeemed by the dashboard page only')
    await next()
  }
  return new Hono<ApiEnv>().post('/redeem', fromThePage, jsonBody(redeemBody), c => {
    const d = present(dashboard)
    if (!d.links.redeem(c.req.valid('json').code))
      throw new HttpError(401, 'invalid_login_link', 'this login link was used already or has expired; run `kith open` again')
    if (!d.session.unlocked) throw new HttpError(423, 'locked', 'the vault is locked')
    return c.json({ ok: true as const, sessionToken: openSession(c, d.sessions, d.port()) }, 200)
  })
}

export function dashboardSessionRoutes(dashboard: Dashboard | undefined) {
  return (
    new Hono<ApiEnv>()
      /** a login link grants a full session, so only the CLI (bearer token) mints one */
      .post('/link', requireScope('unlock:manage'), c => {
        const d = present(dashboard)
        if (c.get('principal').kind !== 'cli') throw new HttpError(403, 'forbidden', 'login links are made by the CLI (`kith open`)')
        if (!d.session.unlocked) throw new HttpError(423, 'locked', 'the vault is locked')
        const { code, expiresAt } = d.links.mint()
        return c.json({ url: `${dashboardOrigin(d.port())}/#login=${code}`, expiresAt: new Date(expiresAt).toISOString() }, 201)
      })
      .delete('/', requireScope('items:read'), c => {
        const d = present(dashboard)
        const token = c.get('dashboardSession')
        // the cookie stays while another tab of this browser still uses it
        if (token === undefined || !d.sessions.drop(token).cookieStillUsed) clearSessionCookie(c, d.port())
        return c.json({ ok: true as const }, 200)
      })
  )
}
