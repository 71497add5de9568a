/**
 * The localhost-security checklist (../shared/notes/localhost-security.md §5) against a real daemon
 * serving the dashboard: loopback bind, Host allow-list, Origin and fetch metadata, JSON only, the
 * CLI token, no CORS, unlock backoff, framing and CSP headers, the event stream, secrets kept out
 * of URLs and logs, and the 127.0.0.1 → localhost redirect. Browser-level checks are in test/browser.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { networkInterfaces } from 'node:os'
import { connect } from 'node:net'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { stat } from 'node:fs/promises'
import { TestDaemon, REPO_ROOT, runKith } from '../helpers/daemonProcess.js'
import { browserHeaders, browserUnlock, portOf, raw, withSession, type BrowserSession } from './dashboardHttp.js'

const PASSWORD = 'correct horse battery staple'
const CSP =
  "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

describe('localhost hardening of the dashboard', () => {
  let daemon: TestDaemon
  let port: number
  let session: BrowserSession
  let asset: string

  beforeAll(async () => {
    daemon = await TestDaemon.create()
    port = portOf(await daemon.start())
    session = await browserUnlock(port, PASSWORD, '/api/init')
    const index = await raw(port, { path: '/' })
    asset = /src="(\/assets\/[^"]+\.js)"/.exec(index.text)?.[1] ?? '/assets/missing.js'
  })
  afterAll(async () => {
    await daemon.destroy()
  })

  it('1. binds 127.0.0.1 only, and refuses to bind anything else', async () => {
    const others = Object.values(networkInterfaces())
      .flat()
      .filter(a => a !== undefined && !a.internal && a.family === 'IPv4')
    for (const a of others) {
      const refused = await new Promise<boolean>(resolve => {
        const socket = connect({ host: a!.address, port }, () => {
          socket.destroy()
          resolve(false)
        })
        socket.on('error', () => resolve(true))
      })
      expect(refused, `reachable on ${a!.address}`).toBe(true)
    }
    const wide = await runKith(daemon.home + '-wide', ['daemon', '--http', '0.0.0.0:0', '--no-mdns'])
    expect(wide.code).not.toBe(0)
    expect(wide.stderr).toMatch(/loopback/)
    expect(daemon.info?.url).toBe(`http://localhost:${port}`)
  })

  it('2. answers only the exact Host names of this port (403 otherwise), pages and API alike', async () => {
    const cases: Array<[string | null, number]> = [
      [`localhost:${port}`, 200],
      [`LOCALHOST:${port}`, 200],
      [`127.0.0.1:${port}`, 302],
      [`[::1]:${port}`, 302],
      [`evil.example:${port}`, 403],
      [`rebind.test:${port}`, 403],
      [`localhost:${port + 1}`, 403],
      ['localhost', 403],
      [`localhost.:${port}`, 403],
      [`127.0.0.2:${port}`, 403]
    ]
    for (const [host, status] of cases) {
      expect((await raw(port, { path: '/', host })).status, `Host ${String(host)} on /`).toBe(status)
      expect((await raw(port, { path: '/api/status', host })).status, `Host ${String(host)} on /api/status`).toBe(
        status === 302 ? 200 : status
      )
    }
    // no Host at all: Node's HTTP/1.1 server refuses it (400) before the app sees it
    for (const path of ['/', '/api/status']) expect([400, 403]).toContain((await raw(port, { path, host: null })).status)
  })

  it('3. refuses a state change from any other Origin or a cross-site fetch', async () => {
    const body = JSON.stringify({ password: PASSWORD })
    const unlock = (headers: Record<string, string>) =>
      raw(port, { method: 'POST', path: '/api/unlock', headers: { 'Content-Type': 'application/json', ...headers }, body })
    for (const origin of [
      'http://evil.example',
      `http://localhost:${port + 1}`,
      'http://localhost:1',
      'null',
      `https://localhost:${port}`
    ]) {
      expect((await unlock({ Origin: origin, 'Sec-Fetch-Site': 'same-origin' })).status, origin).toBe(403)
    }
    for (const site of ['cross-site', 'same-site']) {
      expect((await unlock({ Origin: `http://localhost:${port}`, 'Sec-Fetch-Site': site })).status, site).toBe(403)
    }
    expect((await unlock(browserHeaders(port))).status).toBe(200)
  })

  it('4. takes JSON bodies only (415), refuses cross-site reads of the API, and sends CORP same-origin', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const res = await withSession(port, session, {
        method: 'POST',
        path: '/api/items',
        body: 'title=x',
        headers: { 'Content-Type': type }
      })
      expect(res.status, type).toBe(415)
    }
    expect((await withSession(port, session, { path: '/api/items', headers: { 'Sec-Fetch-Site': 'cross-site' } })).status).toBe(403)
    expect((await raw(port, { path: '/api/status' })).headers['cross-origin-resource-policy']).toBe('same-origin')
  })

  it('6. the CLI token: never from the query string, never with a foreign Origin; daemon.json is 0600', async () => {
    const token = daemon.info!.token
    expect((await raw(port, { path: `/api/items?token=${token}` })).status).toBe(401)
    expect((await raw(port, { path: `/api/items?access_token=${token}` })).status).toBe(401)
    expect((await raw(port, { path: '/api/items', headers: { Authorization: `Bearer ${token}` } })).status).toBe(200)
    expect(
      (await raw(port, { path: '/api/items', headers: { Authorization: `Bearer ${token}`, Origin: 'http://evil.example' } })).status
    ).toBe(403)
    expect((await stat(join(daemon.home, 'daemon.json'))).mode & 0o777).toBe(0o600)
  })

  it('7. offers no CORS: OPTIONS is refused and no response carries Access-Control-* headers', async () => {
    const preflight = await raw(port, {
      method: 'OPTIONS',
      path: '/api/items',
      headers: { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Private-Network': 'true' }
    })
    expect(preflight.status).toBeGreaterThanOrEqual(400)
    const responses = [
      preflight,
      await raw(port, { path: '/' }),
      await raw(port, { path: '/api/status', headers: { Origin: `http://localhost:${port}` } }),
      await withSession(port, session, { path: '/api/items' }),
      await raw(port, { path: '/api/items', headers: { Origin: 'http://evil.example' } })
    ]
    for (const res of responses) expect(Object.keys(res.headers).filter(h => h.startsWith('access-control-'))).toEqual([])
    const sources = (dir: string): string[] =>
      readdirSync(dir).flatMap(name => {
        const p = join(dir, name)
        return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : []
      })
    for (const file of sources(join(REPO_ROOT, 'daemon')))
      expect(readFileSync(file, 'utf8'), file).not.toMatch(/from 'hono\/cors'|\bcors\(/)
  })

  it('10–11. every response forbids framing and carries the strict CSP and the other security headers', async () => {
    const responses = {
      page: await raw(port, { path: '/' }),
      script: await raw(port, { path: asset }),
      api: await raw(port, { path: '/api/status' }),
      notFound: await raw(port, { path: '/nope' }),
      hostRefused: await raw(port, { path: '/', host: 'evil.example' }),
      unauthorized: await raw(port, { path: '/api/items' })
    }
    for (const [name, res] of Object.entries(responses)) {
      expect(res.headers['content-security-policy'], name).toBe(CSP)
      expect(res.headers['x-frame-options'], name).toBe('DENY')
      expect(res.headers['x-content-type-options'], name).toBe('nosniff')
      expect(res.headers['referrer-policy'], name).toBe('no-referrer')
      expect(res.headers['cross-origin-opener-policy'], name).toBe('same-origin')
      expect(res.headers['cross-origin-resource-policy'], name).toBe('same-origin')
    }
    expect(responses.page.headers['cache-control']).toBe('no-store')
    expect(responses.api.headers['cache-control']).toBe('no-store')
    expect(responses.script.status).toBe(200)
    expect(responses.script.headers['content-type']).toMatch(/^text\/javascript/)
  })

  it('11. the page has no inline script or style, and loads only same-origin files', async () => {
    const html = (await raw(port, { path: '/' })).text
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i)
    expect(html).not.toMatch(/\sstyle=|<style|\son[a-z]+=/i)
    for (const m of html.matchAll(/(?:src|href)="([^"]+)"/g)) expect(m[1]).toMatch(/^\/(?!\/)/)
  })

  it('12. the event stream checks Host, Origin and the session like every other route', async () => {
    const events = (headers: Record<string, string>, host?: string) =>
      raw(port, { path: '/api/events', headers, host, firstChunkOnly: true })
    const both = { Cookie: session.cookie, 'X-Kith-Session': session.token, 'Sec-Fetch-Site': 'same-origin' }
    expect((await events(both, `rebind.test:${port}`)).status).toBe(403)
    expect((await events({ ...both, Origin: 'http://evil.example' })).status).toBe(403)
    expect((await events({ ...both, 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403)
    expect((await events({ ...both, 'Sec-Fetch-Site': 'same-site', Origin: 'http://localhost:3000' })).status).toBe(403)
    expect((await events({ Cookie: session.cookie, 'Sec-Fetch-Site': 'same-origin' })).status).toBe(401)
    const ok = await events(both)
    expect(ok.status).toBe(200)
    expect(ok.headers['content-type']).toMatch(/^text\/event-stream/)
    expect(ok.text).toContain('event: hello')
  })

  it('13. no secret in a URL or a log line', async () => {
    const link = (await daemon.api('POST', '/api/session/link')).body.url as string
    expect(new URL(link).search).toBe('')
    const code = new URL(link).hash.slice(7)
    await raw(port, { method: 'POST', path: '/api/session/redeem', headers: browserHeaders(port), body: JSON.stringify({ code }) })
    const log = await daemon.log()
    for (const secret of [PASSWORD, session.token, session.cookie.split('=')[1] as string, code, daemon.info!.token])
      expect(log).not.toContain(secret)
  })

  it('15. sends 127.0.0.1 and [::1] page loads to http://localhost:PORT', async () => {
    for (const host of [`127.0.0.1:${port}`, `[::1]:${port}`]) {
      const res = await raw(port, { path: '/', host })
      expect(res.status).toBe(302)
      expect(res.headers.location).toBe(`http://localhost:${port}/`)
    }
    expect((await raw(port, { path: '/index.html', host: `127.0.0.1:${port}` })).headers.location).toBe(
      `http://localhost:${port}/index.html`
    )
  })

  it('serves no file outside the build', async () => {
    for (const path of [
      '/assets/..%2F..%2Fpackage.json',
      '/assets/../../package.json',
      '/..%2Fpackage.json',
      '/assets/.hidden',
      '/package.json'
    ]) {
      const res = await raw(port, { path })
      expect(res.status, path).toBe(404)
      expect(res.text).not.toContain('"name": "kith"')
    }
  })
})

describe('unlock backoff (checklist 8)', () => {
  it('after three wrong passwords the next try waits (429 with Retry-After), before any KDF runs', async () => {
    const daemon = await TestDaemon.create()
    try {
      const port = portOf(await daemon.start())
      await daemon.init(PASSWORD)
      await daemon.api('POST', '/api/lock')
      const attempt = () =>
        raw(port, {
          method: 'POST',
          path: '/api/unlock',
          headers: browserHeaders(port),
          body: JSON.stringify({ password: 'wrong password' })
        })
      for (let i = 0; i < 3; i++) expect((await attempt()).status).toBe(401)
      const throttled = await attempt()
      expect(throttled.status).toBe(429)
      expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0)
      expect(throttled.headers['set-cookie']).toBeUndefined()
    } finally {
      await daemon.destroy()
    }
  })
})
