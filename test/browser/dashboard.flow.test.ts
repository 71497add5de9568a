/**
 * The dashboard as a person uses it, in Debian's Chromium against a real daemon: first run, adding
 * items (generator, several URLs, TOTP, custom fields, folder and tags), instant search, viewing with
 * reveal and copy (the clipboard clears after 30 s), editing, favourites, trash and restore, vaults,
 * settings, devices, the keyboard, phone width, lock and unlock — with zero console errors and no
 * CSP violation. Takes the README's screenshots on the way (KITH_SCREENSHOTS=1 writes docs/screenshots).
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { TestDaemon } from '../helpers/daemonProcess.js'
import { browserDescribe, ensureDashboardBuilt, launchChromium, PageProblems, screenshot, poll } from './chromium.js'

const PASSWORD = 'correct horse battery staple'
const TOTP_SECRET = 'JBSWY3DPEHPK3PXP'

browserDescribe()("dashboard: a person's everyday flow", () => {
  let daemon: TestDaemon
  let browser: Browser
  let context: BrowserContext
  let page: Page
  let url: string
  const problems = new PageProblems()
  const requested: string[] = []

  beforeAll(async () => {
    ensureDashboardBuilt()
    daemon = await TestDaemon.create()
    url = (await daemon.start()).url
    browser = await launchChromium()
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light', reducedMotion: 'reduce' })
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url })
    await PageProblems.watchCsp(context)
    page = problems.watch(await context.newPage())
    page.on('request', r => requested.push(r.url()))
  })
  afterAll(async () => {
    await browser?.close()
    await daemon?.destroy()
  })

  const row = (title: string) => page.getByTestId('item-row').filter({ hasText: title })
  const rowTitles = async () => await page.getByTestId('item-row').locator('.row-title').allTextContents()

  it('first run: create a vault with a password, its confirmation and a strength meter', async () => {
    await page.goto(`${url}/`)
    await poll(() => page.getByTestId('create-vault').isVisible()).toBe(true)
    await page.getByTestId('join-vault').click()
    await page.getByTestId('join-invitation').waitFor()
    await screenshot(page, 'first-run-join')
    await page.getByTestId('create-vault').click()
    expect(await page.getByTestId('join-invitation').count()).toBe(0)
    await page.getByTestId('password').fill('short')
    await page.getByTestId('password-confirm').fill('short')
    await page.getByTestId('submit').click()
    await poll(() => page.getByRole('alert').textContent()).toContain('at least 8 characters')
    await page.getByTestId('password').fill(PASSWORD)
    await poll(() => page.getByTestId('strength').textContent()).toMatch(/Good|Strong/)
    await page.getByTestId('password-confirm').fill(`${PASSWORD}!`)
    await page.getByTestId('submit').click()
    await poll(() => page.getByRole('alert').textContent()).toContain('not the same')
    await page.getByTestId('password-confirm').fill(PASSWORD)
    await screenshot(page, 'first-run')
    await page.getByTestId('submit').click()
    await page.getByTestId('new-item').waitFor()
    expect((await daemon.api('GET', '/api/status')).body).toMatchObject({ initialized: true, locked: false })
  })

  it('adds an item with a generated password, several URLs, a TOTP secret, a custom field, folder and tags', async () => {
    await page.getByTestId('new-item').click()
    await page.getByTestId('field-title').fill('GitHub')
    await page.getByTestId('field-username').fill('octocat')
    await page.getByTestId('open-generator').click()
    await page.getByTestId('gen-length').fill('32')
    await page.getByTestId('gen-symbols').uncheck()
    await poll(async () => await page.getByTestId('generated-password').textContent()).toMatch(/^[A-Za-z0-9]{32}$/)
    const generated = (await page.getByTestId('generated-password').textContent()) ?? ''
    await page.getByTestId('field-url').fill('https://github.com/login')
    await page.getByTestId('add-url').click()
    await page.getByTestId('field-url-extra').fill('https://gist.github.com')
    await page.getByTestId('field-totp').fill(TOTP_SECRET)
    await page.getByTestId('field-folder').fill('Work')
    await page.getByTestId('field-tags').fill('dev, code')
    await page.getByTestId('add-field').click()
    await page.getByTestId('custom-name').fill('Recovery code')
    await page.getByTestId('custom-value').fill('rc-1234-5678')
    await page.getByTestId('custom-hidden').check()
    await page.getByTestId('field-notes').fill('Two-factor is on.')
    await screenshot(page, 'item-new-with-generator')
    await page.getByTestId('use-password').click()
    expect(await page.getByTestId('field-password').inputValue()).toBe(generated)
    await page.getByTestId('save').click()
    await page.getByTestId('item-view').waitFor()

    const [item] = (await daemon.api('GET', '/api/items?q=GitHub')).body
    expect(item).toMatchObject({
      title: 'GitHub',
      username: 'octocat',
      password: generated,
      urls: ['https://github.com/login', 'https://gist.github.com'],
      folder: 'Work',
      tags: ['dev', 'code'],
      notes: 'Two-factor is on.',
      fields: [{ name: 'Recovery code', value: 'rc-1234-5678', hidden: true }]
    })
    expect(item.totp).toMatch(/^otpauth:\/\/totp\//)
  })

  it('adds more items through the form and sees every item in the list', async () => {
    for (const [title, username, password, link] of [
      ['Bank of Example', 'jane.doe', 'Wq7!vR2#pL9$', 'https://bank.example'],
      ['Email', 'jane@example.org', 'mail-password-42', 'https://mail.example.org']
    ] as const) {
      await page.getByTestId('new-item').click()
      await page.getByTestId('field-title').fill(title)
      await page.getByTestId('field-username').fill(username)
      await page.getByTestId('field-password').fill(password)
      await page.getByTestId('field-url').fill(link)
      await page.getByTestId('save').click()
      await poll(() => page.getByTestId('item-view').getByTestId('field-title').inputValue()).toBe(title)
    }
    // a few more straight through the API, as the CLI would: they arrive live, without a reload
    for (const title of ['Netflix', 'Nextcloud', 'Work VPN', 'Wi-Fi at home', 'Gitea', 'Amazon']) {
      await daemon.api('POST', '/api/items', {
        title,
        username: 'jane',
        password: 'x'.repeat(12),
        tags: title.startsWith('W') ? ['home'] : []
      })
    }
    await poll(() => page.getByTestId('item-row').count()).toBe(9)
    expect(await rowTitles()).toEqual([
      'Amazon',
      'Bank of Example',
      'Email',
      'Gitea',
      'GitHub',
      'Netflix',
      'Nextcloud',
      'Wi-Fi at home',
      'Work VPN'
    ])
  })

  it('searches instantly, by title, username, URL or tag', async () => {
    await page.getByTestId('search').fill('git')
    await poll(rowTitles).toEqual(['Gitea', 'GitHub'])
    await screenshot(page, 'search')
    await page.getByTestId('search').fill('gist.github')
    await poll(rowTitles).toEqual(['GitHub'])
    await page.getByTestId('search').fill('jane@')
    await poll(rowTitles).toEqual(['Email'])
    await page.getByTestId('search').fill('home')
    await poll(rowTitles).toEqual(['Wi-Fi at home', 'Work VPN'])
    await page.getByTestId('search').fill('no such thing')
    await poll(() => page.getByTestId('item-row').count()).toBe(0)
    await page.getByTestId('search').fill('')
    await poll(() => page.getByTestId('item-row').count()).toBe(9)
  })

  it('views an item: password hidden until revealed, a TOTP code with its countdown, copy clears after 30 s', async () => {
    await row('GitHub').click()
    const view = page.getByTestId('item-view')
    await view.waitFor()
    const password = (await daemon.api('GET', '/api/items?q=GitHub')).body[0].password as string
    expect(await page.getByTestId('field-password').inputValue()).toBe(password)
    expect(await page.getByTestId('field-password').getAttribute('type')).toBe('password')
    await page.getByTestId('reveal-password').click()
    expect(await page.getByTestId('field-password').getAttribute('type')).toBe('text')
    await poll(async () => await page.getByTestId('totp-code').textContent()).toMatch(/^\d{3} \d{3}$/)
    // the page computes the code itself; it is the daemon's code
    const id = (await daemon.api('GET', '/api/items?q=GitHub')).body[0].id as string
    await poll(async () => {
      const server = (await daemon.api('GET', `/api/items/${id}/totp`)).body.code as string
      return (await page.getByTestId('totp-code').textContent())?.replace(' ', '') === server
    }).toBe(true)
    expect(await page.getByTestId('custom-value').getAttribute('type')).toBe('password')
    expect(await view.textContent()).not.toContain('rc-1234-5678')
    await screenshot(page, 'item-view')
  })

  it('copies the password, and the clipboard is cleared 30 s later', async () => {
    // another browser context on a fake clock (a clock is per context), signed in with a `kith open` login link
    const clocked = await browser.newContext({ viewport: { width: 1280, height: 800 } })
    await clocked.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url })
    await PageProblems.watchCsp(clocked)
    await clocked.clock.install()
    const tab = problems.watch(await clocked.newPage())
    const link = JSON.parse((await daemon.kith(['open', '--json', '--no-open'])).stdout).url as string
    await tab.goto(link)
    await tab.getByTestId('item-row').filter({ hasText: 'GitHub' }).click()
    const password = (await daemon.api('GET', '/api/items?q=GitHub')).body[0].password as string
    await tab.getByTestId('copy-password').click()
    await poll(() => tab.evaluate('navigator.clipboard.readText()')).toBe(password)
    await tab.clock.fastForward(25_000)
    expect(await tab.evaluate('navigator.clipboard.readText()')).toBe(password)
    await tab.clock.fastForward(6_000)
    await poll(() => tab.evaluate('navigator.clipboard.readText()')).toBe('')
    await clocked.close()
  })

  it('edits an item in place: only the changed field is sent', async () => {
    const requests: string[] = []
    const onRequest = (r: import('playwright-core').Request): void => {
      if (r.method() === 'PATCH') requests.push(r.postData() ?? '')
    }
    page.on('request', onRequest)
    await page.getByTestId('field-username').fill('octocat-renamed')
    expect(await page.getByTestId('revert').isEnabled()).toBe(true)
    await screenshot(page, 'item-edit')
    await page.getByTestId('save').click()
    await poll(() => page.getByTestId('revert').isEnabled()).toBe(false)
    expect(await page.getByTestId('field-username').inputValue()).toBe('octocat-renamed')
    page.off('request', onRequest)
    expect(requests.map(r => JSON.parse(r))).toEqual([{ username: 'octocat-renamed' }])
    expect((await daemon.api('GET', '/api/items?q=GitHub')).body[0].username).toBe('octocat-renamed')
  })

  it('favourites, folders and tags filter the list', async () => {
    await page.getByTestId('favorite').click()
    await page.getByTestId('nav-favorites').click()
    await poll(rowTitles).toEqual(['GitHub'])
    await page.getByTestId('nav-folder-work').click()
    await poll(rowTitles).toEqual(['GitHub'])
    await page.getByTestId('nav-tag-home').click()
    await poll(rowTitles).toEqual(['Wi-Fi at home', 'Work VPN'])
    await page.getByTestId('nav-all').click()
    await poll(() => page.getByTestId('item-row').count()).toBe(9)
  })

  it('moves an item to the trash and restores it', async () => {
    await row('Netflix').click()
    await page.getByTestId('trash-item').click()
    await poll(() => page.getByTestId('restore-item').isVisible()).toBe(true)
    await page.getByTestId('nav-all').click()
    await poll(() => page.getByTestId('item-row').count()).toBe(8)
    await page.getByTestId('nav-trash').click()
    await poll(rowTitles).toEqual(['Netflix'])
    await row('Netflix').click()
    await screenshot(page, 'trash')
    expect((await daemon.api('GET', '/api/items?trashed=true')).body.map((i: { title: string }) => i.title)).toEqual(['Netflix'])
    await page.getByTestId('restore-item').click()
    await poll(() => page.getByTestId('trash-item').isVisible()).toBe(true)
    await page.getByTestId('nav-trash').click()
    await poll(() => page.getByTestId('item-row').count()).toBe(0)
    await page.getByTestId('nav-all').click()
    await poll(() => page.getByTestId('item-row').count()).toBe(9)
  })

  it('creates a vault in settings and switches between vaults', async () => {
    await page.getByTestId('nav-settings').click()
    await page.getByTestId('new-vault-name').fill('Family')
    await page.getByTestId('create-vault-button').click()
    await poll(() => page.locator('.vault-list').textContent()).toContain('Family')
    await page.getByTestId('auto-lock').selectOption('30')
    await poll(async () => (await daemon.api('GET', '/api/settings')).body.autoLockMinutes).toBe(30)
    await screenshot(page, 'settings')
    await page.getByTestId('nav-all').click()
    await page.getByTestId('vault-switch').selectOption('Family')
    await poll(() => page.getByTestId('item-row').count()).toBe(0)
    await page.getByTestId('new-item').click()
    await page.getByTestId('field-title').fill('Family Netflix')
    await page.getByTestId('save').click()
    await page.getByTestId('item-view').waitFor()
    await poll(rowTitles).toEqual(['Family Netflix'])
    expect((await daemon.api('GET', '/api/items?vault=Family')).body.map((i: { title: string }) => i.title)).toEqual(['Family Netflix'])
    await page.getByTestId('vault-switch').selectOption('')
    await poll(() => page.getByTestId('item-row').count()).toBe(10)
  })

  it('exports a file and imports it again', async () => {
    await page.getByTestId('nav-settings').click()
    await page.getByTestId('export-format').selectOption('kith-json')
    await page.getByTestId('export-vault').selectOption('Personal')
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()])
    const { readFile } = await import('node:fs/promises')
    const exported = await readFile(await download.path())
    expect(download.suggestedFilename()).toBe('kith-export.kith.json')
    expect(exported.toString('utf8')).toContain('octocat-renamed')
    await page.getByTestId('import-format').selectOption('kith-json')
    await page.getByTestId('import-vault').selectOption('Family')
    await page.getByTestId('import-file').setInputFiles({ name: 'kith-export.kith.json', mimeType: 'application/json', buffer: exported })
    await page.getByTestId('import').click()
    await poll(async () => (await daemon.api('GET', '/api/items?vault=Family')).body.length).toBe(10)
    await poll(() => page.locator('.toast').allTextContents()).toContain('Imported 9 items into Family')
    await poll(() => page.locator('.vault-list').textContent()).toContain('10 items')
    // leave the Family vault as it was for the rest of the flow
    for (const item of (await daemon.api('GET', '/api/items?vault=Family')).body as Array<{ id: string; title: string }>) {
      if (item.title !== 'Family Netflix') await daemon.api('DELETE', `/api/items/${item.id}?purge=true`)
    }
    await poll(() => page.getByTestId('nav-all').textContent()).toContain('10')
  })

  it('changes the master password', async () => {
    await page.getByTestId('nav-settings').click()
    await page.getByTestId('old-password').fill(PASSWORD)
    await page.getByTestId('new-password').fill(`${PASSWORD} 2`)
    await page.getByTestId('new-password-confirm').fill(`${PASSWORD} 2`)
    await page.getByTestId('change-password').click()
    await poll(() => page.locator('.toast').allTextContents()).toContain('Master password changed')
    // and back, so the rest of the flow uses the first one
    await page.getByTestId('old-password').fill(`${PASSWORD} 2`)
    await page.getByTestId('new-password').fill(PASSWORD)
    await page.getByTestId('new-password-confirm').fill(PASSWORD)
    await page.getByTestId('change-password').click()
    // the form empties itself once the daemon has re-wrapped the keys
    await poll(() => page.getByTestId('old-password').inputValue()).toBe('')
    expect(await page.getByRole('alert').count()).toBe(0)
  })

  it('shows the devices page', async () => {
    await page.getByTestId('nav-devices').click()
    await page.locator('#devices-title').waitFor()
    await screenshot(page, 'devices')
  })

  it('works from the keyboard: / searches, arrows move, Enter opens, n starts a new item, Escape cancels', async () => {
    await page.getByTestId('nav-all').click()
    await page.locator('body').press('/')
    await poll(() => page.evaluate('document.activeElement?.dataset.testid')).toBe('search')
    await page.keyboard.type('ba')
    await poll(rowTitles).toEqual(['Bank of Example'])
    await page.keyboard.press('Enter')
    await poll(() => page.getByTestId('item-view').getByTestId('field-title').inputValue()).toBe('Bank of Example')
    await page.getByTestId('search').fill('')
    await page.locator('#item-list').focus()
    await page.keyboard.press('Home')
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('Enter')
    await poll(() => page.getByTestId('item-view').getByTestId('field-title').inputValue()).toBe('Bank of Example')
    await page.locator('body').press('n')
    await page.getByTestId('item-form').waitFor()
    await poll(() => page.evaluate('document.activeElement?.dataset.testid')).toBe('field-title')
    await page.keyboard.press('Escape')
    await poll(() => page.getByTestId('item-form').count()).toBe(0)
  })

  it('every input has an accessible name', async () => {
    const unnamed = await page.evaluate(`[...document.querySelectorAll('input, select, textarea, button')]
      .filter(el => !el.labels?.length && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby') && !el.textContent.trim() && !el.querySelector('[aria-label]'))
      .map(el => el.outerHTML.slice(0, 80))`)
    expect(unnamed).toEqual([])
  })

  it('fits a phone screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 })
    await page.getByTestId('nav-all').click()
    await screenshot(page, 'phone-list')
    await row('GitHub').click()
    await page.getByTestId('item-view').waitFor()
    expect(await page.getByTestId('item-row').first().isVisible()).toBe(false)
    const overflow = await page.evaluate('document.documentElement.scrollWidth > window.innerWidth')
    expect(overflow).toBe(false)
    await screenshot(page, 'phone-item')
    await page.getByRole('button', { name: 'Back to the list' }).click()
    await poll(() => row('GitHub').isVisible()).toBe(true)
    await page.setViewportSize({ width: 1280, height: 800 })
  })

  it('locks, forgets the items, and unlocks again', async () => {
    await page.getByTestId('lock').click()
    await page.getByTestId('password').waitFor()
    expect(await page.getByTestId('item-row').count()).toBe(0)
    expect(await page.content()).not.toContain('octocat')
    expect((await daemon.api('GET', '/api/status')).body.locked).toBe(true)
    await screenshot(page, 'unlock')
    await page.getByTestId('password').fill(PASSWORD)
    await page.getByTestId('submit').click()
    await poll(() => page.getByTestId('item-row').count()).toBe(10)
    await screenshot(page, 'items')
    await page.emulateMedia({ colorScheme: 'dark' })
    await row('GitHub').click()
    await page.getByTestId('item-view').waitFor()
    await screenshot(page, 'item-view-dark')
    await page.emulateMedia({ colorScheme: 'light' })
  })

  it('never put a secret in a URL', async () => {
    const item = (await daemon.api('GET', '/api/items?q=GitHub')).body[0] as { password: string }
    expect(requested.length).toBeGreaterThan(20)
    for (const u of requested) {
      for (const secret of [PASSWORD, item.password, 'rc-1234-5678', TOTP_SECRET, 'Wq7!vR2#pL9$', 'mail-password-42']) {
        expect(decodeURIComponent(u), u).not.toContain(secret)
      }
      // no query parameter names a credential
      expect(new URL(u).search, u).not.toMatch(/token|session|password|login|code=/i)
    }
  })

  it('ran with zero console errors and no CSP violation', () => {
    expect(problems.messages.filter(m => !m.startsWith('warning:'))).toEqual([])
  })
})
