/**
 * An item's History in the dashboard, in Chromium against a real daemon: the timeline lists each
 * version with its device, old passwords stay hidden until "Show values", and "Restore as before this
 * change" puts the item back (the editor shows the restored password) as a new version. The trash
 * (issue 15, F37): "Empty trash" above the trash list, and the purge-after-days setting.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { TestDaemon } from '../helpers/daemonProcess.js'
import { browserDescribe, ensureDashboardBuilt, launchChromium, PageProblems, poll } from './chromium.js'

browserDescribe()('dashboard: item history', () => {
  let daemon: TestDaemon
  let browser: Browser
  let page: Page
  let id: string
  const problems = new PageProblems()

  beforeAll(async () => {
    ensureDashboardBuilt()
    daemon = await TestDaemon.create()
    await daemon.start()
    await daemon.init()
    id = (await daemon.api('POST', '/api/items', { title: 'Forum', username: 'me', password: 'first-Secret-1' })).body.id as string
    await daemon.api('PATCH', `/api/items/${id}`, { password: 'second-Secret-2' })
    await daemon.api('PATCH', `/api/items/${id}`, { password: 'third-Secret-3', username: 'me2' })
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

  it('shows the versions with passwords hidden until shown, and restores one', async () => {
    await page.getByTestId('item-row').filter({ hasText: 'Forum' }).click()
    await page.getByTestId('item-history').locator('summary').click()
    const versions = page.getByTestId('history-version')
    await poll(() => versions.count()).toBe(2)
    const newest = versions.first()
    expect(await newest.textContent()).toContain('this device')
    expect(await newest.getByTestId('history-username').textContent()).toBe('me → me2')
    const password = newest.getByTestId('history-password')
    expect(await password.textContent()).not.toContain('Secret')
    expect(await page.getByTestId('item-history').textContent()).not.toContain('Secret')
    await newest.getByTestId('history-reveal').click()
    expect(await password.textContent()).toBe('second-Secret-2 → third-Secret-3')

    // restore the oldest: the item as it was before the first change
    await versions.last().getByTestId('history-restore').click()
    await poll(async () => (await daemon.api('GET', `/api/items/${id}`)).body.password).toBe('first-Secret-1')
    await poll(() => page.getByTestId('field-password').inputValue()).toBe('first-Secret-1')
    await poll(() => versions.count()).toBe(3)
    expect(problems.messages).toEqual([])
  })

  it('Empty trash deletes every trashed item for good; Settings → Trash sets the purge after N days', async () => {
    const a = (await daemon.api('POST', '/api/items', { title: 'Old A' })).body.id as string
    const b = (await daemon.api('POST', '/api/items', { title: 'Old B' })).body.id as string
    await daemon.api('DELETE', `/api/items/${a}`)
    await daemon.api('DELETE', `/api/items/${b}`)
    await page.getByTestId('nav-trash').click()
    await poll(() => page.getByTestId('item-row').count()).toBe(2)
    await page.getByTestId('empty-trash').click()
    await poll(() => page.getByTestId('empty-trash').textContent()).toContain('Delete 2 items for good?')
    await page.getByTestId('empty-trash').click()
    await poll(() => page.getByTestId('item-row').count()).toBe(0)
    expect((await daemon.api('GET', `/api/items/${a}`)).status).toBe(404)
    expect((await daemon.api('GET', '/api/items')).body).toHaveLength(1)

    await page.getByTestId('nav-settings').click()
    await page.getByTestId('trash-purge-days').selectOption('30')
    await poll(async () => (await daemon.api('GET', '/api/trash')).body.purgeAfterDays).toBe(30)
    expect(problems.messages).toEqual([])
  })
})
