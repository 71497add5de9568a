/**
 * Dashboard sessions against a real daemon (localhost-security.md §5 items 5, 13, 14): the
 * `__Host-` cookie and the header token are both required; only a browser unlock or a one-time
 * login link opens a session; lock and auto-lock end every session.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chmod, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { request } from 'node:http'
import { TestDaemon, TEST_ENV } from '../helpers/daemonProcess.js'
import { browserHeaders, browserUnlock, portOf, raw, withSession, type BrowserSession } from './dashboardHttp.js'

const PASSWORD = 'correct horse battery staple'

describe('dashboard sessions', () => {
  let daemon: TestDaemon
  let port: number

  beforeAll(async () => {
    daemon = await TestDaemon.create()
    port = portOf(await daemon.start())
    await daemon.init(PASSWORD)
  })
  afterAll(async () => {
    await daemon.destroy()
  })

  const items = (s: Pick<BrowserSession, 'cookie' | 'token'>, parts?: { cookie?: boolean; token?: boolean }) =>
    withSession(port, s, { path: '/api/items' }, parts)

  it('a browser unlock sets a __Host- cookie (HttpOnly, Secure, SameSite=Strict, Path=/, no Domain) and answers a header token', async () => {
    const s = await browserUnlock(port, PASSWORD)
    const attributes = s.setCookie.split(';').map(p => p.trim().toLowerCase())
    expect(s.cookie).toMatch(new RegExp(`^__Host-kith-${port}=[A-Za-z0-9_-]{43}$`))
    expect(attributes).toEqual(expect.arrayContaining(['path=/', 'secure', 'httponly', 'samesite=strict']))
    expect(attributes.some(a => a.startsWith('domain='))).toBe(false)
    expect(attributes.some(a => a.startsWith('max-age=') || a.startsWith('expires='))).toBe(false)
    expect(s.token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(s.cookie).not.toContain(s.token)
  })

  it('the cookie alone is refused, the header alone is refused, both together work', async () => {
    const s = await browserUnlock(port, PASSWORD)
    expect((await items(s, { token: false })).status).toBe(401)
    expect((await items(s, { cookie: false })).status).toBe(401)
    expect((await items(s)).status).toBe(200)
  })

  it('the cookie of one session with the token of another is refused', async () => {
    const a = await browserUnlock(port, PASSWORD)
    const b = await browserUnlock(port, PASSWORD)
    expect((await items({ cookie: a.cookie, token: b.token })).status).toBe(401)
    expect((await items({ cookie: b.cookie, token: a.token })).status).toBe(401)
  })

  it("a second tab of the same browser gets its own token and keeps the browser's cookie, so both tabs work", async () => {
    const first = await browserUnlock(port, PASSWORD)
    const res = await raw(port, {
      method: 'POST',
      path: '/api/unlock',
      headers: browserHeaders(port, { Cookie: first.cookie }),
      body: JSON.stringify({ password: PASSWORD })
    })
    const second = {
      cookie: String(([] as string[]).concat(res.headers['set-cookie'] ?? [])[0]).split(';')[0] as string,
      token: res.json.sessionToken as string
    }
    expect(second.cookie).toBe(first.cookie)
    expect(second.token).not.toBe(first.token)
    expect((await items(first)).status).toBe(200)
    expect((await items(second)).status).toBe(200)
  })

  it('a cookie value planted by another localhost port is never adopted', async () => {
    const planted = `__Host-kith-${port}=${'A'.repeat(43)}`
    const res = await raw(port, {
      method: 'POST',
      path: '/api/unlock',
      headers: browserHeaders(port, { Cookie: planted }),
      body: JSON.stringify({ password: PASSWORD })
    })
    const cookie = String(([] as string[]).concat(res.headers['set-cookie'] ?? [])[0]).split(';')[0] as string
    expect(cookie).not.toBe(planted)
    expect((await items({ cookie: planted, token: res.json.sessionToken as string })).status).toBe(401)
    expect((await items({ cookie, token: res.json.sessionToken as string })).status).toBe(200)
  })

  it('a session works only in same-origin requests from the dashboard origin', async () => {
    const s = await browserUnlock(port, PASSWORD)
    // another localhost port sends the cookie (cookies are not port-isolated) but is same-site, not same-origin
    expect(
      (await withSession(port, s, { path: '/api/items', headers: { 'Sec-Fetch-Site': 'same-site', Origin: 'http://localhost:3000' } }))
        .status
    ).toBe(403)
    expect((await withSession(port, s, { path: '/api/items', headers: { 'Sec-Fetch-Site': 'cross-site' } })).status).toBe(403)
    // no fetch metadata at all (not a browser page): the cookie session is not accepted
    const bare = await raw(port, { path: '/api/items', headers: { Cookie: s.cookie, 'X-Kith-Session': s.token } })
    expect(bare.status).toBe(401)
  })

  it('a state change with a session needs exactly the dashboard Origin', async () => {
    const s = await browserUnlock(port, PASSWORD)
    const body = JSON.stringify({ title: 'Origin test' })
    const post = (headers: Record<string, string>) => withSession(port, s, { method: 'POST', path: '/api/items', body, headers })
    expect((await post({ Origin: 'http://localhost:1' })).status).toBe(403)
    expect((await post({ Origin: 'null' })).status).toBe(403)
    expect((await post({ Origin: 'http://evil.example' })).status).toBe(403)
    expect((await post({ Origin: `http://localhost:${port}`, 'Sec-Fetch-Site': 'same-site' })).status).toBe(403)
    // a browser always sends Origin on a POST; without it the cookie session does not count
    const noOrigin = await raw(port, {
      method: 'POST',
      path: '/api/items',
      body,
      headers: { Cookie: s.cookie, 'X-Kith-Session': s.token, 'Sec-Fetch-Site': 'same-origin', 'Content-Type': 'application/json' }
    })
    expect(noOrigin.status).toBe(401)
    expect((await post({})).status).toBe(201)
  })

  it('the CLI (no Origin) unlocks without receiving a session', async () => {
    const res = await raw(port, {
      method: 'POST',
      path: '/api/unlock',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ password: PASSWORD })
    })
    expect(res.status).toBe(200)
    expect(res.headers['set-cookie']).toBeUndefined()
    expect(res.json.sessionToken).toBeUndefined()
  })

  it('a wrong password opens no session, even while the vault is already unlocked', async () => {
    const res = await raw(port, {
      method: 'POST',
      path: '/api/unlock',
      headers: browserHeaders(port),
      body: JSON.stringify({ password: 'not the password' })
    })
    expect(res.status).toBe(401)
    expect(res.headers['set-cookie']).toBeUndefined()
    expect(res.json.sessionToken).toBeUndefined()
  })

  it('ending a session (DELETE /api/session) ends only that session and clears its cookie', async () => {
    const a = await browserUnlock(port, PASSWORD)
    const b = await browserUnlock(port, PASSWORD)
    const res = await withSession(port, a, { method: 'DELETE', path: '/api/session' })
    expect(res.status).toBe(200)
    expect(String(res.headers['set-cookie'])).toContain('Max-Age=0')
    expect((await items(a)).status).toBe(401)
    expect((await items(b)).status).toBe(200)
  })

  describe('one-time login links (kith open)', () => {
    const mint = () => daemon.api('POST', '/api/session/link')
    const redeem = (code: string, headers = browserHeaders(port)) =>
      raw(port, { method: 'POST', path: '/api/session/redeem', headers, body: JSON.stringify({ code }) })

    it('carry the code only in the URL fragment, and work once', async () => {
      const link = await mint()
      expect(link.status).toBe(201)
      const url = new URL(link.body.url as string)
      expect(url.origin).toBe(`http://localhost:${port}`)
      expect(url.search).toBe('')
      expect(url.hash).toMatch(/^#login=[A-Za-z0-9_-]{22}$/)
      const code = url.hash.slice('#login='.length)
      const first = await redeem(code)
      expect(first.status).toBe(200)
      const s = {
        cookie: String(([] as string[]).concat(first.headers['set-cookie'] ?? [])[0]).split(';')[0] as string,
        token: first.json.sessionToken as string
      }
      expect((await items(s)).status).toBe(200)
      expect((await redeem(code)).status).toBe(401)
    })

    it('are redeemed only by the dashboard page (exact Origin, same-origin fetch)', async () => {
      const code = new URL((await mint()).body.url as string).hash.slice(7)
      expect((await redeem(code, { 'Content-Type': 'application/json' })).status).toBe(403)
      expect((await redeem(code, browserHeaders(port, { Origin: 'http://localhost:1' }))).status).toBe(403)
      expect((await redeem(code, browserHeaders(port, { 'Sec-Fetch-Site': 'same-site' }))).status).toBe(403)
      // the refused attempts did not spend it
      expect((await redeem(code)).status).toBe(200)
    })

    it('are minted only with the CLI token, never by a dashboard session', async () => {
      const s = await browserUnlock(port, PASSWORD)
      expect((await withSession(port, s, { method: 'POST', path: '/api/session/link' })).status).toBe(403)
      expect((await raw(port, { method: 'POST', path: '/api/session/link', headers: browserHeaders(port) })).status).toBe(401)
      const wrongToken = await raw(port, { method: 'POST', path: '/api/session/link', headers: { Authorization: 'Bearer nope' } })
      expect(wrongToken.status).toBe(401)
    })

    it('kith open prints a working link, and never fails when no browser can be opened', async () => {
      const env = { ...TEST_ENV, DISPLAY: '', WAYLAND_DISPLAY: '', BROWSER: '' }
      const { runKith } = await import('../helpers/daemonProcess.js')
      const res = await runKith(daemon.home, ['open', '--json'], undefined, env)
      expect(res.code).toBe(0)
      const out = JSON.parse(res.stdout)
      expect(out).toMatchObject({ login: true, opened: false })
      expect(out.url).toMatch(new RegExp(`^http://localhost:${port}/#login=`))
      expect((await redeem(new URL(out.url as string).hash.slice(7))).status).toBe(200)
    })

    it('kith open hands $BROWSER a redirect file to the link when set', async () => {
      const script = join(daemon.home, 'fake-browser.sh')
      const seen = join(daemon.home, 'fake-browser.out')
      await writeFile(script, `#!/bin/sh\necho "$1" > '${seen}'\n`)
      await chmod(script, 0o700)
      const { runKith } = await import('../helpers/daemonProcess.js')
      const res = await runKith(daemon.home, ['open', '--json'], undefined, { ...TEST_ENV, BROWSER: script })
      expect(res.code).toBe(0)
      expect(JSON.parse(res.stdout).opened).toBe(true)
      let opened = ''
      for (let i = 0; i < 50 && opened === ''; i++) {
        opened = (await readFile(seen, 'utf8').catch(() => '')).trim()
        if (opened === '') await new Promise(resolve => setTimeout(resolve, 50))
      }
      // a redirect file, never the link itself (test/e2e/open-no-secret-in-argv.test.ts)
      expect(opened).toMatch(/^file:\/\//)
      expect(opened).not.toContain('#login=')
      expect(await readFile(new URL(opened), 'utf8')).toContain(JSON.stringify(JSON.parse(res.stdout).url))
    })
  })

  it('lock ends every session and forgets every login link', async () => {
    const a = await browserUnlock(port, PASSWORD)
    const b = await browserUnlock(port, PASSWORD)
    const code = new URL((await daemon.api('POST', '/api/session/link')).body.url as string).hash.slice(7)
    expect((await withSession(port, a, { method: 'POST', path: '/api/lock' })).status).toBe(200)
    await browserUnlock(port, PASSWORD)
    expect((await items(a)).status).toBe(401)
    expect((await items(b)).status).toBe(401)
    expect(
      (await raw(port, { method: 'POST', path: '/api/session/redeem', headers: browserHeaders(port), body: JSON.stringify({ code }) }))
        .status
    ).toBe(401)
  })

  it('a login link does not open a locked vault', async () => {
    const code = new URL((await daemon.api('POST', '/api/session/link')).body.url as string).hash.slice(7)
    await daemon.api('POST', '/api/lock')
    expect((await daemon.api('POST', '/api/session/link')).status).toBe(423)
    const res = await raw(port, {
      method: 'POST',
      path: '/api/session/redeem',
      headers: browserHeaders(port),
      body: JSON.stringify({ code })
    })
    expect(res.status).toBe(401)
    await daemon.api('POST', '/api/unlock', { password: PASSWORD })
  })

  it('auto-lock ends every session', async () => {
    const s = await browserUnlock(port, PASSWORD)
    expect((await daemon.api('PATCH', '/api/settings', { autoLockMinutes: 0.01 })).status).toBe(200)
    await new Promise(resolve => setTimeout(resolve, 1200))
    expect((await daemon.api('GET', '/api/status')).body.locked).toBe(true)
    await daemon.api('POST', '/api/unlock', { password: PASSWORD })
    await daemon.api('PATCH', '/api/settings', { autoLockMinutes: 15 })
    expect((await items(s)).status).toBe(401)
  })

  it('an event stream opened by a session ends when that session ends, while a token stream goes on', async () => {
    const s = await browserUnlock(port, PASSWORD)
    const openStream = (headers: Record<string, string>) =>
      new Promise<{ received: () => string; ended: Promise<void> }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/api/events', headers: { Host: `localhost:${port}`, ...headers } }, res => {
          let text = ''
          res.setEncoding('utf8')
          res.on('data', (d: string) => {
            text += d
          })
          const ended = new Promise<void>(done => {
            res.on('end', () => done())
            res.on('close', () => done())
          })
          resolve({ received: () => text, ended })
        })
        req.on('error', reject)
        req.end()
      })
    const page = await openStream({ 'Sec-Fetch-Site': 'same-origin', Cookie: s.cookie, 'X-Kith-Session': s.token })
    const info = daemon.info
    if (info === undefined) throw new Error('no daemon')
    const cli = await openStream({ Authorization: `Bearer ${info.token}` })
    expect((await withSession(port, s, { method: 'DELETE', path: '/api/session' })).status).toBeLessThan(300)
    const created = await daemon.api('POST', '/api/items', { title: 'after the session ended' })
    const id = created.body.id as string
    await page.ended
    expect(page.received()).not.toContain(id)
    for (let i = 0; i < 100 && !cli.received().includes(id); i++) await new Promise(resolve => setTimeout(resolve, 20))
    expect(cli.received()).toContain(id)
  })
})
