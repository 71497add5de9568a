/**
 * Who may call the API: the CLI's bearer token (from daemon.json, compared in constant time), or
 * a dashboard session (cookie plus header token). Never a query token. An authenticator answers
 * the caller's Principal or undefined; the first that recognises the request wins.
 */
import type { Context, MiddlewareHandler } from 'hono'
import { constantTimeEqual } from '../crypto/constantTime.js'
import { HttpError } from './errors.js'
import { principalOf, type Principal, type Scope } from './Principal.js'

/** The variables an API request carries once authenticated. */
export interface ApiEnv {
  Variables: {
    principal: Principal
    /** the dashboard session's token, when a session (not the CLI token) authenticated the request */
    dashboardSession: string | undefined
  }
}

export type Authenticator = (c: Context<ApiEnv>) => Principal | undefined

export function bearerAuthenticator(token: string): Authenticator {
  const cli = principalOf('cli')
  return c => {
    const header = c.req.header('authorization')
    if (header === undefined || !header.startsWith('Bearer ')) return undefined
    return constantTimeEqual(header.slice(7).trim(), token) ? cli : undefined
  }
}

export function identify(authenticators: readonly Authenticator[], c: Context<ApiEnv>): Principal | undefined {
  for (const a of authenticators) {
    const principal = a(c)
    if (principal !== undefined) return principal
  }
  return undefined
}

/** Refuses the request with 401 unless one of the authenticators recognises it; keeps its Principal. */
/**
 * Requests that are not a person using the vault: the event stream, and reads a page repeats on a
 * timer. They never hold off the auto-lock.
 */
const PASSIVE: ReadonlyArray<(method: string, path: string) => boolean> = [
  (m, p) => m === 'GET' && p === '/api/events',
  (m, p) => m === 'GET' && p === '/api/status',
  (m, p) => m === 'GET' && /^\/api\/items\/[^/]+\/totp$/.test(p)
]

export const isPassiveRequest = (method: string, path: string): boolean => PASSIVE.some(test => test(method, path))

/**
 * Identifies the caller (401 otherwise). Only an authenticated request a person made counts as
 * activity (`onActivity`, which holds off the auto-lock): another local process knocking without a
 * credential, or a page's event stream and timers, do not keep the vault open.
 */
export function authenticate(authenticators: readonly Authenticator[], onActivity: () => void = () => {}): MiddlewareHandler<ApiEnv> {
  return async function authenticate(c, next) {
    const principal = identify(authenticators, c)
    if (principal === undefined) throw new HttpError(401, 'unauthorized', 'missing or invalid credentials')
    c.set('principal', principal)
    if (!isPassiveRequest(c.req.method, c.req.path)) onActivity()
    await next()
  }
}

/** Marks a middleware as a scope check, so a test can find the scope every route declares. */
export interface ScopeCheck extends MiddlewareHandler<ApiEnv> {
  scope: Scope
}

/**
 * The scope a route needs, first in its handler chain: 403 `insufficient_scope` when the caller lacks it,
 * 401 when nobody authenticated the request (a route mounted outside the authenticated sub-app).
 */
export function requireScope(scope: Scope): ScopeCheck {
  const check: MiddlewareHandler<ApiEnv> = async function requireScope(c, next) {
    const principal = c.get('principal') as Principal | undefined
    if (principal === undefined) throw new HttpError(401, 'unauthorized', 'missing or invalid credentials')
    if (!principal.scopes.has(scope)) throw new HttpError(403, 'insufficient_scope', `this caller may not do this (needs ${scope})`)
    await next()
  }
  return Object.assign(check, { scope })
}
