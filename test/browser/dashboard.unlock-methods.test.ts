/**
 * Unlock methods in the dashboard (issue 12 items 3–5), in Debian's Chromium against a real daemon:
 * Settings › Unlock methods sets up an authenticator app (QR code shown, the app's code confirms
 * it), after which the unlock screen asks for a code after the password; a recovery key opens the
 * emergency kit (device, dashboard address, key; printed alone); "Use a recovery key" on the
 * unlock screen leads to "Set a new master password", and the old password stops working.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import * as OTPAuth from 'otpauth'
import { TestDaemon } from '../helpers/daemonProcess.js'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { browserDescribe, ensureDashboardBuilt, launchChromium, PageProblems, poll, SCREENSHOT_DIR } from './chromium.js'

const PASSWORD = 'correct horse battery staple'
const NEW_PASSWORD = 'a new password after recovery'

browserDescribe()('dashboard: unlock methods', () => {
  let daemon: TestDaemon
  let browser: Browser
  let page: Page
  let otp: OTPAuth.TOTP
  let recoveryKey = ''
  const problems = new PageProblems()

  beforeAll(async () => {
    ensureDashboardBuilt()
    daemon = await TestDaemon.create()
    await daemon.start()
    await daemon.init(PASSWORD)
    browser = await launchChromium()
    const context = await browser.newContext()
    await PageProblems.watchCsp(context)
    page = problems.watch(await context.newPage())
  })
  afterAll(async () => {
    await browser?.close()
    await daemon?.destroy()
  })

  /** one section of the page, for the README */
  const shoot = async (testId: string, name: string): Promise<void> => {
    await mkdir(SCREENSHOT_DIR, { recursive: true })
    // passing toasts are noise in a screenshot (hidden through the CSSOM: the CSP forbids a <style>)
    await page.evaluate("document.querySelector('.toasts')?.style.setProperty('visibility', 'hidden')")
    await page.getByTestId(testId).screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), animations: 'disabled', caret: 'hide' })
    await page.evaluate("document.querySelector('.toasts')?.style.removeProperty('visibility')")
  }

  const lockFromPage = async (): Promise<void> => {
    await page.getByTestId('lock').click()
    await poll(() => page.getByTestId('password').isVisible()).toBe(true)
  }

  it('sets up an authenticator app: QR code shown, confirmed with its code', async () => {
    await page.goto(daemon.info?.url ?? '')
    await page.getByTestId('password').fill(PASSWORD)
    await page.getByTestId('submit').click()
    await page.getByTestId('nav-settings').click()
    await poll(() => page.getByTestId('unlock-methods').isVisible()).toBe(true)
    await poll(() => page.getByTestId('factor-row').count()).toBe(1)

    await page.getByTestId('add-totp').click()
    await poll(() => page.getByTestId('totp-qr').isVisible()).toBe(true)
    const secret = await page.getByTestId('totp-secret').inputValue()
    expect(secret).toMatch(/^[A-Z2-7]{32}$/)
    otp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) })
    await shoot('totp-setup', 'settings-authenticator')
    await page.getByTestId('totp-confirm-code').fill(otp.generate({ timestamp: Date.now() - 30_000 }))
    await page.getByTestId('totp-confirm').click()
    await poll(() => page.getByTestId('totp-setup').count()).toBe(0)
    await poll(() => page.locator('[data-testid=factor-row][data-kind=totp]').count()).toBe(1)
    expect((await daemon.api('GET', '/api/status')).body.totp).toBe(true)
  })

  it('creates a recovery key and shows the emergency kit, which prints alone', async () => {
    await page.getByTestId('add-recovery-key').click()
    const kit = page.getByTestId('emergency-kit')
    await poll(() => kit.isVisible()).toBe(true)
    recoveryKey = (await page.getByTestId('kit-recovery-key').textContent())?.trim() ?? ''
    expect(recoveryKey).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){7}$/)
    expect(await page.getByTestId('kit-address').textContent()).toBe(daemon.info?.url)
    expect((await page.getByTestId('kit-device').textContent())?.trim()).not.toBe('')
    await shoot('emergency-kit', 'settings-emergency-kit')
    await page.emulateMedia({ media: 'print' })
    expect(await page.getByTestId('unlock-methods').isVisible()).toBe(false)
    expect(await page.getByTestId('kit-recovery-key').isVisible()).toBe(true)
    expect(await page.getByTestId('print-kit').isVisible()).toBe(false)
    await page.emulateMedia({ media: 'screen' })
    await page.getByTestId('close-kit').click()
    await poll(() => kit.count()).toBe(0)
    await poll(() => page.locator('[data-testid=factor-row][data-kind=recovery-key]').count()).toBe(1)
    await shoot('unlock-methods', 'settings-unlock-methods')
  })

  it('the unlock screen asks for the code after the password', async () => {
    await lockFromPage()
    await page.getByTestId('password').fill(PASSWORD)
    await page.getByTestId('submit').click()
    await poll(() => page.getByTestId('unlock-totp').isVisible()).toBe(true)
    expect(await page.getByTestId('nav-settings').count()).toBe(0)
    await page.getByTestId('unlock-totp').fill(otp.generate({ timestamp: Date.now() }))
    await page.getByTestId('submit').click()
    await poll(() => page.getByTestId('nav-settings').isVisible()).toBe(true)
  })

  it('"Use a recovery key" unlocks and asks for a new master password; the old one then fails', async () => {
    await lockFromPage()
    await page.getByTestId('use-recovery-key').click()
    await page.getByTestId('recovery-key').fill(recoveryKey.toLowerCase())
    await page.getByTestId('recovery-submit').click()
    await poll(() => page.getByTestId('set-new-password').isVisible()).toBe(true)
    expect((await daemon.api('GET', '/api/status')).body.needsNewPassword).toBe(true)
    await page.getByTestId('recovery-new-password').fill(NEW_PASSWORD)
    await page.getByTestId('recovery-new-password-confirm').fill(NEW_PASSWORD)
    await page.getByTestId('set-new-password').click()
    await poll(() => page.getByTestId('nav-settings').isVisible()).toBe(true)
    expect((await daemon.api('GET', '/api/status')).body.needsNewPassword).toBe(false)
    expect((await daemon.api('POST', '/api/reauthenticate', { password: PASSWORD })).status).toBe(401)
    expect((await daemon.api('POST', '/api/reauthenticate', { password: NEW_PASSWORD })).status).toBe(200)
    // the refused codes and passwords are the only failed requests, and no CSP violation
    expect(problems.messages.filter(m => !m.includes('status of 401'))).toEqual([])
  })
})
