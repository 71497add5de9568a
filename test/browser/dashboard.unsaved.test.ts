/**
 * Never lose typed input (issue 15 item 1, newcomer report F1, F9, F22), in Chromium: leaving an item
 * with unsaved changes asks Save / Discard / Cancel (another item, another screen, the back button,
 * lock; closing the tab gets the browser's own question); a bare `dropbox.com` is saved as
 * `https://dropbox.com`; a field being edited that another device changes is shown with both values
 * and Save waits until the person picks one.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { TestDaemon } from '../helpers/daemonProcess.js'
import { browserDescribe, ensureDashboardBuilt, launchChromium, PageProblems, poll } from './chromium.js'

browserDescribe()('dashboard: unsaved changes are never dropped silently', () => {
  let daemon: TestDaemon
  let browser: Browser
  let page: Page
  const problems = new PageProblems()
  const ids: Record<string, string> = {}

  beforeAll(async () => {
    ensureDashboardBuilt()
    daemon = await TestDaemon.create()
    await daemon.start()
    await daemon.init()
    for (const title of ['eBay', 'Steam', 'Twitter'])
      ids[title] = (await daemon.api('POST', '/api/items', { title, username: `me-${title}` })).body.id as string
    browser = await launchChromium()
    const context = await browser.newContext()
    await PageProblems.watchCsp(context)
    page = problems.watch(await context.newPage())
    const link = JSON.parse((await daemon.kith(['open', '--json', '--no-open'])).stdout).url as string
    await page.goto(link)
    await page.getByTestId('new-item').waitFor()
  })
  afterAll(async () => {
    await browser?.close()
    await daemon?.destroy()
  })

  const row = (title: string) => page.getByTestId('item-row').filter({ hasText: title })
  const notes = () => page.getByTestId('field-notes')
  const dialog = () => page.getByTestId('unsaved-dialog')
  const item = async (title: string) => (await daemon.api('GET', `/api/items/${ids[title]}`)).body as { notes: string; username: string }

  it('switching items with an unsaved note asks; Cancel keeps the note, Discard drops it, Save keeps it', async () => {
    await row('eBay').click()
    await notes().fill('a long note I do not want to lose')
    await row('Steam').click()
    await poll(() => dialog().isVisible()).toBe(true)
    await page.getByTestId('unsaved-cancel').click()
    await poll(() => dialog().isVisible()).toBe(false)
    expect(await notes().inputValue()).toBe('a long note I do not want to lose')
    expect(page.url()).toContain(ids.eBay)

    // another screen, then the back button: asked each time
    await page.getByTestId('nav-devices').click()
    await poll(() => dialog().isVisible()).toBe(true)
    await page.getByTestId('unsaved-save').click()
    await poll(() => page.url()).toContain('#/devices')
    expect((await item('eBay')).notes).toBe('a long note I do not want to lose')

    await page.goBack()
    await row('Steam').click()
    await notes().fill('this one goes')
    await row('Twitter').click()
    await page.getByTestId('unsaved-discard').click()
    await poll(() => page.url()).toContain(ids.Twitter)
    expect((await item('Steam')).notes).toBe('')
  })

  it('lock asks too, and closing the tab gets the browser’s own question', async () => {
    await row('Twitter').click()
    await notes().fill('not saved yet')
    await page.getByTestId('lock').click()
    await poll(() => dialog().isVisible()).toBe(true)
    await page.getByTestId('unsaved-cancel').click()
    expect((await daemon.api('GET', '/api/status')).body.locked).toBe(false)

    const asked = new Promise<string>(resolve =>
      page.once('dialog', d => {
        resolve(d.type())
        void d.dismiss()
      })
    )
    await page.close({ runBeforeUnload: true })
    expect(await asked).toBe('beforeunload')
    const context = page.context()
    page = problems.watch(await context.newPage())
    const link = JSON.parse((await daemon.kith(['open', '--json', '--no-open'])).stdout).url as string
    await page.goto(link)
    await page.getByTestId('new-item').waitFor()
  })

  it('a bare domain in the website field is saved as an https address', async () => {
    await page.getByTestId('new-item').click()
    await page.getByTestId('field-title').fill('Dropbox')
    await page.getByTestId('field-url').fill('dropbox.com')
    await page.getByTestId('save').click()
    await poll(async () => ((await daemon.api('GET', '/api/items?q=Dropbox')).body as Array<{ urls: string[] }>)[0]?.urls).toEqual([
      'https://dropbox.com'
    ])
  })

  it('a field edited here and changed on another device shows both; Save waits for a choice', async () => {
    await row('eBay').click()
    await page.getByTestId('field-username').fill('alice_ebay_A')
    await daemon.api('PATCH', `/api/items/${ids.eBay}`, { username: 'alice_ebay_B' })
    const conflict = page.getByTestId('conflict')
    await poll(() => conflict.count()).toBe(1)
    expect(await conflict.textContent()).toContain('alice_ebay_B')
    expect(await conflict.textContent()).toContain('alice_ebay_A')
    expect(await page.getByTestId('field-username').inputValue()).toBe('alice_ebay_A')
    await page.getByTestId('save').click()
    await poll(() => page.locator('.error').first().textContent()).toContain('changed on another device')
    expect((await item('eBay')).username).toBe('alice_ebay_B')

    await page.getByTestId('conflict-mine').click()
    await page.getByTestId('save').click()
    await poll(async () => (await item('eBay')).username).toBe('alice_ebay_A')

    await page.getByTestId('field-username').fill('alice_ebay_C')
    await daemon.api('PATCH', `/api/items/${ids.eBay}`, { username: 'alice_ebay_D' })
    await poll(() => conflict.count()).toBe(1)
    await page.getByTestId('conflict-theirs').click()
    expect(await page.getByTestId('field-username').inputValue()).toBe('alice_ebay_D')
    expect(problems.messages.filter(m => !m.startsWith('warning:'))).toEqual([])
  })
})
