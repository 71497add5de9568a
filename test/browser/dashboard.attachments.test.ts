/**
 * An item's Files in the dashboard, in Chromium against a real daemon: a file chosen in the page is
 * uploaded (the daemon lists it with its size and SHA-256), downloaded byte for byte, and removed; a
 * file dropped onto the section is uploaded too; one added with `kith attach` appears without a
 * reload; a file over the limit (1 MB here) is refused with the daemon's message, and the other file
 * of the same choice is still added.
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { TestDaemon } from '../helpers/daemonProcess.js'
import { browserDescribe, ensureDashboardBuilt, launchChromium, PageProblems, poll } from './chromium.js'

interface Attachment {
  id: string
  name: string
  size: number
  sha256: string
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

browserDescribe()('dashboard: files on an item', () => {
  let daemon: TestDaemon
  let browser: Browser
  let page: Page
  let id: string
  let dir: string
  const problems = new PageProblems()
  const attachments = async (): Promise<Attachment[]> => (await daemon.api('GET', `/api/items/${id}`)).body.attachments as Attachment[]

  beforeAll(async () => {
    ensureDashboardBuilt()
    dir = await mkdtemp(join(tmpdir(), 'kith-files-'))
    // a small limit, so the refused file need not be 25 MB
    daemon = await TestDaemon.create(['--attachment-limit-mb', '1'])
    await daemon.start()
    await daemon.init()
    id = (await daemon.api('POST', '/api/items', { title: 'Passport', notes: 'scans' })).body.id as string
    browser = await launchChromium()
    const context = await browser.newContext({ acceptDownloads: true })
    await PageProblems.watchCsp(context)
    page = problems.watch(await context.newPage())
    const link = JSON.parse((await daemon.kith(['open', '--json', '--no-open'])).stdout).url as string
    await page.goto(link)
    await page.getByTestId('item-row').filter({ hasText: 'Passport' }).click()
    await page.getByTestId('attachments').waitFor()
  })
  afterAll(async () => {
    await browser?.close()
    await daemon?.destroy()
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  })

  it('uploads a chosen file, lists it, downloads the same bytes, and removes it', async () => {
    const bytes = randomBytes(300 * 1024 + 17)
    const name = 'Scan – page 1 (é).bin'
    const path = join(dir, name)
    await writeFile(path, bytes)
    await page.getByTestId('attachment-input').setInputFiles(path)

    const rows = page.getByTestId('attachment')
    await poll(() => rows.count()).toBe(1)
    expect(await rows.first().getByTestId('attachment-name').textContent()).toBe(name)
    expect(await rows.first().getByTestId('attachment-size').textContent()).toBe('300 KB')
    const [stored] = await attachments()
    expect(stored).toMatchObject({ name, size: bytes.length, sha256: sha256(bytes) })

    const [download] = await Promise.all([page.waitForEvent('download'), rows.first().getByTestId('download-attachment').click()])
    expect(download.suggestedFilename()).toBe(name)
    const downloaded = await readFile(await download.path())
    expect(downloaded.length).toBe(bytes.length)
    expect(sha256(downloaded)).toBe(sha256(bytes))

    const remove = rows.first().getByTestId('remove-attachment')
    await remove.click()
    expect(await remove.textContent()).toBe('Click again to remove')
    expect(await attachments()).toHaveLength(1)
    await remove.click()
    await poll(() => rows.count()).toBe(0)
    expect(await attachments()).toEqual([])
    expect(problems.messages).toEqual([])
  })

  it('uploads a file dropped onto the section', async () => {
    const bytes = randomBytes(4096)
    const section = page.getByTestId('attachments')
    const transfer = await page.evaluateHandle(`(() => {
      const bytes = Uint8Array.from(atob('${bytes.toString('base64')}'), c => c.charCodeAt(0))
      const transfer = new DataTransfer()
      transfer.items.add(new File([bytes], 'dropped.key'))
      return transfer
    })()`)
    await section.dispatchEvent('dragover', { dataTransfer: transfer })
    await poll(() => section.getAttribute('class')).toContain('dragging')
    await section.dispatchEvent('drop', { dataTransfer: transfer })
    await poll(async () => (await attachments()).map(a => [a.name, a.sha256])).toEqual([['dropped.key', sha256(bytes)]])
    await poll(() => page.getByTestId('attachment-name').allTextContents()).toEqual(['dropped.key'])
    expect(await section.getAttribute('class')).not.toContain('dragging')
    expect(problems.messages).toEqual([])
  })

  it('shows a file added with `kith attach` without a reload', async () => {
    const path = join(dir, 'from-cli.txt')
    await writeFile(path, randomBytes(1000))
    const attached = await daemon.kith(['attach', id, path])
    expect(attached.code, attached.stderr).toBe(0)
    await poll(() => page.getByTestId('attachment-name').allTextContents()).toEqual(['dropped.key', 'from-cli.txt'])
    expect(await page.getByTestId('attachment-size').last().textContent()).toBe('1000 bytes')
  })

  it('refuses a file over the limit with the daemon’s message, and still adds the other file chosen with it', async () => {
    const before = await attachments()
    const big = join(dir, 'too-big.iso')
    await writeFile(big, Buffer.alloc(2 * 1024 * 1024, 7))
    const small = randomBytes(2048)
    const smallPath = join(dir, 'small.txt')
    await writeFile(smallPath, small)
    await page.getByTestId('attachment-input').setInputFiles([big, smallPath])

    const error = page.getByTestId('attachment-error')
    await poll(() => error.count(), { timeout: 30_000 }).toBe(1)
    const text = (await error.textContent()) ?? ''
    expect(text).toContain('Could not add “too-big.iso”')
    expect(text).toContain('the limit of 1 MB per file')
    expect(await error.getAttribute('role')).toBe('alert')
    const names = [...before.map(a => a.name), 'small.txt'].sort()
    await poll(async () => (await attachments()).map(a => a.name).sort()).toEqual(names)
    expect((await attachments()).find(a => a.name === 'small.txt')?.sha256).toBe(sha256(small))
    await poll(() => page.getByTestId('attachment-name').allTextContents()).toEqual(names)
    // the message stays until dismissed
    await error.getByRole('button', { name: /Dismiss/ }).click()
    await poll(() => error.count()).toBe(0)
    // the 413 is the one console line Chromium writes for a refused request
    expect(problems.messages.filter(m => !m.includes('413'))).toEqual([])
  })
})
