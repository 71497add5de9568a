/**
 * A request body sent without a Content-Type is read as JSON (scripts that forget the header keep
 * working, as before the schemas). Other types were refused by the Origin guard (415).
 */
import type { MiddlewareHandler } from 'hono'

const SAFE = new Set(['GET', 'HEAD'])

export function jsonTypeByDefault(): MiddlewareHandler {
  return async function jsonTypeByDefault(c, next) {
    // the header first: on the Node server, touching `raw.body` makes a web stream over the request
    // that keeps every chunk read from it (a 20 MB upload streamed into sealed chunks stayed whole)
    if (!SAFE.has(c.req.method) && c.req.header('content-type') === undefined && c.req.raw.body !== null) {
      const text = await c.req.text()
      if (text !== '') {
        const headers = new Headers(c.req.raw.headers)
        headers.set('content-type', 'application/json')
        c.req.raw = new Request(c.req.raw.url, { method: c.req.method, headers, body: text, signal: c.req.raw.signal })
      }
    }
    await next()
  }
}
