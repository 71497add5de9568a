/** Security headers on every response, errors included: strict CSP, no framing, no sniffing, no caching, no CORS. */
import type { MiddlewareHandler } from 'hono'

export const CSP =
  "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

export function setSecurityHeaders(headers: Headers): void {
  headers.set('Content-Security-Policy', CSP)
  headers.set('X-Frame-Options', 'DENY')
  headers.set('X-Content-Type-Options', 'nosniff')
  headers.set('Referrer-Policy', 'no-referrer')
  headers.set('Cross-Origin-Opener-Policy', 'same-origin')
  headers.set('Cross-Origin-Resource-Policy', 'same-origin')
  if (!headers.has('Cache-Control')) headers.set('Cache-Control', 'no-store')
}

export function securityHeaders(): MiddlewareHandler {
  return async function securityHeaders(c, next) {
    await next()
    setSecurityHeaders(c.res.headers)
  }
}
