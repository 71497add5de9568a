/**
 * The dashboard's part of the API: its authenticator (session cookie plus header token), the
 * session a browser gets after it unlocks (or initialises, or redeems a `kith open` link), its
 * login links and its static site. Every session ends when the vault locks, by hand or by the
 * auto-lock timer. createApp mounts its session routes (dashboard/sessionRoutes.ts).
 */
import type { Context, Hono } from 'hono'
import { join } from 'node:path'
import { INSTALL_ROOT } from '../../installRoot.js'
import type { ApiEnv, Authenticator } from '../auth.js'
import type { EventSource, SessionPort } from '../ports.js'
import { SessionStore, type SessionStoreOptions } from './SessionStore.js'
import { LoginLinks } from './LoginLinks.js'
import { fromDashboard, openSession, sessionAuthenticator } from './sessionAuth.js'
import { dashboardSite } from './staticSite.js'

/** The built dashboard (from sources and from the dist bundle alike). */
export const DEFAULT_DIST_DIR = join(INSTALL_ROOT, 'web-ui', 'dist')

export interface DashboardDeps {
  session: Pick<SessionPort, 'unlocked'>
  /** the daemon's events: a `locked` event ends every session */
  events: EventSource
  /** the bound HTTP port */
  port: () => number
}

export interface DashboardOptions {
  distDir?: string
  sessions?: SessionStoreOptions
}

export class Dashboard {
  readonly sessions: SessionStore
  readonly links = new LoginLinks()
  /** recognises a request of a live dashboard session (a 'dashboard' Principal) */
  readonly authenticator: Authenticator
  /** everything outside /api: the built page */
  readonly site: Hono
  readonly session: Pick<SessionPort, 'unlocked'>
  readonly port: () => number
  private unsubscribe: (() => void) | undefined

  constructor(
    private readonly deps: DashboardDeps,
    options: DashboardOptions = {}
  ) {
    this.session = deps.session
    this.port = deps.port
    this.sessions = new SessionStore(options.sessions)
    this.authenticator = sessionAuthenticator(this.sessions, deps.port)
    this.site = dashboardSite({ distDir: options.distDir ?? DEFAULT_DIST_DIR, port: deps.port })
  }

  start(): void {
    this.unsubscribe ??= this.deps.events.subscribe(event => {
      if (event === 'locked') this.endSessions()
    })
  }

  stop(): void {
    this.unsubscribe?.()
    this.unsubscribe = undefined
    this.endSessions()
  }

  /** After a successful unlock or init from the dashboard page: a new session (never for the CLI). */
  afterUnlock(c: Context<ApiEnv>): { sessionToken?: string } {
    if (!fromDashboard(c, this.port()) || c.req.header('origin') === undefined) return {}
    return { sessionToken: openSession(c, this.sessions, this.port()) }
  }

  /** Ends every session and forgets every login link (lock). */
  endSessions(): void {
    this.sessions.clear()
    this.links.clear()
  }
}
