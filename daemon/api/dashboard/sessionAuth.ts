/**
 * How a dashboard request proves its session: the `__Host-` cookie (HttpOnly, Secure,
 * SameSite=Strict) and the X-Kith-Session header must name the same session, and the request must
 * come from the dashboard's own origin (Sec-Fetch-Site: same-origin; an exact Origin on changes).
 */
import type { Context } from 'hono'
import { getCookie } from 'hono/cookie'
import type { Authenticator } from '../auth.js'
import { principalOf } from '../Principal.js'
import type { SessionStore, SessionCredentials } from './SessionStore.js'

export const SESSION_HEADER = 'X-Kith-Session'

/**
 * The cookie's name carries the port: cookies are not port-isolated, so two daemons on one machine
 * would otherwise overwrite each other's session in the same browser.
 */
export const sessionCookieName = (port: number): string => `__Host-kith-${port}`

export const dashboardOrigin = (port: number): string => `http://localhost:${port}`

const SAFE = new Set(['GET', 'HEAD'])

/**
 * True for a request the dashboard page itself made: fetch metadata says same-origin, and a state
 * change carries exactly the dashboard's Origin. (The CLI sends neither and uses its bearer token.)
 */
export function fromDashboard(c: Context, port: number): boolean {
  if (c.req.header('sec-fetch-site') !== 'same-origin') return false
  const origin = c.req.header('origin')
  if (origin !== undefined && origin !== dashboardOrigin(port)) return false
  return SAFE.has(c.req.method) || origin !== undefined
}

export function sessionAuthenticator(sessions: SessionStore, port: () => number): Authenticator {
  const dashboard = principalOf('dashboard')
  return function dashboardSession(c) {
    if (!fromDashboard(c, port())) return undefined
    const token = c.req.header(SESSION_HEADER)
    if (!sessions.check(getCookie(c, sessionCookieName(port())), token)) return undefined
    c.set('dashboardSession', token)
    return dashboard
  }
}

/**
 * Opens a session for the page making this request: keeps the browser's cookie when its other tabs
 * still use it, sets it on the response, and returns the token for the JSON body.
 */
export function openSession(c: Context, sessions: SessionStore, port: number): string {
  const credentials = sessions.create(getCookie(c, sessionCookieName(port)))
  setSessionCookie(c, port, credentials)
  return credentials.token
}

/** Sets the session cookie on the response being built; the token goes back in the JSON body. */
export function setSessionCookie(c: Context, port: number, credentials: SessionCredentials): void {
  c.header('Set-Cookie', `${sessionCookieName(port)}=${credentials.id}; Path=/; Secure; HttpOnly; SameSite=Strict`, { append: true })
}

export function clearSessionCookie(c: Context, port: number): void {
  c.header('Set-Cookie', `${sessionCookieName(port)}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0`, { append: true })
}
