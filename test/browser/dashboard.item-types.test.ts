/**
 * Item types in the dashboard, in Chromium: a payment card and a secure note created through the
 * type picker (the card's number and CVV masked; a bad expiry month refused with the daemon's
 * message), the list's type label and "Expired" badge, and the Types filter in the sidebar.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { TestDaemon } from '../helpers/daemonProcess.js'
import { browserDescribe, ensureDashboardBuilt, launchChromium, PageProblems, poll } from './chromium.js'

interface StoredItem {
  id: string
  title: string
  type: string
  notes: string
  password: string
  expiresAt: string | null
  card?: Record<string, string>
}

browserDescribe()('dashboard: item types', () => {
  let daemon: TestDaemon
  let browser: Browser
  let page: Page
  const problems = new PageProblems()

  beforeAll(async () => {
    ensureDashboardBuilt()
    daemon = await TestDaemon.create()
    await daemon.start()
    await daemon.init()
    await daemon.api('POST', '/api/items', { title: 'Old VPN', username: 'jane', expiresAt: '2020-01-01' })
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

  const items = async (): Promise<StoredItem[]> => (await daemon.api('GET', '/api/items')).body as StoredItem[]
  const row = (title: string) => page.getByTestId('item-row').filter({ hasText: title })

  it('creates a payment card: typed fields, secrets masked, a bad month refused with a clear message', async () => {
    await page.getByTestId('new-item').click()
    await page.getByTestId('field-type').selectOption('card')
    await page.getByTestId('field-title').fill('Everyday Visa')
    // a card has no use for the login rows
    await poll(() => page.getByTestId('field-username').isVisible()).toBe(false)
    await page.getByTestId('typed-cardholder').fill('Jane Doe')
    await page.getByTestId('typed-brand').fill('Visa')
    await page.getByTestId('typed-number').fill('4111 1111 1111 1111')
    expect(await page.getByTestId('typed-number').getAttribute('type')).toBe('password')
    await page.getByTestId('typed-cvv').fill('737')
    expect(await page.getByTestId('typed-cvv').getAttribute('type')).toBe('password')
    await page.getByTestId('typed-expMonth').fill('13')
    await page.getByTestId('typed-expYear').fill('2029')
    await page.getByTestId('save').click()
    await poll(() => page.getByRole('alert').filter({ hasText: 'card.expMonth must be a month from 1 to 12' }).count()).toBe(1)
    expect((await items()).map(i => i.title)).toEqual(['Old VPN'])

    await page.getByTestId('typed-expMonth').fill('3')
    await page.getByTestId('save').click()
    await poll(async () => (await items()).find(i => i.title === 'Everyday Visa')?.card).toEqual({
      cardholder: 'Jane Doe',
      brand: 'Visa',
      number: '4111111111111111',
      expMonth: '3',
      expYear: '2029',
      cvv: '737'
    })
    const card = (await items()).find(i => i.title === 'Everyday Visa')
    expect(card).toMatchObject({ type: 'card', password: '' })
    await poll(() => row('Everyday Visa').textContent()).toContain('Payment card')
    expect(await row('Everyday Visa').textContent()).toContain('•••• 1111')
  })

  it('creates a secure note, and the list shows types, the Expired badge and a Types filter', async () => {
    await page.getByTestId('new-item').click()
    await page.getByTestId('field-type').selectOption('note')
    await page.getByTestId('field-title').fill('Alarm code')
    await page.getByTestId('field-notes').fill('1234 then #')
    await page.getByTestId('save').click()
    await poll(async () => (await items()).find(i => i.title === 'Alarm code')).toMatchObject({
      type: 'note',
      notes: '1234 then #',
      password: ''
    })

    expect(await row('Old VPN').getByTestId('expiry-badge').textContent()).toBe('Expired')
    await page.getByTestId('nav-type-note').click()
    await poll(() => page.getByTestId('item-row').count()).toBe(1)
    expect(await page.getByTestId('item-row').textContent()).toContain('Alarm code')
    await page.getByTestId('nav-expiring').click()
    await poll(() => page.getByTestId('item-row').count()).toBe(1)
    expect(await page.getByTestId('item-row').textContent()).toContain('Old VPN')
    // the refused save answered 400 on purpose; nothing else went wrong on the page
    expect(problems.messages.filter(m => !m.startsWith('warning:') && !/status of 400/.test(m))).toEqual([])
  })

  it('changes a stored login into a secure note: its username stays, shown because it has one', async () => {
    await page.getByTestId('nav-all').click()
    await row('Old VPN').click()
    await page.getByTestId('field-type').selectOption('note')
    await page.getByTestId('save').click()
    await poll(async () => (await items()).find(i => i.title === 'Old VPN')?.type).toBe('note')
    expect((await items()).find(i => i.title === 'Old VPN')).toMatchObject({ type: 'note' })
    expect(await page.getByTestId('field-username').inputValue()).toBe('jane')
    await poll(() => row('Old VPN').textContent()).toContain('Secure note')
  })
})
