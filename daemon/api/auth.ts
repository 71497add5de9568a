/**
 * Who may call the API: the CLI's bearer token (from daemon.json, compared in constant time), or
 * a dashboard session (added by the sessions module: cookie plus header token). Never a query token.
 */
import type { Context, MiddlewareHandler } from 'hono'
import { constantTimeEqual } from '../crypto/constantTime.js'
import { HttpError } from './errors.js'

/** A way to recognise an authenticated request; the first that says yes wins. */
export type Authenticator = (c: Context) => boolean

export function bearerAuthenticator (token: string): Authenticator {
  return c => {
    const header = c.req.header('authorization')
    if (header === undefined || !header.startsWith('Bearer ')) return false
    return constantTimeEqual(header.slice(7).trim(), token)
  }
}

/** Refuses the request with 401 unless one of the authenticators accepts it. */
export function requireAuth (authenticators: Authenticator[]): MiddlewareHandler {
  return async function requireAuth (c, next) {
    if (!authenticators.some(a => a(c))) throw new HttpError(401, 'unauthorized', 'missing or invalid credentials')
    await next()
  }
}
