/**
 * The API of a backup peer (issue 13): `GET /api/status` only, for `kith status` and scripts, with
 * the bearer token from its `daemon.json`. It has no dashboard, no items and no keys to serve.
 */
import { Hono } from 'hono'
import { constantTimeEqual } from '../crypto/constantTime.js'
import { hostGuard } from './hostGuard.js'
import { HttpError } from './errors.js'

export interface StatusAppOptions {
  token: string
  port: () => number
  status: () => Record<string, unknown>
}

export function createStatusApp(options: StatusAppOptions): Hono {
  const app = new Hono()
  app.onError((err, c) => {
    const status = err instanceof HttpError ? err.status : 500
    const code = err instanceof HttpError ? err.code : 'internal'
    return c.json({ error: { code, message: err instanceof HttpError ? err.message : 'internal error' } }, status as 403 | 500)
  })
  app.use('*', hostGuard(options.port))
  app.use('*', async (c, next) => {
    const header = c.req.header('authorization') ?? ''
    const token = header.startsWith('Bearer ') ? header.slice(7) : ''
    if (!constantTimeEqual(token, options.token))
      return c.json({ error: { code: 'unauthorized', message: 'a backup peer answers its owner only (token from daemon.json)' } }, 401)
    await next()
  })
  app.get('/api/status', c => c.json(options.status(), 200))
  app.all('*', c => c.json({ error: { code: 'not_found', message: 'a backup peer serves /api/status only' } }, 404))
  return app
}
