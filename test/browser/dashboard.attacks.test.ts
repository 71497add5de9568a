/**
 * Attacks a real browser can make on the dashboard (localhost-security.md §1, §5): a page served
 * from another localhost port, which receives the dashboard's cookies, tries to read items and to
 * create one; a DNS-rebinding name for 127.0.0.1; framing; inline script. Also the cookie's flags as
 * the browser stores them, and the 127.0.0.1 → localhost redirect.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { TestDaemon } from '../helpers/daemonProcess.js'
import { browserDescribe, ensureDashboardBuilt, launchChromium, PageProblems, poll } from './chromium.js'

const PASSWORD = 'correct horse battery staple'

/** The attacker's page: every way a web page can reach a localhost service, with the user's cookies. */
function attackerPage(target: string): string {
  return `<!doctype html><html><body><h1>Totally harmless page</h1>
<iframe id="frame" src="${target}/"></iframe>
<form id="form" method="POST" action="${target}/api/items" enctype="text/plain" target="sink">
  <input name='{"title":"pwned by form","x":"' value='"}'>
</form>
<iframe name="sink"></iframe>
<script>
window.results = {};
async function attempt (name, fn) {
  try { window.results[name] = await fn() } catch (e) { window.results[name] = 'blocked: ' + e.name }
}
window.attack = async () => {
  await attempt('read items (cors)', async () => (await fetch('${target}/api/items', { credentials: 'include' })).text());
  await attempt('read status (cors)', async () => (await fetch('${target}/api/status', { credentials: 'include' })).text());
  await attempt('create (no-cors, text/plain)', async () => {
    const r = await fetch('${target}/api/items', { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify({ title: 'pwned by no-cors' }) });
    return 'opaque:' + r.type;
  });
  await attempt('create (cors, json + guessed token)', async () => (await fetch('${target}/api/items', {
    method: 'POST', credentials: 'include', headers: { 'Content-Type': 'application/json', 'X-Kith-Session': 'guess' }, body: JSON.stringify({ title: 'pwned by cors' })
  })).text());
  await attempt('lock (no-cors)', async () => (await fetch('${target}/api/lock', { method: 'POST', mode: 'no-cors', credentials: 'include' })).type);
  await attempt('events (cors)', async () => (await fetch('${target}/api/events', { credentials: 'include' })).status);
  await attempt('script include (XSSI)', () => new Promise((resolve) => {
    const s = document.createElement('script');
    s.src = '${target}/api/items';
    s.onload = () => resolve('loaded'); s.onerror = () => resolve('blocked: error');
    document.body.append(s);
  }));
  document.getElementById('form').submit();
  await new Promise(r => setTimeout(r, 500));
  await attempt('read framed dashboard', () => document.getElementById('frame').contentDocument?.body?.innerText ?? 'blocked: no access');
  return window.results;
};
</script></body></html>`
}

browserDescribe()('dashboard: attacks from other origins', () => {
  let daemon: TestDaemon
  let browser: Browser
  let context: BrowserContext
  let dashboard: Page
  let url: string
  let port: number
  let attacker: Server
  let attackerPort: number
  const problems = new PageProblems()

  beforeAll(async () => {
    ensureDashboardBuilt()
    daemon = await TestDaemon.create()
    url = (await daemon.start()).url
    port = Number(new URL(url).port)
    attacker = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' })
      res.end(attackerPage(`http://localhost:${port}`))
    })
    await new Promise<void>(resolve => attacker.listen(0, '127.0.0.1', resolve))
    attackerPort = (attacker.address() as AddressInfo).port
    browser = await launchChromium([`--host-resolver-rules=MAP rebind.test 127.0.0.1, MAP attacker.test 127.0.0.1`])
    context = await browser.newContext()
    await PageProblems.watchCsp(context)
    dashboard = problems.watch(await context.newPage())
    await dashboard.goto(`${url}/`)
    await dashboard.getByTestId('password').fill(PASSWORD)
    await dashboard.getByTestId('password-confirm').fill(PASSWORD)
    await dashboard.getByTestId('submit').click()
    await dashboard.getByTestId('new-item').waitFor()
    await daemon.api('POST', '/api/items', { title: 'Bank', username: 'jane', password: 'the-secret-password' })
    await dashboard.getByTestId('item-row').filter({ hasText: 'Bank' }).waitFor()
  })
  afterAll(async () => {
    await browser?.close()
    await new Promise(resolve => attacker?.close(resolve))
    await daemon?.destroy()
  })

  it('stores the session cookie HttpOnly, Secure, SameSite=Strict, host-only, out of reach of page script', async () => {
    const cookies = await context.cookies(url)
    expect(cookies).toHaveLength(1)
    expect(cookies[0]).toMatchObject({
      name: `__Host-kith-${port}`,
      domain: 'localhost',
      path: '/',
      httpOnly: true,
      secure: true,
      sameSite: 'Strict',
      expires: -1
    })
    expect(await dashboard.evaluate('document.cookie')).toBe('')
    expect(await dashboard.evaluate('isSecureContext')).toBe(true)
    expect(await dashboard.evaluate('Object.keys(sessionStorage).length + Object.keys(localStorage).length')).toBe(0)
  })

  for (const origin of ['localhost', 'attacker.test']) {
    it(`a page on ${origin}:OTHER-PORT can neither read items nor create one with the user's cookies`, async () => {
      const page = await context.newPage()
      const seen: Array<{ url: string; status: number; method: string }> = []
      const sent: Array<Promise<boolean>> = []
      page.on('request', req => {
        if (req.url().startsWith(url))
          sent.push(
            req.allHeaders().then(
              h => (h.cookie ?? '').includes(`__Host-kith-${port}=`),
              () => false
            )
          )
      })
      page.on('response', res => {
        if (res.url().startsWith(url)) seen.push({ url: res.url(), status: res.status(), method: res.request().method() })
      })
      await page.goto(`http://${origin}:${attackerPort}/`)
      const results = (await page.evaluate('window.attack()')) as Record<string, string>
      for (const [name, result] of Object.entries(results)) {
        expect(String(result), name).not.toContain('the-secret-password')
        expect(String(result), name).not.toContain('Bank')
      }
      expect(results['read items (cors)']).toMatch(/^blocked/)
      expect(results['create (cors, json + guessed token)']).toMatch(/^blocked/)
      expect(results['read framed dashboard']).toMatch(/^blocked/)
      // every answer the browser let us see was a refusal (CORS-blocked answers are not even reported)
      expect(sent.length).toBeGreaterThan(5)
      // (the framed page itself loads, but the browser refuses to show it: see 'cannot be framed')
      for (const r of seen.filter(r => r.url.includes('/api/'))) expect(r.status, `${r.method} ${r.url}`).toBeGreaterThanOrEqual(400)
      if (origin === 'localhost') {
        // the premise: cookies are not port-isolated, so the browser did send the session cookie along
        expect((await Promise.all(sent)).some(Boolean)).toBe(true)
      }
      const titles = ((await daemon.api('GET', '/api/items')).body as Array<{ title: string }>).map(i => i.title)
      expect(titles).toEqual(['Bank'])
      expect((await daemon.api('GET', '/api/status')).body.locked).toBe(false)
      await page.close()
    })
  }

  it('refuses a DNS-rebinding name for 127.0.0.1 (403), for the page and the API alike', async () => {
    const page = await context.newPage()
    const res = await page.goto(`http://rebind.test:${port}/`)
    expect(res?.status()).toBe(403)
    expect(await page.content()).not.toContain('Bank')
    const api = await page.goto(`http://rebind.test:${port}/api/items`)
    expect(api?.status()).toBe(403)
    expect(await api?.text()).not.toContain('Bank')
    await page.close()
  })

  it('cannot be framed', async () => {
    const page = await context.newPage()
    await page.goto(`http://localhost:${attackerPort}/`)
    await poll(() => page.frames().length).toBeGreaterThan(1)
    const framed = page.frames().find(f => f !== page.mainFrame() && f.name() !== 'sink')
    await poll(async () => framed?.url()).toMatch(/^chrome-error:/)
    await page.close()
  })

  it('runs no injected inline script (strict CSP)', async () => {
    const page = await context.newPage()
    const messages: string[] = []
    page.on('console', m => messages.push(m.text()))
    await page.goto(`${url}/`)
    await page.getByTestId('password').waitFor()
    const injected = await page.evaluate(`(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__injected = true';
      document.body.append(s);
      return window.__injected === true;
    })()`)
    expect(injected).toBe(false)
    await poll(() => messages.join('\n')).toMatch(/CSP violation: script-src/)
    await page.close()
  })

  it('sends page loads on 127.0.0.1 to http://localhost:PORT, a secure context', async () => {
    const page = await context.newPage()
    await page.goto(`http://127.0.0.1:${port}/`)
    expect(page.url()).toBe(`http://localhost:${port}/`)
    expect(await page.evaluate('isSecureContext')).toBe(true)
    await page.close()
  })

  it('the dashboard itself logged no console error', () => {
    expect(problems.messages.filter(m => !m.startsWith('warning:'))).toEqual([])
  })
})
