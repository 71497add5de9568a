/**
 * `kith open` against a real daemon, with $BROWSER a script that records its arguments and stays
 * running: the one-time login code never appears on any process's command line (/proc/PID/cmdline,
 * readable by every local process); the browser gets a 0600 redirect file in the home instead, whose
 * link redeems once, and the file is gone after its lifetime.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chmod, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runKith, TestDaemon, TEST_ENV } from '../helpers/daemonProcess.js'
import { browserHeaders, portOf, raw } from '../api/dashboardHttp.js'

/** Every process's command line (NUL-separated arguments joined by spaces), as any local user sees it. */
async function commandLines(): Promise<string[]> {
  const lines: string[] = []
  for (const pid of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(pid)) continue
    const line = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
    if (line !== '') lines.push(line.replace(/\0/g, ' '))
  }
  return lines
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

describe.skipIf(process.platform !== 'linux')('kith open keeps the login code off every command line', () => {
  let daemon: TestDaemon
  let port: number

  beforeAll(async () => {
    daemon = await TestDaemon.create()
    port = portOf(await daemon.start())
    await daemon.init()
  })
  afterAll(async () => {
    await daemon.destroy()
  })

  const redeem = (code: string) =>
    raw(port, { method: 'POST', path: '/api/session/redeem', headers: browserHeaders(port), body: JSON.stringify({ code }) })

  it('hands $BROWSER a 0600 redirect file (never the code), which redirects once and is deleted afterwards', async () => {
    const script = join(daemon.home, 'fake-browser.sh')
    const seen = join(daemon.home, 'fake-browser.out')
    // records its arguments, then stays in the process table like a browser would
    await writeFile(script, `#!/bin/sh\nprintf '%s\\n' "$@" > '${seen}'\nsleep 3\n`)
    await chmod(script, 0o700)
    const env = { ...TEST_ENV, BROWSER: script, KITH_OPEN_FILE_MS: '2000' }

    const cmdlines = new Set<string>()
    let scanning = true
    const scanner = (async () => {
      while (scanning) {
        for (const line of await commandLines()) cmdlines.add(line)
        await sleep(20)
      }
    })()
    const res = await runKith(daemon.home, ['open', '--json'], undefined, env)
    expect(res.code).toBe(0)
    const out = JSON.parse(res.stdout)
    expect(out).toMatchObject({ login: true, opened: true })
    const url = new URL(out.url as string)
    const code = url.hash.slice('#login='.length)
    expect(code).toMatch(/^[A-Za-z0-9_-]{22}$/)

    let opened = ''
    for (let i = 0; i < 100 && opened === ''; i++) {
      opened = (await readFile(seen, 'utf8').catch(() => '')).trim()
      if (opened === '') await sleep(20)
    }
    // the browser is still running: the scan sees its command line
    await sleep(300)
    scanning = false
    await scanner
    expect([...cmdlines].some(line => line.includes(script))).toBe(true)
    expect([...cmdlines].filter(line => line.includes(code))).toEqual([])
    expect(opened).not.toContain(code)

    expect(opened).toMatch(/^file:\/\//)
    const file = fileURLToPath(opened)
    expect(file.startsWith(`${daemon.home}/open-`)).toBe(true)
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    const page = await readFile(file, 'utf8')
    const target = /location\.replace\((".*?")\)/.exec(page)?.[1]
    expect(target).toBeDefined()
    expect(JSON.parse(target as string)).toBe(url.href)
    expect(page).toContain(`content="0;url=${url.href}"`)

    expect((await redeem(code)).status).toBe(200)
    expect((await redeem(code)).status).toBe(401)

    let gone = false
    for (let i = 0; i < 60 && !gone; i++) {
      gone = await stat(file).then(
        () => false,
        () => true
      )
      if (!gone) await sleep(100)
    }
    expect(gone).toBe(true)
  })

  it('writes no file when no browser can be started, and sweeps files older than their lifetime', async () => {
    const stale = join(daemon.home, 'open-0123456789abcdef0123456789abcdef.html')
    await writeFile(stale, 'old', { mode: 0o600 })
    const past = new Date(Date.now() - 120_000)
    await utimes(stale, past, past)
    const env = { ...TEST_ENV, BROWSER: join(daemon.home, 'no-such-browser') }
    const res = await runKith(daemon.home, ['open', '--json'], undefined, env)
    expect(res.code).toBe(0)
    expect(JSON.parse(res.stdout)).toMatchObject({ login: true, opened: false })
    expect((await readdir(daemon.home)).filter(n => n.startsWith('open-'))).toEqual([])
  })
})
