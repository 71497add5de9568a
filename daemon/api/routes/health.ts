/**
 * /api/health: the password-health report of every live item · /api/strength: the strength verdict
 * of one password, sent in the body (never the URL), for the meters and the weak-password checks of
 * the CLI and the dashboard, so that both show the daemon's one estimator's verdict.
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono'
import { requireScope, type ApiEnv } from '../auth.js'
import { HttpError } from '../errors.js'
import type { HealthPort } from '../ports.js'
import { jsonBody, strengthBody } from '../schemas.js'

export function healthRoutes(health: HealthPort) {
  return new Hono<ApiEnv>().get('/', requireScope('items:read'), async c => c.json(await health.report(), 200))
}

/**
 * In the public sub-app: a device being set up (first run, joining) has no session yet, and its
 * dashboard shows the meter for the new master password. Once the device is initialized only a
 * caller with a credential may ask (`mayAsk`).
 */
export function strengthRoutes(health: HealthPort, mayAsk: (c: Context<ApiEnv>) => boolean) {
  const allowed: MiddlewareHandler<ApiEnv> = async (c, next) => {
    if (!mayAsk(c)) throw new HttpError(401, 'unauthorized', 'missing or invalid credentials')
    await next()
  }
  return new Hono<ApiEnv>().post('/', allowed, jsonBody(strengthBody), async c =>
    c.json(await health.strength(c.req.valid('json').password), 200)
  )
}
