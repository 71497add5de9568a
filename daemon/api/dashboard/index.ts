/**
 * The dashboard as a daemon extension: session authenticator, session creation after a browser
 * unlocks (or initialises, or redeems a `kith open` link), the session routes and the static site.
 * Every session ends when the vault locks, by hand or by the auto-lock timer.
 */
import type { Context } from 'hono'
import { join } from 'node:path'
import { INSTALL_ROOT } from '../../installRoot.js'
import type { VaultService } from '../../service/VaultService.js'
import type { Authenticator } from '../auth.js'
import { SessionStore, type SessionStoreOptions } from './SessionStore.js'
import { LoginLinks } from './LoginLinks.js'
import { fromDashboard, openSession, sessionAuthenticator } from './sessionAuth.js'
import { publicSessionRoutes, sessionRoutes } from './sessionRoutes.js'
import { dashboardSite } from './staticSite.js'
import { dashboardRoutes } from './dashboardRoutes.js'

/** The built dashboard (from sources and from the dist bundle alike). */
export const DEFAULT_DIST_DIR = join(INSTALL_ROOT, 'web-ui', 'dist')

/** What the dashboard needs from the composition root (a subset of DaemonContext). */
export interface DashboardHost {
  service: VaultService
  httpPort: () => number
}

export interface DashboardOptions {
  distDir?: string
  sessions?: SessionStoreOptions
}

export function dashboardExtension (host: DashboardHost, options: DashboardOptions = {}) {
  const { service } = host
  const port = host.httpPort
  const sessions = new SessionStore(options.sessions)
  const links = new LoginLinks()
  const onLocked = (): void => { sessions.clear(); links.clear() }
  const deps = { service, sessions, links, port }
  const authenticators: Authenticator[] = [sessionAuthenticator(sessions, port)]

  return {
    async start () { service.on('locked', onLocked) },
    async stop () {
      service.off('locked', onLocked)
      onLocked()
    },
    authenticators,
    /** After a successful unlock or init from the dashboard page: a new session (never for the CLI). */
    onUnlocked (c: Context): Record<string, unknown> {
      if (!fromDashboard(c, port()) || c.req.header('origin') === undefined) return {}
      return { sessionToken: openSession(c, sessions, port()) }
    },
    publicRoutes: [{ path: '/session', app: publicSessionRoutes(deps) }],
    routes: [{ path: '/session', app: sessionRoutes(deps) }, { path: '/dashboard', app: dashboardRoutes(service) }],
    site: dashboardSite({ distDir: options.distDir ?? DEFAULT_DIST_DIR, port })
  }
}
