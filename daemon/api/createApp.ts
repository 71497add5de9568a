/**
 * The daemon's Hono app: Host allow-list first, then security headers, Origin checks, a body limit,
 * and two sub-apps under /api. The public one (status, init, unlock, login-link redemption, joining
 * a vault) needs no credential; every route of the other runs behind its authentication middleware
 * by construction, and names the scope it needs (`requireScope`). docs/api.md has the conventions.
 */
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { hostGuard } from './hostGuard.js'
import { securityHeaders, setSecurityHeaders } from './securityHeaders.js'
import { originGuard } from './originGuard.js'
import { authenticate, bearerAuthenticator, identify, type ApiEnv, type Authenticator } from './auth.js'
import { HttpError, toHttpError } from './errors.js'
import { jsonTypeByDefault } from './jsonTypeByDefault.js'
import type {
  AttachmentsPort,
  DaemonStatus,
  DestroyResult,
  DevicesPort,
  EventSource,
  FactorsPort,
  HealthPort,
  ItemsPort,
  Log,
  PasskeysPort,
  SessionPort,
  SettingsPort,
  StatusPort,
  TransfersPort,
  TrashPort,
  VaultsPort
} from './ports.js'
import { sessionPublicRoutes, sessionRoutes, type AfterUnlock } from './routes/session.js'
import { itemRoutes } from './routes/items.js'
import { itemHistoryRoutes } from './routes/itemHistory.js'
import { attachmentRoutes } from './routes/attachments.js'
import { trashRoutes } from './routes/trash.js'
import { vaultRoutes } from './routes/vaults.js'
import { settingsRoutes } from './routes/settings.js'
import { eventRoutes } from './routes/events.js'
import { transferRoutes } from './routes/transfers.js'
import { deviceRoutes, pairingPublicRoutes, pairingRoutes } from './routes/devices.js'
import { passkeyPublicRoutes, passkeyRoutes } from './routes/passkeys.js'
import { factorRoutes } from './routes/factors.js'
import { healthRoutes, strengthRoutes } from './routes/health.js'
import { dashboardRoutes } from './dashboard/dashboardRoutes.js'
import { dashboardSessionRoutes, sessionPublicRoutes as loginLinkRoutes } from './dashboard/sessionRoutes.js'
import { callerKey, RecentProofs, sessionCallerKey, type RecentProofsOptions } from './RecentProofs.js'
import type { Context } from 'hono'
import type { Dashboard } from './dashboard/Dashboard.js'
import { toError } from '../toError.js'

export const MAX_BODY_BYTES = 2 * 1024 * 1024
/** an import carries a whole file, base64-encoded: 72 MiB holds a 50 MiB export */
export const MAX_IMPORT_BODY_BYTES = 72 * 1024 * 1024
/** the paths that take the larger body limit */
const LARGE_BODY_PATHS = ['/api/import']
const ATTACHMENT_UPLOAD = /^\/api\/items\/[^/]+\/attachments$/

export interface AppDeps {
  session: SessionPort
  items: ItemsPort
  /** files on items; without it the attachment routes answer 404 */
  attachments?: AttachmentsPort
  vaults: VaultsPort
  trash: TrashPort
  settings: SettingsPort
  transfers: TransfersPort
  devices: DevicesPort
  /** passkey unlock and management; without it every passkey route answers 404 `no_passkeys` */
  passkeys?: PasskeysPort
  /** unlock methods and the authenticator gate */
  factors: FactorsPort
  /** the password-health report and the strength estimator */
  health: HealthPort
  status: StatusPort
  events: EventSource
  /** crypto-erases this device's vault and stops the daemon; answers what it removed */
  destroy: () => Promise<DestroyResult>
  /** the CLI's bearer token */
  token: string
  /** the bound HTTP port (known once the server listens) */
  port: () => number
  log?: Log
  /** called after each /api request was answered */
  onRequest?: () => void
  /** the dashboard: its sessions authenticate requests, its page is served outside /api */
  dashboard?: Dashboard
  /** credentials beyond the CLI token and dashboard sessions (tests; later paired extensions) */
  authenticators?: readonly Authenticator[]
  /** how long a proven password counts for the guarded actions (tests shorten it) */
  reauth?: RecentProofsOptions
}

/** A daemon built without passkeys (tests) answers every passkey route with 404. */
function passkeysOf(deps: AppDeps): PasskeysPort {
  if (deps.passkeys !== undefined) return deps.passkeys
  const none = async (): Promise<never> => {
    throw new HttpError(404, 'no_passkeys', 'passkeys are not available on this daemon')
  }
  return { list: none, registrationOptions: none, register: none, unlockOptions: none, unlock: none, rename: none, remove: none }
}

/** A daemon built without attachments (tests) answers every attachment route with 404. */
const noAttachments: AttachmentsPort = {
  limitBytes: () => 0,
  add: async () => {
    throw new HttpError(404, 'not_found', 'files on items are not available on this daemon')
  },
  info: () => {
    throw new HttpError(404, 'not_found', 'files on items are not available on this daemon')
  },
  read: () => {
    throw new HttpError(404, 'not_found', 'files on items are not available on this daemon')
  },
  remove: async () => {
    throw new HttpError(404, 'not_found', 'files on items are not available on this daemon')
  }
}

/** What the public and authenticated sub-apps share. */
interface Shared {
  authenticators: readonly Authenticator[]
  proofs: RecentProofs
  /** records that whoever made this request (if it carries a credential) just proved the password */
  proveCaller: (c: Context<ApiEnv>) => void
}

/** The routes that need no credential, under /api. */
function publicApi(deps: AppDeps, { authenticators, proofs, proveCaller }: Shared) {
  const openSession: AfterUnlock = deps.dashboard === undefined ? () => ({}) : deps.dashboard.afterUnlock.bind(deps.dashboard)
  const afterUnlock: AfterUnlock = c => {
    proveCaller(c)
    const opened = openSession(c)
    if (opened.sessionToken !== undefined) proofs.prove(sessionCallerKey(opened.sessionToken))
    return opened
  }
  return (
    new Hono<ApiEnv>()
      // anyone on this machine may ask whether the daemon runs; only its owner learns more (ids, addresses, pid)
      .get('/status', c => {
        const full = deps.status.status()
        const { running, initialized, locked } = full
        const shown: DaemonStatus = identify(authenticators, c) !== undefined ? full : { running, initialized, locked }
        return c.json(shown, 200)
      })
      .route('/', sessionPublicRoutes(deps.session, deps.status, afterUnlock))
      .route('/session', loginLinkRoutes(deps.dashboard))
      .route('/pairing', pairingPublicRoutes(deps.devices, proveCaller))
      .route('/passkeys', passkeyPublicRoutes(passkeysOf(deps), deps.port, afterUnlock, proofs))
      // without a credential only while the device is not set up (its first-run page has no session yet)
      .route(
        '/strength',
        strengthRoutes(deps.health, c => !deps.session.initialized || identify(authenticators, c) !== undefined)
      )
  )
}

/** Every other route, under /api: authentication runs first, then each route's scope check. */
function authenticatedApi(deps: AppDeps, { authenticators, proofs, proveCaller }: Shared) {
  return new Hono<ApiEnv>()
    .use(
      '*',
      authenticate(authenticators, () => deps.session.touch())
    )
    .route('/', sessionRoutes(deps.session, proofs))
    .route('/items', itemRoutes(deps.items))
    .route('/items', itemHistoryRoutes(deps.items))
    .route('/items', attachmentRoutes(deps.attachments ?? noAttachments))
    .route('/trash', trashRoutes(deps.trash))
    .route('/vaults', vaultRoutes(deps.vaults))
    .route('/', settingsRoutes(deps.settings, deps.session, proofs, proveCaller))
    .route(
      '/events',
      eventRoutes(
        deps.events,
        c => identify(authenticators, c) !== undefined,
        () => deps.items.changes
      )
    )
    .route('/', transferRoutes(deps.transfers, deps.destroy, proofs))
    .route('/devices', deviceRoutes(deps.devices, proofs))
    .route('/pairing', pairingRoutes(deps.devices, proofs))
    .route('/passkeys', passkeyRoutes(passkeysOf(deps), deps.port, proofs))
    .route('/factors', factorRoutes(deps.factors, proofs))
    .route('/health', healthRoutes(deps.health))
    .route('/session', dashboardSessionRoutes(deps.dashboard))
    .route('/dashboard', dashboardRoutes(deps.items))
}

export function createApp(deps: AppDeps) {
  const authenticators: Authenticator[] = [
    bearerAuthenticator(deps.token),
    ...(deps.dashboard === undefined ? [] : [deps.dashboard.authenticator]),
    ...(deps.authenticators ?? [])
  ]
  const proofs = new RecentProofs(deps.reauth)
  const shared: Shared = {
    authenticators,
    proofs,
    proveCaller: c => {
      const principal = identify(authenticators, c)
      if (principal !== undefined) proofs.prove(callerKey(principal, c.get('dashboardSession')))
    }
  }
  const app = new Hono<ApiEnv>()

  app.onError((err, c) => {
    const httpError = toHttpError(err)
    if (httpError.status >= 500) deps.log?.('error', `${c.req.method} ${c.req.path}: ${toError(err).name}: ${toError(err).message}`)
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

  const routed = app
    .use('*', hostGuard(deps.port))
    .use('*', securityHeaders())
    .use('*', originGuard(deps.port))
    .use('/api/*', async (c, next) => {
      // an upload streams into sealed chunks under the attachment limit of its own (routes/attachments.ts)
      if (c.req.method === 'POST' && ATTACHMENT_UPLOAD.test(c.req.path)) return await next()
      const large = LARGE_BODY_PATHS.some(p => c.req.path.startsWith(p))
      const maxSize = large ? MAX_IMPORT_BODY_BYTES : MAX_BODY_BYTES
      return await bodyLimit({
        maxSize,
        onError: () => {
          throw new HttpError(413, 'payload_too_large', `the request body exceeds ${maxSize / 1048576} MiB`)
        }
      })(c, next)
    })
    .use('/api/*', jsonTypeByDefault())
    .use('/api/*', async (_c, next) => {
      await next()
      deps.onRequest?.()
    })
    // public first: the authenticated sub-app's middleware would answer 401 for everything under /api
    .route('/api', publicApi(deps, shared))
    .route('/api', authenticatedApi(deps, shared))
  if (deps.dashboard !== undefined) app.route('/', deps.dashboard.site)
  return routed
}

/** The whole API's type, for the typed clients (`hc<AppType>`): the CLI and the dashboard. */
export type AppType = ReturnType<typeof createApp>
