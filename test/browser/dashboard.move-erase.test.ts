/**
 * Settings → moving personal items out of a work vault, and deleting everything, in Chromium
 * (issue 5: the dashboard has the same features as `kith migrate` and `kith destroy`).
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { TestDaemon } from '../helpers/daemonProcess.js'
import { pairByApi } from '../sync/helpers/daemons.js'
import { browserDescribe, ensureDashboardBuilt, launchChromium, PageProblems, poll } from './chromium.js'

const PASSWORD = 'correct horse battery staple'

browserDescribe()('dashboard: move personal items, delete everything', () => {
  let daemon: TestDaemon
  let browser: Browser
  let page: Page
  const problems = new PageProblems()
  const ids: Record<string, string> = {}

  beforeAll(async () => {
    ensureDashboardBuilt()
    daemon = await TestDaemon.create()
    await daemon.start()
    await daemon.init(PASSWORD)
    await daemon.api('POST', '/api/vaults', { name: 'Work' })
    for (const [title, urls, username] of [
      ['Corp SSO', ['https://sso.acme-corp.example'], ''],
      ['Netflix', ['https://netflix.example'], 'me@home.example'],
      ['Jira', ['https://jira.example'], 'jane@acme-corp.example']
    ] as const) {
      ids[title] = (await daemon.api('POST', '/api/items', { title, urls, username, vault: 'Work' })).body.id as string
    }
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

  it('previews the move with a reason per item, then moves only the personal ones', async () => {
    await page.getByTestId('nav-settings').click()
    await page.getByTestId('migrate-from').selectOption('Work')
    await page.getByTestId('migrate-to').selectOption('Personal')
    await page.getByTestId('migrate-domain').fill('acme-corp.example')
    await page.getByTestId('migrate-preview').click()
    await poll(async () => await page.getByTestId('migrate-row').count()).toBe(3)
    const rows = await page.getByTestId('migrate-row').allTextContents()
    expect(rows.find(r => r.includes('Netflix'))).toMatch(/^\s*keepMoves/)
    expect(rows.find(r => r.includes('Corp SSO'))).toMatch(/^Stays.*sso\.acme-corp\.example/)
    expect(rows.find(r => r.includes('Jira'))).toMatch(/^Stays.*jane@acme-corp\.example/)
    expect((await daemon.api('GET', '/api/items?vault=Work')).body).toHaveLength(3)
    // a per-item choice: keeping the one item that would move leaves nothing to move
    await page.getByTestId('migrate-keep').check()
    await poll(() => page.getByTestId('migrate-run').count()).toBe(0)
    await page.getByTestId('migrate-keep').uncheck()
    await page.getByTestId('migrate-run').click()
    await page.getByTestId('migrate-run').click()
    await poll(async () => ((await daemon.api('GET', '/api/items?vault=Work')).body as unknown[]).length).toBe(2)
    const personal = (await daemon.api('GET', '/api/items?vault=Personal')).body as Array<{ title: string }>
    expect(personal.map(i => i.title)).toEqual(['Netflix'])
    expect(problems.messages.filter(m => !m.startsWith('warning:'))).toEqual([])
  })

  it('deletes everything only after typing DELETE and a second click, then the daemon stops; with its paired device offline it says to remove it there', async () => {
    const other = await TestDaemon.create()
    try {
      await other.start()
      await pairByApi(daemon, other)
    } finally {
      await other.destroy()
    }
    await page.getByTestId('erase').click()
    await page.getByTestId('erase').click()
    await new Promise(resolve => setTimeout(resolve, 300))
    expect((await daemon.api('GET', '/api/status')).body.initialized).toBe(true)
    await page.getByTestId('erase-confirm').fill('DELETE')
    await page.getByTestId('erase').click()
    await page.getByTestId('erase').click()
    // the page was signed in by a `kith open` link, so it has not given the password: it asks now
    await page.getByTestId('reauth-password').fill(PASSWORD)
    await page.getByTestId('reauth-submit').click()
    // the page is told why its session ended
    await poll(
      async () =>
        await page
          .locator('.notice')
          .first()
          .textContent()
          .catch(() => '')
    ).toContain('was erased')
    expect(await page.locator('.notice').first().textContent()).toMatch(
      /still on your other devices' roster; remove it from one of them \(`kith devices revoke [0-9a-f]{12}`, or Remove on its Devices page\)/
    )
    const child = daemon.child
    if (child !== undefined && child.exitCode === null) await new Promise(resolve => child.once('exit', resolve))
    expect(existsSync(join(daemon.home, 'identity.key'))).toBe(false)
  })
})
