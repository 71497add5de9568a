/** Every route of the app, with the scope each declares (for the authentication and scope tests). */
import type { Scope } from '../../daemon/api/Principal.js'

export interface RouteEntry {
  method: string
  path: string
  /** the scopes its handler chain checks (requireScope) */
  scopes: Scope[]
}

/** What Hono keeps of each registered handler (`app.routes`). */
interface RegisteredRoute {
  method: string
  path: string
  handler: unknown
}

export function routeTable(app: { routes: readonly RegisteredRoute[] }): RouteEntry[] {
  const byRoute = new Map<string, RouteEntry>()
  for (const r of app.routes) {
    if (r.method === 'ALL') continue // middleware (guards, authentication)
    const key = `${r.method} ${r.path}`
    const entry = byRoute.get(key) ?? { method: r.method, path: r.path, scopes: [] }
    const scope = (r.handler as { scope?: Scope }).scope
    if (scope !== undefined) entry.scopes.push(scope)
    byRoute.set(key, entry)
  }
  return [...byRoute.values()]
}

/** A concrete path for a route pattern (`:id` → `x`, a pattern segment → a name it matches). */
export function concretePath(path: string): string {
  return path.replace(/:name\{[^}]*\}/, 'favicon.svg').replace(/:[A-Za-z]+/g, 'x')
}
