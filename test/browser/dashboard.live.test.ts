/**
 * Live updates: changes made with the CLI appear on the open dashboard without a reload (the event
 * stream), a lock from the CLI closes the page's session, and `kith open` signs a browser in with a
 * one-time link that leaves no trace in the address bar.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { TestDaemon } from '../helpers/daemonProcess.js'
import { browserDescribe, ensureDashboardBuilt, launchChromium, PageProblems, screenshot, poll } from './chromium.js'

const PASSWORD = 'correct horse battery staple'

browserDescribe()('dashboard: live updates and login links', () => {
  let daemon: TestDaemon
  let browser: Browser
  let context: BrowserContext
  let page: Page
  let url: string
  const problems = new PageProblems()
  const rowTitles = async () => await page.getByTestId('item-row').locator('.row-title').allTextContents()

  beforeAll(async () => {
    ensureDashboardBuilt()
    daemon = await TestDaemon.create()
    url = (await daemon.start()).url
    await daemon.init(PASSWORD)
    browser = await launchChromium()
    context = await browser.newContext()
    await PageProblems.watchCsp(context)
    page = problems.watch(await context.newPage())
  })
  afterAll(async () => {
    await browser?.close()
    await daemon?.destroy()
  })

  it('signs in with a `kith open` login link and removes the code from the address bar and history', async () => {
    const res = await daemon.kith(['open', '--json', '--no-open'])
    expect(res.code).toBe(0)
    const link = JSON.parse(res.stdout).url as string
    await page.goto(link)
    await page.getByTestId('new-item').waitFor()
    expect(page.url()).toBe(`${url}/#/`)
    // the entry with the code was replaced, not kept: back goes to the blank page the tab started on
    await page.goBack()
    expect(page.url()).toBe('about:blank')
    await page.goForward()
    expect(page.url()).toBe(`${url}/#/`)
    await page.getByTestId('password').waitFor()
    // the link worked once: a second browser cannot use it
    const other = await browser.newContext()
    const second = await other.newPage()
    await second.goto(link)
    await second.getByTestId('password').waitFor()
    expect(await second.locator('.notice').textContent()).toContain('used already or has expired')
    await other.close()
  })

  it('shows items added, edited and trashed from the CLI without a reload', async () => {
    // (going forward reloaded the page, and the session token lived in the old page's memory)
    await page.getByTestId('password').fill(PASSWORD)
    await page.getByTestId('submit').click()
    await page.getByTestId('new-item').waitFor()
    await page.evaluate('window.__sameDocument = true')
    const added = await daemon.kith(['add', '--title', 'Added from the CLI', '--username', 'cli-user', '--json'])
    const { id } = JSON.parse(added.stdout) as { id: string }
    await poll(rowTitles).toEqual(['Added from the CLI'])
    await page.getByTestId('item-row').first().click()
    await poll(() => page.getByTestId('field-username').inputValue()).toBe('cli-user')
    await daemon.kith(['edit', id, '--username', 'edited-in-cli'])
    await poll(() => page.getByTestId('field-username').inputValue()).toBe('edited-in-cli')
    // while a field is being edited here, a change to another field from elsewhere flows in, and both are kept
    await page.getByTestId('field-password').fill('typed-on-the-page')
    await daemon.kith(['edit', id, '--username', 'changed-meanwhile'])
    await poll(() => page.getByTestId('field-username').inputValue()).toBe('changed-meanwhile')
    expect(await page.getByTestId('field-password').inputValue()).toBe('typed-on-the-page')
    await page.getByTestId('save').click()
    await poll(async () => (await daemon.api('GET', `/api/items/${id}`)).body).toMatchObject({
      username: 'changed-meanwhile',
      password: 'typed-on-the-page'
    })
    await daemon.kith(['rm', id])
    await poll(() => page.getByTestId('restore-item').isVisible()).toBe(true)
    await page.getByTestId('nav-all').click()
    await poll(() => page.getByTestId('item-row').count()).toBe(0)
    expect(await page.evaluate('window.__sameDocument')).toBe(true)
  })

  it('shows a sync status', async () => {
    await poll(() => page.getByTestId('sync-status').textContent()).toMatch(/This device only|Syncing|devices online/)
  })

  it('goes to the unlock screen when the vault is locked from the CLI, and comes back after unlock', async () => {
    await daemon.kith(['lock'])
    await page.getByTestId('password').waitFor()
    expect(await page.locator('.notice').textContent()).toContain('locked')
    await page.getByTestId('password').fill(PASSWORD)
    await page.getByTestId('submit').click()
    await page.getByTestId('new-item').waitFor()
    await page.getByTestId('nav-trash').click()
    await poll(rowTitles).toEqual(['Added from the CLI'])
    await screenshot(page, 'trash-live')
  })

  it('logged no console error', () => {
    expect(problems.messages.filter(m => !m.startsWith('warning:'))).toEqual([])
  })
})
