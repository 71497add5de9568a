/**
 * How a dashboard request proves its session: the `__Host-` cookie (HttpOnly, Secure,
 * SameSite=Strict) and the X-Kith-Session header must name the same session, and the request must
 * come from the dashboard's own origin (Sec-Fetch-Site: same-origin; an exact Origin on changes).
 */
import type { Context } from 'hono'
import { getCookie } from 'hono/cookie'
import type { Authenticator } from '../auth.js'
import type { SessionStore, SessionCredentials } from './SessionStore.js'

declare module 'hono' {
  interface ContextVariableMap {
    /** the dashboard session id, when a session (not the CLI token) authenticated the request */
    dashboardSession: string
  }
}

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
export function fromDashboard (c: Context, port: number): boolean {
  if (c.req.header('sec-fetch-site') !== 'same-origin') return false
  const origin = c.req.header('origin')
  if (origin !== undefined && origin !== dashboardOrigin(port)) return false
  return SAFE.has(c.req.method) || origin !== undefined
}

export function sessionAuthenticator (sessions: SessionStore, port: () => number): Authenticator {
  return function dashboardSession (c) {
    if (!fromDashboard(c, port())) return false
    const id = getCookie(c, sessionCookieName(port()))
    if (id === undefined || !sessions.check(id, c.req.header(SESSION_HEADER))) return false
    c.set('dashboardSession', id)
    return true
  }
}

/** Sets the session cookie on the response being built; the token goes back in the JSON body. */
export function setSessionCookie (c: Context, port: number, credentials: SessionCredentials): void {
  c.header('Set-Cookie', `${sessionCookieName(port)}=${credentials.id}; Path=/; Secure; HttpOnly; SameSite=Strict`, { append: true })
}

export function clearSessionCookie (c: Context, port: number): void {
  c.header('Set-Cookie', `${sessionCookieName(port)}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0`, { append: true })
}
