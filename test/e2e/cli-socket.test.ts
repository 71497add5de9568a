/**
 * The CLI's way in (issue 11): HTTP over a Unix socket in the 0700 home, 0600 itself, named in
 * daemon.json; the CLI uses it, and another OS user (nobody, via runuser: root needed, required
 * under CI) can neither connect to it nor read daemon.json.
 */
import { describe, it, expect, afterAll, beforeAll } from 'vitest'
import { spawn, spawnSync } from 'node:child_process'
import { lstat, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { TestDaemon } from '../helpers/daemonProcess.js'
import { daemons, PASSWORD } from '../sync/helpers/daemons.js'

const canRunAsOther = process.getuid?.() === 0 && spawnSync('runuser', ['--version']).status === 0

describe('the CLI socket', () => {
  let d: TestDaemon
  beforeAll(async () => {
    ;[d] = (await daemons(1)) as [TestDaemon]
    await d.init(PASSWORD)
  }, 60_000)
  afterAll(async () => {
    await d?.destroy()
  })

  it('is in daemon.json, a 0600 socket in the home, and the CLI works through it', async () => {
    const info = JSON.parse(await readFile(join(d.home, 'daemon.json'), 'utf8')) as { socket?: string }
    expect(info.socket).toBe(join(d.home, 'daemon.sock'))
    const st = await lstat(info.socket as string)
    expect(st.isSocket()).toBe(true)
    expect(st.mode & 0o777).toBe(0o600)
    const status = await d.kith(['status', '--json'])
    expect(status.code).toBe(0)
    expect(JSON.parse(status.stdout)).toMatchObject({ running: true, initialized: true })
  })

  it.runIf(canRunAsOther)('another OS user can neither connect to it nor read daemon.json', async () => {
    const sock = join(d.home, 'daemon.sock')
    const script = `require('http').get({ socketPath: ${JSON.stringify(sock)}, path: '/api/status', headers: { host: 'localhost' } }, r => { let b = ''; r.on('data', c => b += c); r.on('end', () => console.log('GOT ' + b)) }).on('error', e => console.log('FAILED ' + e.code))`
    const child = spawn('runuser', ['-u', 'nobody', '--', process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString()
    })
    await new Promise(resolve => child.on('close', resolve))
    expect(out).toMatch(/FAILED (EACCES|ENOENT)/)
    const cat = spawnSync('runuser', ['-u', 'nobody', '--', 'cat', join(d.home, 'daemon.json')], { encoding: 'utf8' })
    expect(cat.status).not.toBe(0)
    expect(cat.stdout).not.toContain('token')
  })

  it('says loudly when the other-user test cannot run here (and fails under CI)', () => {
    if (!canRunAsOther) {
      process.stderr.write('\n*** cli-socket: the other-user test needs root and runuser; skipped here ***\n')
      expect(process.env.CI).not.toBe('true')
    }
  })
})
