/**
 * Re-authentication on a real daemon (issue 11 item 5): once the master password was last given
 * longer ago than the window, `kith export`, `pair invite`, `devices revoke` and `destroy` refuse
 * without it (exit 3, nothing written, nothing erased) and work with it on standard input; a
 * dashboard session opened from a `kith open` link has proven nothing, whatever the CLI did.
 * The first daemon runs with a 2-second window (KITH_REAUTH_SECONDS can only shorten it); the
 * dashboard case runs on a second one with the default 5 minutes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { access, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { TestDaemon } from '../helpers/daemonProcess.js'
import { browserHeaders, browserUnlock, portOf, raw, withSession } from '../api/dashboardHttp.js'

const PASSWORD = 'correct horse battery staple'
const WINDOW_S = 2
const wait = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))
const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false
  )

describe('re-authentication (real daemon, CLI and dashboard)', () => {
  let daemon: TestDaemon

  beforeAll(async () => {
    daemon = await TestDaemon.create()
    daemon.env = { ...daemon.env, KITH_REAUTH_SECONDS: String(WINDOW_S) }
    // this file tests the refusals themselves: the helper must not prove the password on its own
    daemon.autoReauth = false
    await daemon.start()
    await daemon.init(PASSWORD)
    expect((await daemon.kith(['add', '--title', 'Mail', '--username', 'me@example.com', '--password-stdin'], 'hunter2-mail\n')).code).toBe(
      0
    )
  })
  afterAll(async () => {
    await daemon.destroy()
  })

  const expire = () => wait(WINDOW_S * 1000 + 300)

  it('once the window passes an export refuses without the password and writes nothing; with it on stdin it works', async () => {
    await expire()
    const out = join(daemon.home, 'stale.json')
    const refused = await daemon.kith(['export', 'kith-json', '--out', out, '--json'])
    expect(refused.code).toBe(3)
    expect(refused.stderr).toContain('--password-stdin')
    expect(JSON.parse(refused.stdout).error.code).toBe('reauthentication_required')
    expect(await exists(out)).toBe(false)
    const wrong = await daemon.kith(['export', 'kith-json', '--out', out, '--password-stdin', '--json'], 'not it\n')
    expect(wrong.code).toBe(3)
    expect(JSON.parse(wrong.stdout).error.code).toBe('wrong_password')
    expect(await exists(out)).toBe(false)
    const ok = await daemon.kith(['export', 'kith-json', '--out', out, '--password-stdin'], `${PASSWORD}\n`)
    expect(ok.code, ok.stderr).toBe(0)
    expect(await readFile(out, 'utf8')).toContain('hunter2-mail')
  })

  it('kith-encrypted reads the file password first and the master password second', async () => {
    await expire()
    const out = join(daemon.home, 'sealed.kith')
    const oneLine = await daemon.kith(['export', 'kith-encrypted', '--out', out, '--password-stdin'], 'a long export password\n')
    expect(oneLine.code).toBe(3)
    expect(oneLine.stderr).toContain('line 2')
    expect(await exists(out)).toBe(false)
    const twoLines = await daemon.kith(
      ['export', 'kith-encrypted', '--out', out, '--password-stdin'],
      `a long export password\n${PASSWORD}\n`
    )
    expect(twoLines.code, twoLines.stderr).toBe(0)
    expect(await readFile(out, 'utf8')).not.toContain('hunter2-mail')
  })

  it('pair invite and devices revoke refuse once stale, and work with the password on stdin', async () => {
    await expire()
    const invite = await daemon.kith(['pair', 'invite', '--json'])
    expect(invite.code).toBe(3)
    expect(JSON.parse(invite.stdout).error.code).toBe('reauthentication_required')
    const proven = await daemon.kith(['pair', 'invite', '--json', '--password-stdin'], `${PASSWORD}\n`)
    expect(proven.code, proven.stderr).toBe(0)
    expect(JSON.parse(proven.stdout).invitation).toMatch(/^kith:/)
    await expire()
    const revoke = await daemon.kith(['devices', 'revoke', 'nobody', '--json'])
    expect(revoke.code).toBe(3)
    expect(JSON.parse(revoke.stdout).error.code).toBe('reauthentication_required')
    // past the guard, the daemon looks for the device
    const unknown = await daemon.kith(['devices', 'revoke', 'nobody', '--json', '--password-stdin'], `${PASSWORD}\n`)
    expect(JSON.parse(unknown.stdout).error.code).toBe('device_not_found')
  })

  it('a dashboard session from a login link must give the password itself; one from a browser unlock need not', async () => {
    // the default window here: the CLI's fresh proof (init) must not count for the page
    const other = await TestDaemon.create()
    other.autoReauth = false
    try {
      const otherPort = portOf(await other.start())
      await other.init(PASSWORD)
      expect((await other.kith(['export', 'csv', '--out', join(other.home, 'x.csv')])).code).toBe(0)
      const link = (await other.api('POST', '/api/session/link')).body.url as string
      const redeemed = await raw(otherPort, {
        method: 'POST',
        path: '/api/session/redeem',
        headers: browserHeaders(otherPort),
        body: JSON.stringify({ code: new URL(link).hash.slice(7) })
      })
      const fromLink = {
        cookie: String(([] as string[]).concat(redeemed.headers['set-cookie'] ?? [])[0]).split(';')[0] as string,
        token: redeemed.json.sessionToken as string
      }
      const exportBody = JSON.stringify({ format: 'kith-json' })
      const refused = await withSession(otherPort, fromLink, { method: 'POST', path: '/api/export', body: exportBody })
      expect(refused.status).toBe(403)
      expect(refused.json.error.code).toBe('reauthentication_required')
      const proof = await withSession(otherPort, fromLink, {
        method: 'POST',
        path: '/api/reauthenticate',
        body: JSON.stringify({ password: PASSWORD })
      })
      expect(proof.status).toBe(200)
      expect((await withSession(otherPort, fromLink, { method: 'POST', path: '/api/export', body: exportBody })).status).toBe(200)

      const unlocked = await browserUnlock(otherPort, PASSWORD)
      expect((await withSession(otherPort, unlocked, { method: 'POST', path: '/api/export', body: exportBody })).status).toBe(200)
    } finally {
      await other.destroy()
    }
  })

  it('destroy refuses once stale and erases nothing; with the password it erases', async () => {
    await expire()
    const refused = await daemon.kith(['destroy', '--yes', '--json'])
    expect(refused.code).toBe(3)
    const list = await daemon.kith(['list', '--json'])
    expect(list.code).toBe(0)
    expect(JSON.parse(list.stdout)).toHaveLength(1)
    const erased = await daemon.kith(['destroy', '--yes', '--json', '--password-stdin'], `${PASSWORD}\n`)
    expect(erased.code, erased.stderr).toBe(0)
    expect(JSON.parse(erased.stdout).destroyed).toBe(true)
  })
})
