/**
 * Password health and weak secrets in the dashboard, in Chromium against a real daemon: first run
 * with a weak password needs "Use it anyway" ticked (the meter shows the daemon's verdict), the
 * Password health screen lists each issue and links to the item, and the generator makes a
 * passphrase of words with the chosen separator.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { TestDaemon } from '../helpers/daemonProcess.js'
import { browserDescribe, ensureDashboardBuilt, launchChromium, PageProblems, poll, screenshot } from './chromium.js'

const WEAK = 'password123'

browserDescribe()('dashboard: password health and weak secrets', () => {
  let daemon: TestDaemon
  let browser: Browser
  let page: Page
  let url: string
  const problems = new PageProblems()

  beforeAll(async () => {
    ensureDashboardBuilt()
    daemon = await TestDaemon.create()
    url = (await daemon.start()).url
    browser = await launchChromium()
    const context = await browser.newContext()
    await PageProblems.watchCsp(context)
    page = problems.watch(await context.newPage())
  })
  afterAll(async () => {
    await browser?.close()
    await daemon?.destroy()
  })

  it('first run: a weak master password shows the daemon’s verdict and needs “Use it anyway” (F17)', async () => {
    await page.goto(`${url}/`)
    await page.getByTestId('password').fill(WEAK)
    await page.getByTestId('password-confirm').fill(WEAK)
    await poll(() => page.getByTestId('strength').textContent()).toContain('Very weak')
    await page.getByTestId('submit').click()
    await poll(() => page.getByRole('alert').textContent()).toContain('Use it anyway')
    expect((await daemon.api('GET', '/api/status')).body.initialized).toBe(false)
    await screenshot(page, 'first-run-weak')
    await page.getByTestId('allow-weak').check()
    await page.getByTestId('submit').click()
    await page.getByTestId('new-item').waitFor()
    expect((await daemon.api('GET', '/api/status')).body).toMatchObject({ initialized: true, locked: false })
  })

  it('the Password health screen lists each item’s issues and links to the item', async () => {
    const mail = (
      await daemon.api('POST', '/api/items', { title: 'Mail', username: 'ann', password: 'hunter22', urls: ['https://mail.example'] })
    ).body.id as string
    await daemon.api('POST', '/api/items', { title: 'Shop', username: 'bob', password: 'hunter22', urls: ['https://shop.example'] })
    await daemon.api('POST', '/api/items', { title: 'Fine', password: 'q7#Lm2!vR9@xZ4$kP8&wN3^t' })
    await page.getByTestId('nav-health').click()
    await poll(() => page.url()).toContain('#/health')
    await poll(() => page.getByTestId('health-row').count()).toBe(2)
    await poll(() => page.getByTestId('health-verdict').textContent()).toContain('2 items of 3 need attention')
    const mailRow = page.getByTestId('health-row').filter({ hasText: 'Mail' })
    expect(await mailRow.getByTestId('health-issue').allTextContents()).toEqual(['Weak', 'Reused'])
    expect(await page.getByTestId('health-summary').textContent()).toContain('Weak: 2')
    await screenshot(page, 'password-health')
    await mailRow.getByTestId('health-item-link').click()
    await poll(() => page.url()).toContain(`#/item/${mail}`)
    await poll(() => page.getByTestId('field-title').inputValue()).toBe('Mail')
  })

  it('the generator makes a passphrase of words with the chosen separator and capitals', async () => {
    await page.getByTestId('new-item').click()
    await page.getByTestId('open-generator').click()
    await page.getByTestId('gen-kind-passphrase').click()
    await page.getByTestId('gen-words').fill('5')
    await page.getByTestId('gen-separator').selectOption('.')
    await page.getByTestId('gen-capitalize').check()
    await poll(async () => (await page.getByTestId('generated-password').textContent()) ?? '').toMatch(
      /^(?:[A-Z][a-z-]+\.){4}[A-Z][a-z-]+$/
    )
    await screenshot(page, 'generator-passphrase')
    const phrase = (await page.getByTestId('generated-password').textContent()) ?? ''
    await page.getByTestId('use-password').click()
    expect(await page.getByTestId('field-password').inputValue()).toBe(phrase)
    expect(problems.messages.filter(m => !m.startsWith('warning:'))).toEqual([])
  })
})
