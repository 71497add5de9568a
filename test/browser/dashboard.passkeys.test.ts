/**
 * Passkey unlock in Debian's Chromium with its CDP virtual authenticator (PRF on, user verification
 * on), against a real daemon: register in Settings, lock, unlock with the passkey alone; `kith
 * unlock --browser`; a second passkey on another authenticator; removal (the removed credential no
 * longer unlocks, even when a tampered page offers it); a credential the device never registered
 * is refused; password and passkey together, where each alone fails; and no PRF output the browser
 * posted is found in clear anywhere in the daemon's home.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core'
import { spawn } from 'node:child_process'
import { KITH_BIN, runKith, TestDaemon, TEST_ENV } from '../helpers/daemonProcess.js'
import { browserDescribe, ensureDashboardBuilt, launchChromium, PageProblems, poll, SCREENSHOT_DIR, screenshot } from './chromium.js'

const PASSWORD = 'correct horse battery staple'

/** A virtual platform authenticator with PRF and user verification, as the environment notes describe. */
async function addAuthenticator(cdp: CDPSession): Promise<string> {
  const options = {
    protocol: 'ctap2',
    ctap2Version: 'ctap2_1',
    transport: 'internal',
    hasResidentKey: true,
    hasUserVerification: true,
    isUserVerified: true,
    hasPrf: true,
    automaticPresenceSimulation: true
  }
  // hasPrf is newer than playwright-core's protocol types
  const answer = (await cdp.send('WebAuthn.addVirtualAuthenticator', { options } as never)) as { authenticatorId: string }
  return answer.authenticatorId
}

async function removeAuthenticator(cdp: CDPSession, authenticatorId: string): Promise<void> {
  await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId })
}

/** Every file under `dir`. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...(await filesUnder(path)))
    else if (entry.isFile()) out.push(path)
  }
  return out
}

browserDescribe()('dashboard: passkey unlock (WebAuthn PRF, virtual authenticator)', () => {
  let daemon: TestDaemon
  let browser: Browser
  let context: BrowserContext
  let page: Page
  let cdp: CDPSession
  let url: string
  const problems = new PageProblems()
  /** every PRF output the page posted (base64url) */
  const prfOutputs = new Set<string>()

  /** Locks, then loads the unlock page; `offering` is a credential a tampered page offers too (see offerAlso). */
  const lockAndWait = async (offering?: string): Promise<void> => {
    await daemon.api('POST', '/api/lock')
    await poll(async () => (await daemon.api('GET', '/api/status')).body.locked).toBe(true)
    if (offering !== undefined) await offerAlso(offering)
    await page.goto(`${url}/`)
    await poll(() => page.getByTestId('password').isVisible()).toBe(true)
  }
  const locked = async (): Promise<boolean> => (await daemon.api('GET', '/api/status')).body.locked as boolean
  const openSettings = async (): Promise<void> => {
    await page.getByTestId('nav-settings').click()
    await poll(() => page.getByTestId('passkeys').isVisible()).toBe(true)
  }
  const addPasskey = async (name: string, password?: string): Promise<void> => {
    await page.getByTestId('passkey-new-name').fill(name)
    if (password !== undefined) {
      if (!(await page.getByTestId('passkey-require-password').isChecked())) await page.getByTestId('passkey-require-password').check()
      await page.getByTestId('passkey-password').fill(password)
    }
    await page.getByTestId('add-passkey').click()
    await poll(() => page.getByTestId('passkey-row').filter({ hasText: name }).count()).toBe(1)
  }
  /** Until unrouted, the unlock-options answers offer `credentialId` instead (a tampered page, or another site's credential). */
  const offerAlso = async (credentialId: string): Promise<void> => {
    await page.route('**/api/passkeys/unlock/options', async route => {
      try {
        const res = await route.fetch({ headers: { ...route.request().headers(), origin: url, 'sec-fetch-site': 'same-origin' } })
        const body = (await res.json()) as {
          options: { allowCredentials: Array<{ id: string; type: string }> } | null
          prfSalts: Record<string, string>
        }
        if (res.status() !== 200 || body.options === null) throw new Error(`unlock options answered ${res.status()}`)
        body.options.allowCredentials = [{ id: credentialId, type: 'public-key' }]
        body.prfSalts = { [credentialId]: Object.values(body.prfSalts)[0] ?? '' }
        await route.fulfill({ response: res, json: body })
      } catch {
        // the page moved on (a navigation cancels the request): nothing to offer
        await route.abort().catch(() => {})
      }
    })
  }
  const offerNoMore = async (): Promise<void> => {
    await page.unroute('**/api/passkeys/unlock/options')
  }

  beforeAll(async () => {
    ensureDashboardBuilt()
    daemon = await TestDaemon.create()
    url = (await daemon.start()).url
    await daemon.init(PASSWORD)
    await daemon.api('POST', '/api/items', { title: 'Behind a passkey' })
    browser = await launchChromium()
    context = await browser.newContext()
    await PageProblems.watchCsp(context)
    page = problems.watch(await context.newPage())
    page.on('request', request => {
      if (!request.url().includes('/api/passkeys/') || request.method() !== 'POST') return
      const prf = (request.postDataJSON() as { prfOutput?: unknown } | null)?.prfOutput
      if (typeof prf === 'string') prfOutputs.add(prf)
    })
    cdp = await context.newCDPSession(page)
    await cdp.send('WebAuthn.enable', { enableUI: false })
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    await daemon?.destroy()
  })

  let laptop = ''

  it('registers a passkey in Settings, then unlocks with it alone', async () => {
    laptop = await addAuthenticator(cdp)
    await page.goto(`${url}/`)
    await page.getByTestId('password').fill(PASSWORD)
    await page.getByTestId('submit').click()
    await poll(() => page.getByTestId('item-row').count()).toBe(1)
    await openSettings()
    await addPasskey('Laptop')
    // the Passkeys card itself (it sits below the fold of the Settings page)
    await mkdir(SCREENSHOT_DIR, { recursive: true })
    await page
      .getByTestId('passkeys')
      .screenshot({ path: join(SCREENSHOT_DIR, 'passkeys-settings.png'), animations: 'disabled', caret: 'hide' })
    const listed = (await daemon.api('GET', '/api/passkeys')).body as { passkeys: Array<{ id: string; name: string; kind: string }> }
    expect(listed.passkeys).toEqual([expect.objectContaining({ name: 'Laptop', kind: 'passkey' })])
    // listed once, in the Passkeys card; the Unlock methods card above only counts it
    expect(await page.getByTestId('passkey-row').count()).toBe(1)
    await poll(() => page.getByTestId('passkey-count').textContent()).toContain('1 passkey')
    expect(await page.locator('[data-testid=factor-row][data-kind=passkey]').count()).toBe(0)
    const held = (await cdp.send('WebAuthn.getCredentials', { authenticatorId: laptop })) as { credentials: unknown[] }
    expect(held.credentials).toHaveLength(1)

    await lockAndWait()
    await poll(() => page.getByTestId('unlock-passkey').isVisible()).toBe(true)
    await screenshot(page, 'unlock-passkey')
    await page.getByTestId('unlock-passkey').click()
    await poll(() => page.getByTestId('item-row').filter({ hasText: 'Behind a passkey' }).count()).toBe(1)
    expect(await locked()).toBe(false)
    const after = (await daemon.api('GET', '/api/passkeys')).body as { passkeys: Array<{ lastUsedAt: string | null }> }
    expect(after.passkeys[0]?.lastUsedAt).not.toBeNull()
  })

  it('kith unlock --browser opens the unlock page (its plain address only) and returns once the page unlocked', async () => {
    await daemon.api('POST', '/api/lock')
    const script = join(daemon.home, 'record-browser.sh')
    const seen = join(daemon.home, 'record-browser.out')
    await writeFile(script, `#!/bin/sh\nprintf '%s' "$*" > '${seen}'\n`)
    await chmod(script, 0o700)
    // nobody unlocks: it gives up after its timeout, exit code 4
    const late = await runKith(daemon.home, ['unlock', '--browser', '--timeout', '1', '--no-open', '--json'])
    expect(late.code).toBe(4)
    expect(late.stdout + late.stderr).toContain('not unlocked in the browser within 1 s')
    const cli = runKith(daemon.home, ['unlock', '--browser', '--timeout', '60', '--json'], undefined, { ...TEST_ENV, BROWSER: script })
    await poll(() => readFile(seen, 'utf8').catch(() => '')).toBe(`${url}/`)
    await page.goto(await readFile(seen, 'utf8'))
    await page.getByTestId('unlock-passkey').click()
    const res = await cli
    expect(res.code).toBe(0)
    expect(JSON.parse(res.stdout)).toMatchObject({ ok: true, locked: false, opened: true })
  })

  it('adds a second passkey on another authenticator; each unlocks', async () => {
    await poll(() => page.getByTestId('item-row').count()).toBe(1)
    await removeAuthenticator(cdp, laptop)
    const phone = await addAuthenticator(cdp)
    // adding needs a recent proof: this page's passkey unlock counts as one
    await openSettings()
    await addPasskey('Phone')
    expect(await page.getByTestId('passkey-row').count()).toBe(2)
    await lockAndWait()
    await page.getByTestId('unlock-passkey').click()
    await poll(() => page.getByTestId('item-row').count()).toBe(1)
    expect(await locked()).toBe(false)
    // from here on a fresh authenticator: it holds neither the laptop's nor the phone's credential
    await removeAuthenticator(cdp, phone)
    laptop = await addAuthenticator(cdp)
  })

  it('a credential this device never registered is refused, even when the page offers it', async () => {
    // a passkey for RP ID localhost that Kith never saw (another localhost site's)
    const stranger = (await page.evaluate(`(async () => {
      const created = await navigator.credentials.create({
        publicKey: {
          rp: { id: 'localhost', name: 'another site' },
          user: { id: new Uint8Array(16), name: 'someone', displayName: 'someone' },
          challenge: new Uint8Array(32),
          pubKeyCredParams: [{ type: 'public-key', alg: -7 }, { type: 'public-key', alg: -257 }],
          authenticatorSelection: { userVerification: 'required' },
          extensions: { prf: {} }
        }
      })
      return created.id
    })()`)) as string
    await lockAndWait(stranger)
    await page.getByTestId('unlock-passkey').click()
    await poll(async () => (await page.getByRole('alert').textContent()) ?? '').toContain('not one of this device')
    await offerNoMore()
    expect(await locked()).toBe(true)
  })

  it('a removed passkey no longer unlocks', async () => {
    // sign in with the password, remove "Phone", lock; then the phone's credential is refused
    await removeAuthenticator(cdp, laptop)
    const phone = await addAuthenticator(cdp)
    await lockAndWait()
    await page.getByTestId('password').fill(PASSWORD)
    await page.getByTestId('submit').click()
    await poll(() => page.getByTestId('item-row').count()).toBe(1)
    await openSettings()
    const creds = (await cdp.send('WebAuthn.getCredentials', { authenticatorId: phone })) as { credentials: unknown[] }
    // a fresh virtual authenticator holds nothing: register "Spare" there, then remove it
    expect(creds.credentials).toEqual([])
    await addPasskey('Spare')
    const spare = (await cdp.send('WebAuthn.getCredentials', { authenticatorId: phone })) as {
      credentials: Array<{ credentialId: string }>
    }
    const spareId = Buffer.from(spare.credentials[0]?.credentialId ?? '', 'base64').toString('base64url')
    const row = page.getByTestId('passkey-row').filter({ hasText: 'Spare' })
    await row.getByTestId('passkey-remove').click()
    await row.getByTestId('passkey-remove').click()
    await poll(() => page.getByTestId('passkey-row').filter({ hasText: 'Spare' }).count()).toBe(0)
    const listed = (await daemon.api('GET', '/api/passkeys')).body as { passkeys: Array<{ name: string }> }
    expect(listed.passkeys.map(p => p.name).sort()).toEqual(['Laptop', 'Phone'])
    await lockAndWait(spareId)
    await page.getByTestId('unlock-passkey').click()
    await poll(async () => (await page.getByRole('alert').textContent()) ?? '').toContain('not one of this device')
    await offerNoMore()
    expect(await locked()).toBe(true)
    await removeAuthenticator(cdp, phone)
    laptop = await addAuthenticator(cdp)
  })

  it('password and passkey together: the password alone and the passkey alone both fail', async () => {
    await page.getByTestId('password').fill(PASSWORD)
    await page.getByTestId('submit').click()
    await poll(() => page.getByTestId('item-row').count()).toBe(1)
    await openSettings()
    await addPasskey('Security key', PASSWORD)
    // the one-factor ways in are gone: only the two-factor passkey is listed
    await poll(() => page.getByTestId('passkey-row').count()).toBe(1)
    const methods = (await daemon.api('GET', '/api/passkeys')).body as { passwordRequired: boolean; passkeys: Array<{ kind: string }> }
    expect(methods).toMatchObject({ passwordRequired: true, passkeys: [{ kind: 'password+passkey' }] })

    await lockAndWait()
    // the password alone
    const alone = await daemon.api('POST', '/api/unlock', { password: PASSWORD })
    expect(alone.status).toBe(401)
    expect(alone.body).toMatchObject({ error: { code: 'passkey_required' } })
    // the page asks for both: no password-only button
    await poll(() => page.getByTestId('unlock-passkey').textContent()).toContain('password and passkey')
    expect(await page.getByTestId('submit').count()).toBe(0)
    // the passkey alone (the page's request stripped of its password)
    await page.route(
      '**/api/passkeys/unlock',
      async route => {
        const body = route.request().postDataJSON() as Record<string, unknown>
        delete body.password
        await route.continue({ postData: JSON.stringify(body) })
      },
      { times: 1 }
    )
    await page.getByTestId('password').fill(PASSWORD)
    await page.getByTestId('unlock-passkey').click()
    await poll(async () => (await page.getByRole('alert').textContent()) ?? '').toContain('master password together')
    expect(await locked()).toBe(true)
    // a wrong password with the right passkey
    await page.getByTestId('password').fill('not the password at all')
    await page.getByTestId('unlock-passkey').click()
    await poll(async () => (await page.getByRole('alert').textContent()) ?? '').toContain('not the master password')
    expect(await locked()).toBe(true)
    // both
    await page.getByTestId('password').fill(PASSWORD)
    await page.getByTestId('unlock-passkey').click()
    await poll(() => page.getByTestId('item-row').count()).toBe(1)
    expect(await locked()).toBe(false)
  })

  it('with both required, re-authentication in the page takes the password and the passkey', async () => {
    // a page signed in by a `kith open` link has proven nothing; the password alone cannot prove it here
    const link = (await daemon.api('POST', '/api/session/link')).body.url as string
    // a fresh page load (a fragment change alone would keep this page's proven session)
    await page.goto('about:blank')
    await page.goto(link)
    await poll(() => page.getByTestId('item-row').count()).toBe(1)
    await openSettings()
    const row = page.getByTestId('passkey-row').filter({ hasText: 'Security key' })
    await row.getByTestId('passkey-remove').click()
    await row.getByTestId('passkey-remove').click()
    await poll(() => page.getByTestId('reauth-dialog').isVisible()).toBe(true)
    await page.getByTestId('reauth-password').fill(PASSWORD)
    await page.getByTestId('reauth-submit').click()
    // proven (password and passkey): the removal itself then runs, and is refused as the last way in
    await poll(() => page.getByTestId('reauth-dialog').isVisible()).toBe(false)
    await poll(async () => (await page.locator('.toasts').textContent()) ?? '').toContain('only way to unlock')
    expect(await page.getByTestId('passkey-row').count()).toBe(1)
  })

  it('with both required, a kith command that needs a fresh proof waits for the confirmation in the browser, then goes on', async () => {
    // a restart forgets every proof: the CLI has none, and the page unlocks again with both
    await daemon.stop()
    url = (await daemon.start()).url
    await page.goto(`${url}/`)
    await page.getByTestId('password').fill(PASSWORD)
    await page.getByTestId('unlock-passkey').click()
    await poll(() => page.getByTestId('item-row').count()).toBe(1)
    expect((await daemon.api('GET', '/api/reauthenticate')).body).toMatchObject({ required: true })

    const out = join(daemon.home, 'confirmed-export.json')
    const child = spawn(process.execPath, [KITH_BIN, 'export', 'kith-json', '--out', out, '--home', daemon.home], {
      env: { ...TEST_ENV, BROWSER: '' },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', d => {
      stderr += String(d)
    })
    const exited = new Promise<number>(resolve => child.on('close', code => resolve(code ?? -1)))
    // it names the page to open (nothing secret in that address) and waits
    await poll(() => stderr).toContain(`${url}/#/confirm-cli`)
    expect(child.exitCode).toBe(null)

    await page.goto('about:blank')
    await page.goto(`${url}/#/confirm-cli`)
    // the password alone does not confirm: a wrong one is refused, the command still waits
    await page.getByTestId('confirm-cli-password').fill('not the password at all')
    await page.getByTestId('confirm-cli-submit').click()
    await poll(async () => (await page.getByRole('alert').textContent()) ?? '').toContain('not the master password')
    expect(child.exitCode).toBe(null)
    await page.getByTestId('confirm-cli-password').fill(PASSWORD)
    await page.getByTestId('confirm-cli-submit').click()
    await poll(() => page.getByTestId('confirm-cli-done').isVisible()).toBe(true)
    expect(await exited).toBe(0)
    const exported = JSON.parse(await readFile(out, 'utf8')) as { items: Array<{ title: string }> }
    expect(exported.items.map(i => i.title)).toEqual(['Behind a passkey'])
  })

  it('no PRF output the page posted is anywhere in clear in the daemon’s home', async () => {
    expect(prfOutputs.size).toBeGreaterThanOrEqual(4)
    // the page logged nothing but the refusals and wrong attempts this test made
    // (and the daemon restart: the event stream cut, and the page's reconnects until it was back)
    expect(
      problems.messages.filter(m => !/status of (400|401|409)\b|ERR_INCOMPLETE_CHUNKED_ENCODING|ERR_CONNECTION_REFUSED/.test(m))
    ).toEqual([])
    await context.close()
    await daemon.stop()
    const files = await filesUnder(daemon.home)
    expect(files.length).toBeGreaterThan(5)
    const needles = [...prfOutputs].flatMap(b64 => {
      const raw = Buffer.from(b64, 'base64url')
      return [raw, Buffer.from(b64), Buffer.from(raw.toString('hex')), Buffer.from(raw.toString('base64'))]
    })
    const found: string[] = []
    for (const file of files) {
      const bytes = await readFile(file)
      for (const needle of needles) if (bytes.includes(needle)) found.push(file)
    }
    expect(found).toEqual([])
  })
})
