/**
 * The redirect file `kith open` hands the browser, opened in Debian's Chromium as a person's browser
 * would open it: the file:// page sends the browser on to the dashboard, which redeems the one-time
 * code and shows the vault, with no console error and no CSP violation.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { chmod, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { runKith, TestDaemon, TEST_ENV } from '../helpers/daemonProcess.js'
import { browserDescribe, ensureDashboardBuilt, launchChromium, PageProblems, poll } from './chromium.js'

browserDescribe()('kith open: the redirect file signs the browser in', () => {
  let daemon: TestDaemon
  let browser: Browser
  let url: string

  beforeAll(async () => {
    ensureDashboardBuilt()
    daemon = await TestDaemon.create()
    url = (await daemon.start()).url
    await daemon.init()
    await daemon.api('POST', '/api/items', { title: 'Opened through the file' })
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await daemon?.destroy()
  })

  it('opens the dashboard signed in, and the code in the file works only once', async () => {
    const script = join(daemon.home, 'record-browser.sh')
    const seen = join(daemon.home, 'record-browser.out')
    await writeFile(script, `#!/bin/sh\nprintf '%s' "$1" > '${seen}'\n`)
    await chmod(script, 0o700)
    const res = await runKith(daemon.home, ['open', '--json'], undefined, { ...TEST_ENV, BROWSER: script })
    expect(JSON.parse(res.stdout)).toMatchObject({ login: true, opened: true })
    await poll(() => readFile(seen, 'utf8').catch(() => '')).toMatch(/^file:\/\//)
    const fileUrl = await readFile(seen, 'utf8')

    const problems = new PageProblems()
    const context = await browser.newContext()
    await PageProblems.watchCsp(context)
    const page = problems.watch(await context.newPage())
    await page.goto(fileUrl)
    await poll(() => page.getByTestId('item-row').filter({ hasText: 'Opened through the file' }).count()).toBe(1)
    expect(page.url().startsWith(`${url}/`)).toBe(true)
    expect(page.url()).not.toContain('login=')
    expect(problems.messages).toEqual([])
    await context.close()

    // a second browser opening the same file gets the login page, not a session
    const again = await browser.newContext()
    const second = await again.newPage()
    await second.goto(fileUrl)
    await poll(() => second.url()).toMatch(new RegExp(`^${url}/`))
    await poll(() => second.getByTestId('password').isVisible()).toBe(true)
    expect(await second.getByTestId('item-row').count()).toBe(0)
    await again.close()
  })
})
