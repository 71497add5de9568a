/**
 * Cross-site request defence. A request that carries an Origin must come from exactly the
 * dashboard origin (http://localhost:PORT); a state change from a browser must also say
 * Sec-Fetch-Site: same-origin; cross-site reads of the API are refused (XSSI); bodies must be JSON.
 * Requests without Origin (the CLI, scripts) pass here and must present the bearer token.
 */
import type { MiddlewareHandler } from 'hono'
import { HttpError } from './errors.js'

const SAFE = new Set(['GET', 'HEAD'])

export function originGuard(port: () => number): MiddlewareHandler {
  return async function originGuard(c, next) {
    const origin = c.req.header('origin')
    const site = c.req.header('sec-fetch-site')
    const method = c.req.method
    if (method === 'OPTIONS') throw new HttpError(405, 'method_not_allowed', 'CORS is not offered')
    if (origin !== undefined && origin !== `http://localhost:${port()}` && origin !== `http://127.0.0.1:${port()}`) {
      throw new HttpError(403, 'forbidden_origin', 'cross-origin requests are refused')
    }
    if (site !== undefined && site !== 'same-origin' && site !== 'none') {
      if (!SAFE.has(method) || c.req.path.startsWith('/api/'))
        throw new HttpError(403, 'forbidden_origin', 'cross-site requests are refused')
    }
    if (!SAFE.has(method)) {
      if (origin !== undefined && site === undefined && c.req.header('authorization') === undefined) {
        // a browser always sends Sec-Fetch-Site; an Origin without it and without a token is suspect
        throw new HttpError(403, 'forbidden_origin', 'state changes need Sec-Fetch-Site: same-origin')
      }
      // text/plain, forms and multipart are what a cross-site page can send without a preflight
      const type = c.req.header('content-type')?.toLowerCase()
      if (type !== undefined && !type.startsWith('application/json') && !type.startsWith('application/octet-stream')) {
        throw new HttpError(415, 'unsupported_media_type', 'send JSON (Content-Type: application/json)')
      }
    }
    await next()
  }
}
