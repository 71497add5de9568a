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
export function authenticate(authenticators: readonly Authenticator[]): MiddlewareHandler<ApiEnv> {
  return async function authenticate(c, next) {
    const principal = identify(authenticators, c)
    if (principal === undefined) throw new HttpError(401, 'unauthorized', 'missing or invalid credentials')
    c.set('principal', principal)
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
