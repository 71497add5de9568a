/**
 * Re-authentication in the dashboard (issue 11 item 5), in Debian's Chromium: a page signed in by a
 * `kith open` link has not given the master password, so inviting a device opens the password
 * dialog; a wrong password is refused in the dialog, cancelling does nothing, the right one lets
 * the invitation through — and the page's session token never proves anything on its own.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { TestDaemon } from '../helpers/daemonProcess.js'
import { browserDescribe, ensureDashboardBuilt, launchChromium, PageProblems, poll } from './chromium.js'

const PASSWORD = 'correct horse battery staple'

browserDescribe()('dashboard: re-authentication before an invitation', () => {
  let daemon: TestDaemon
  let browser: Browser

  beforeAll(async () => {
    ensureDashboardBuilt()
    daemon = await TestDaemon.create()
    await daemon.start()
    await daemon.init(PASSWORD)
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await daemon?.destroy()
  })

  it('asks for the master password in a dialog, refuses a wrong one, and invites after the right one', async () => {
    const link = (await daemon.api('POST', '/api/session/link')).body.url as string
    const problems = new PageProblems()
    const context = await browser.newContext()
    await PageProblems.watchCsp(context)
    const page = problems.watch(await context.newPage())
    await page.goto(link)
    await page.getByTestId('nav-devices').click()

    await page.getByTestId('invite').click()
    const dialog = page.getByTestId('reauth-dialog')
    await poll(() => dialog.isVisible()).toBe(true)
    await page.getByRole('button', { name: 'Cancel' }).click()
    await poll(() => dialog.isVisible()).toBe(false)
    expect(await page.getByTestId('invitation').count()).toBe(0)

    await page.getByTestId('invite').click()
    await poll(() => dialog.isVisible()).toBe(true)
    await page.getByTestId('reauth-password').fill('not the password')
    await page.getByTestId('reauth-submit').click()
    await poll(() => dialog.getByRole('alert').textContent()).toContain('not the master password')
    expect(await page.getByTestId('invitation').count()).toBe(0)

    await page.getByTestId('reauth-password').fill(PASSWORD)
    await page.getByTestId('reauth-submit').click()
    await poll(() => dialog.isVisible()).toBe(false)
    await poll(async () => (await page.getByTestId('invitation').textContent()) ?? '').toMatch(/kith:/)
    // the page asks before it tries (no refused call): the wrong password's 401 is the only failed request, and no CSP violation
    expect(problems.messages).toEqual([expect.stringContaining('status of 401')])
    await context.close()
  })
})
