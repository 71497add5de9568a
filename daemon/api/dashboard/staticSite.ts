/**
 * Everything outside /api: the built dashboard (web-ui/dist) as static files. HTML navigations to
 * 127.0.0.1 or [::1] are redirected to http://localhost:PORT, the one origin the dashboard runs on
 * (sessions, the Origin check and WebAuthn all expect it).
 */
import { Hono, type Context } from 'hono'
import { readFileSync, statSync } from 'node:fs'
import { join, extname } from 'node:path'
import { dashboardOrigin } from './sessionAuth.js'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
  '.woff2': 'font/woff2'
}

/** Shown when web-ui/dist is missing (a clone where the build has not run yet). */
const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Kith</title></head>
<body><h1>The Kith dashboard is not built</h1><p>Run <code>npm run build:ui</code> in the Kith folder, then reload this page.
The daemon and its API work without it.</p></body></html>`

interface Asset {
  body: Uint8Array
  type: string
}

export interface SiteOptions {
  /** the Vite build output: index.html and assets/ */
  distDir: string
  port: () => number
}

export function dashboardSite({ distDir, port }: SiteOptions) {
  const cache = new Map<string, Asset>()
  let indexMtime = 0

  /** Reads a file of the build once; a rebuild (index.html changed) empties the cache. */
  function asset(relative: string): Asset | undefined {
    const cached = cache.get(relative)
    if (cached !== undefined) return cached
    try {
      const body = readFileSync(join(distDir, relative))
      const a = { body: new Uint8Array(body), type: TYPES[extname(relative)] ?? 'application/octet-stream' }
      cache.set(relative, a)
      return a
    } catch {
      return undefined
    }
  }

  /** 302 to the localhost origin for a request that reached us as 127.0.0.1 or [::1]. */
  function toLocalhost(c: Context): Response | undefined {
    const host = c.req.header('host')?.toLowerCase() ?? ''
    if (host.startsWith('localhost:')) return undefined
    return c.redirect(`${dashboardOrigin(port())}${new URL(c.req.url).pathname}`, 302)
  }

  function send(c: Context, a: Asset, cacheControl: string): Response {
    return c.body(a.body as Uint8Array<ArrayBuffer>, 200, { 'Content-Type': a.type, 'Cache-Control': cacheControl })
  }

  const index = (c: Context): Response | Promise<Response> => {
    const redirect = toLocalhost(c)
    if (redirect !== undefined) return redirect
    let mtime = 0
    try {
      mtime = statSync(join(distDir, 'index.html')).mtimeMs
    } catch {}
    if (mtime !== indexMtime) {
      cache.clear()
      indexMtime = mtime
    }
    const a = asset('index.html')
    if (a === undefined) return c.html(NOT_BUILT, 503)
    return send(c, a, 'no-store')
  }

  const file =
    (dir: string, immutable: boolean) =>
    (c: Context): Response | Promise<Response> => {
      const redirect = toLocalhost(c)
      if (redirect !== undefined) return redirect
      const name = c.req.param('name') ?? ''
      // one path segment of safe characters: no traversal, no hidden files
      if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) return c.notFound()
      const a = asset(dir === '' ? name : `${dir}/${name}`)
      if (a === undefined) return c.notFound()
      // file names under assets/ carry a content hash, so they may be cached for good
      return send(c, a, immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
    }

  return new Hono()
    .get('/', index)
    .get('/index.html', index)
    .get('/assets/:name', file('assets', true))
    .get('/:name{[A-Za-z0-9][A-Za-z0-9_.-]*\\.(?:svg|png|ico|webmanifest)}', file('', false))
}
