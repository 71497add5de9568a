/**
 * The daemon's Hono app: Host allow-list first, then security headers, Origin checks, a body limit,
 * authentication, and the routes. Public routes (status, init, unlock, join) need no token because
 * the dashboard gets its session by unlocking; every other /api route needs a credential.
 */
import { Hono, type Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { VaultService } from '../service/VaultService.js'
import { hostGuard } from './hostGuard.js'
import { securityHeaders, setSecurityHeaders } from './securityHeaders.js'
import { originGuard } from './originGuard.js'
import { requireAuth, bearerAuthenticator, type Authenticator } from './auth.js'
import { HttpError, toHttpError } from './errors.js'
import { readJson, requiredString } from './readJson.js'
import { itemRoutes } from './routes/items.js'
import { vaultRoutes } from './routes/vaults.js'
import { settingsRoutes } from './routes/settings.js'
import { eventRoutes, type EventSource } from './routes/events.js'
import { transferRoutes } from './routes/transfers.js'
import type { PortabilityService } from '../service/PortabilityService.js'

export const MAX_BODY_BYTES = 2 * 1024 * 1024
/** an import carries a whole file, base64-encoded: 72 MiB holds a 50 MiB export */
export const MAX_IMPORT_BODY_BYTES = 72 * 1024 * 1024

export interface AppDeps {
  service: VaultService
  /** the CLI's bearer token */
  token: string
  /** the bound HTTP port (known after listen) */
  port: () => number
  status: () => Record<string, unknown>
  events: EventSource
  /** more ways to authenticate (dashboard sessions) */
  authenticators?: Authenticator[]
  /** called after a successful unlock or init; its fields join the JSON answer (a dashboard session) */
  onUnlocked?: (c: Context) => Record<string, unknown>
  /** extra authenticated routes, mounted under /api */
  routes?: Array<{ path: string, app: Hono<any, any, any> }>
  /** extra public routes under /api (need no credential; still Host- and Origin-checked) */
  publicRoutes?: Array<{ path: string, app: Hono<any, any, any> }>
  /** routes for everything outside /api (the dashboard's static files) */
  site?: Hono<any, any, any>
  log?: (level: 'info' | 'warn' | 'error', message: string) => void
  /** larger body limit for these /api paths (imports) */
  largeBodyPaths?: string[]
  /** import, export and migrate */
  portability?: PortabilityService
  /** crypto-erases this device's vault and stops the daemon; answers what it removed */
  destroy?: () => Promise<Record<string, unknown>>
  /** called after each /api request was answered */
  onRequest?: () => void
}

export function createApp (deps: AppDeps) {
  const { service } = deps
  const authenticators = [bearerAuthenticator(deps.token), ...(deps.authenticators ?? [])]
  const app = new Hono()

  app.onError((err, c) => {
    const httpError = toHttpError(err)
    if (httpError.status >= 500) deps.log?.('error', `${c.req.method} ${c.req.path}: ${(err as Error).name}: ${(err as Error).message}`)
    const res = c.json({ error: { code: httpError.code, message: httpError.message } }, httpError.status as 400)
    for (const [k, v] of Object.entries(httpError.headers)) res.headers.set(k, v)
    setSecurityHeaders(res.headers)
    return res
  })
  app.notFound(c => {
    const res = c.json({ error: { code: 'not_found', message: `no route ${c.req.method} ${c.req.path}` } }, 404)
    setSecurityHeaders(res.headers)
    return res
  })

  app.use('*', hostGuard(deps.port))
  app.use('*', securityHeaders())
  app.use('*', originGuard(deps.port))
  app.use('/api/*', async (c, next) => {
    const large = deps.largeBodyPaths?.some(p => c.req.path.startsWith(p)) === true
    return await bodyLimit({
      maxSize: large ? MAX_IMPORT_BODY_BYTES : MAX_BODY_BYTES,
      onError: () => { throw new HttpError(413, 'payload_too_large', `the request body exceeds ${(large ? MAX_IMPORT_BODY_BYTES : MAX_BODY_BYTES) / 1048576} MiB`) }
    })(c, next)
  })
  app.use('/api/*', async (c, next) => {
    service.touch()
    await next()
    deps.onRequest?.()
  })

  const publicApi = new Hono()
    .get('/status', c => c.json(deps.status()))
    .post('/init', async c => {
      const body = await readJson(c)
      await service.init(requiredString(body, 'password'))
      return c.json({ ok: true, ...deps.status(), ...deps.onUnlocked?.(c) }, 201)
    })
    .post('/unlock', async c => {
      const body = await readJson(c)
      await service.unlock(requiredString(body, 'password'))
      return c.json({ ok: true, ...deps.onUnlocked?.(c) })
    })
  app.route('/api', publicApi)
  for (const r of deps.publicRoutes ?? []) app.route(`/api${r.path}`, r.app)

  app.use('/api/*', requireAuth(authenticators))
  app.post('/api/lock', async c => {
    await service.lock()
    return c.json({ ok: true })
  })
  app.route('/api/items', itemRoutes(service))
  app.route('/api/vaults', vaultRoutes(service))
  app.route('/api', settingsRoutes(service))
  app.route('/api/events', eventRoutes(deps.events, c => authenticators.some(a => a(c))))
  if (deps.portability !== undefined) {
    app.route('/api', transferRoutes(deps.portability, deps.destroy ?? (async () => { throw new HttpError(501, 'not_supported', 'destroy is not available') })))
  }
  for (const r of deps.routes ?? []) app.route(`/api${r.path}`, r.app)
  if (deps.site !== undefined) app.route('/', deps.site)
  return app
}
