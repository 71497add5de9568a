/**
 * Host allow-list (DNS-rebinding defence), checked before anything else: exactly
 * localhost:PORT, 127.0.0.1:PORT or [::1]:PORT, case-insensitive; anything else is a 403.
 */
import type { MiddlewareHandler } from 'hono'
import { HttpError } from './errors.js'

export function allowedHosts(port: number): Set<string> {
  return new Set([`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`])
}

export function hostGuard(port: () => number): MiddlewareHandler {
  return async function hostGuard(c, next) {
    const host = c.req.header('host')?.toLowerCase()
    if (host === undefined || !allowedHosts(port()).has(host)) throw new HttpError(403, 'forbidden_host', 'this Host is not allowed')
    await next()
  }
}
