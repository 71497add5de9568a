/**
 * Debian's Chromium for the browser tests and the dashboard bench, driven by playwright-core.
 * When /usr/bin/chromium is missing the browser suites are skipped with a loud warning, except
 * under CI=true, where they run and fail (CI must install the `chromium` package).
 */
import { existsSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { mkdir } from 'node:fs/promises'
import { describe, expect } from 'vitest'
import { chromium, type Browser, type BrowserContext, type Page, type ConsoleMessage } from 'playwright-core'
import { REPO_ROOT } from '../helpers/daemonProcess.js'

export const CHROMIUM_PATH = process.env.KITH_CHROMIUM ?? '/usr/bin/chromium'
export const HAS_CHROMIUM = existsSync(CHROMIUM_PATH)

/** The launch flags from the environment notes: quiet, offline, no GPU. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync'
]

let warned = false
/** `describe`, or `describe.skip` with a warning naming the package to install (never under CI). */
export function browserDescribe(): typeof describe {
  if (HAS_CHROMIUM || process.env.CI === 'true') return describe
  if (!warned) {
    warned = true
    console.warn(
      `\n${'!'.repeat(78)}\n  SKIPPING the browser tests: ${CHROMIUM_PATH} is missing.\n  Install the Debian package \`chromium\` (apt-get install -y chromium) to run them.\n${'!'.repeat(78)}\n`
    )
  }
  return describe.skip as unknown as typeof describe
}

/** Builds web-ui/dist when it is missing or stale (the daemon serves it). */
export function ensureDashboardBuilt(): void {
  execFileSync(process.execPath, [join(REPO_ROOT, 'web-ui', 'ensureBuilt.mjs')], { stdio: 'inherit' })
}

/** A fresh headless Chromium (its own temporary profile); extra flags e.g. --host-resolver-rules. */
export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  if (!HAS_CHROMIUM) throw new Error(`${CHROMIUM_PATH} is missing: install the Debian package \`chromium\` (apt-get install -y chromium)`)
  return await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_FLAGS, ...extraArgs], headless: true })
}

/** Everything a page complained about: console errors, uncaught exceptions, CSP violations. */
export class PageProblems {
  readonly messages: string[] = []

  watch(page: Page): Page {
    page.on('console', (m: ConsoleMessage) => {
      if (m.type() === 'error' || m.type() === 'warning') this.messages.push(`${m.type()}: ${m.text()}`)
    })
    page.on('pageerror', err => this.messages.push(`pageerror: ${err.message}`))
    return page
  }

  /** Records securitypolicyviolation events (CSP) in every page of the context. */
  static async watchCsp(context: BrowserContext): Promise<void> {
    await context.addInitScript({
      content:
        "document.addEventListener('securitypolicyviolation', e => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))"
    })
  }
}

/** Where the browser tests put screenshots: docs/screenshots with KITH_SCREENSHOTS=1, else a temp folder. */
export const SCREENSHOT_DIR =
  process.env.KITH_SCREENSHOTS === '1' ? join(REPO_ROOT, 'docs', 'screenshots') : join(tmpdir(), 'kith-screenshots')

export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  await mkdir(SCREENSHOT_DIR, { recursive: true })
  // passing toasts are noise in a screenshot; hide them through the CSSOM (the CSP forbids a <style>)
  const toasts = "document.querySelector('.toasts')"
  await page.evaluate(`${toasts}?.style.setProperty('visibility', 'hidden')`)
  // show each screen from its top
  await page.evaluate("for (const el of document.querySelectorAll('.detail-pane, .page')) el.scrollTop = 0")
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), animations: 'disabled', caret: 'hide', fullPage: options.fullPage })
  await page.evaluate(`${toasts}?.style.removeProperty('visibility')`)
}

/** expect.poll with a timeout fit for a loaded 2-core machine (vitest's default is 1 s; an unlock alone can take that). */
export function poll<T>(fn: () => T | Promise<T>, options: { timeout?: number } = {}) {
  return expect.poll(fn, { timeout: options.timeout ?? 15_000, interval: 50 })
}
