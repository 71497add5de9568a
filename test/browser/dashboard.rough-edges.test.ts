/**
 * The dashboard's small rough edges from the newcomer report, in Chromium against a real daemon:
 * "/" works the moment the items appear after unlock (F35), a new item starts with a generated
 * password (F36), a trashed item offers no editing controls (F37), a hidden custom field's value and
 * an empty tag have names (F40), and the Import vault choice is not cut off (F39).
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { TestDaemon } from '../helpers/daemonProcess.js'
import { browserDescribe, ensureDashboardBuilt, launchChromium, PageProblems, poll } from './chromium.js'

const PASSWORD = 'correct horse battery staple'

browserDescribe()('dashboard: the rough edges a newcomer met', () => {
  let daemon: TestDaemon
  let browser: Browser
  let page: Page
  let url: string
  const problems = new PageProblems()
  let trashedId: string

  beforeAll(async () => {
    ensureDashboardBuilt()
    daemon = await TestDaemon.create()
    url = (await daemon.start()).url
    await daemon.init(PASSWORD)
    await daemon.api('POST', '/api/items', { title: 'Bank', username: 'ada', tags: [''] })
    trashedId = (
      await daemon.api('POST', '/api/items', {
        title: 'Old forum',
        urls: ['https://forum.example', 'https://m.forum.example'],
        fields: [{ name: 'PIN', value: '4321', hidden: true }]
      })
    ).body.id as string
    await daemon.api('DELETE', `/api/items/${trashedId}`)
    browser = await launchChromium()
    const context = await browser.newContext()
    await PageProblems.watchCsp(context)
    page = problems.watch(await context.newPage())
  })
  afterAll(async () => {
    await browser?.close()
    await daemon?.destroy()
  })

  it('"/" pressed the moment the items screen appears after unlock focuses search (F35)', async () => {
    await daemon.api('POST', '/api/lock')
    await page.goto(`${url}/`)
    await page.getByTestId('password').fill(PASSWORD)
    // press "/" as soon as the search box is in the page: in the same task that put it there, before any next frame
    // (the statement ends in `true`: an expression that is a promise would be awaited here)
    await page.evaluate(`window.slashFocused = new Promise(resolve => {
      const seen = new MutationObserver(() => {
        const search = document.querySelector('[data-testid="search"]')
        if (search === null) return
        seen.disconnect()
        document.body.dispatchEvent(new KeyboardEvent('keydown', { key: '/', bubbles: true, cancelable: true }))
        resolve(document.activeElement === search)
      })
      seen.observe(document.body, { childList: true, subtree: true })
    }); true`)
    await page.getByTestId('submit').click()
    expect(await page.evaluate('window.slashFocused')).toBe(true)
  })

  it('a new item starts with a generated password of the default length, and leaving it untouched asks nothing (F36)', async () => {
    await page.getByTestId('new-item').click()
    await poll(() => page.getByTestId('field-password').inputValue()).toMatch(/^.{24}$/)
    await page.getByTestId('field-title').fill('Mail')
    await page.getByTestId('save').click()
    await poll(
      async () =>
        ((await daemon.api('GET', '/api/items')).body as Array<{ title: string; password: string }>).find(i => i.title === 'Mail')?.password
    ).toMatch(/^.{24}$/)
    await page.getByTestId('new-item').click()
    await poll(() => page.getByTestId('field-password').inputValue()).toMatch(/^.{24}$/)
    await page.getByTestId('nav-devices').click()
    await poll(() => page.url()).toContain('#/devices')
    expect(await page.getByTestId('unsaved-dialog').isVisible()).toBe(false)
  })

  it('a trashed item shows no generator, no "Add another address", no "Add a field", no "Remove field" (F37)', async () => {
    await page.goto(`${url}/#/item/${trashedId}`)
    await page.getByTestId('item-view').waitFor()
    await poll(() => page.getByTestId('field-url-extra').count()).toBe(1)
    expect(await page.getByTestId('open-generator').count()).toBe(0)
    expect(await page.getByTestId('add-url').count()).toBe(0)
    expect(await page.getByTestId('add-field').count()).toBe(0)
    expect(await page.getByText('Remove field').count()).toBe(0)
    expect(await page.getByRole('button', { name: /Remove address/ }).count()).toBe(0)
  })

  it('a hidden custom field\'s value is named "Field 1 value"; an empty tag is not a nameless button (F40)', async () => {
    expect(await page.getByRole('textbox', { name: 'Field 1 value' }).count()).toBe(1)
    const nameless = await page
      .locator('nav.sidebar button')
      .evaluateAll(buttons => buttons.filter(b => (b.textContent ?? '').trim() === '').length)
    expect(nameless).toBe(0)
    expect(await page.getByRole('button', { name: '(unnamed tag)' }).count()).toBe(1)
  })

  it('the Import "Into the vault" choice fits its box (F39)', async () => {
    await page.goto(`${url}/#/settings`)
    const select = page.getByTestId('import-vault')
    await select.waitFor()
    // the chosen option's text, measured in the select's font, against the box less its padding and arrow
    const fits = (await page.evaluate(`(() => {
      const s = document.querySelector('[data-testid="import-vault"]')
      const ctx = document.createElement('canvas').getContext('2d')
      ctx.font = getComputedStyle(s).font
      const text = s.options[s.selectedIndex]?.text ?? ''
      return { text, width: ctx.measureText(text).width, box: s.clientWidth - 40 }
    })()`)) as { text: string; width: number; box: number }
    expect(fits.width, JSON.stringify(fits)).toBeLessThanOrEqual(fits.box)
  })

  it('ran with zero console errors and no CSP violation', () => {
    expect(problems.messages).toEqual([])
  })
})
