/**
 * Prompts like other password tools (issue 15 item 3): on a terminal `kith init` asks for the new
 * master password twice without echo (nothing typed appears on the terminal), refuses two that
 * differ, and needs no flag; scripts keep `--password-stdin`. The terminal is a real pseudo-terminal
 * from util-linux `script`.
 */
import { spawn, spawnSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { KITH_BIN, TestDaemon, TEST_ENV } from '../helpers/daemonProcess.js'

const HAS_SCRIPT = spawnSync('script', ['--version']).status === 0
if (!HAS_SCRIPT) {
  process.stderr.write('\n*** SKIPPED: terminal prompt tests need util-linux `script` (a pseudo-terminal) ***\n\n')
  if (process.env.CI === 'true') throw new Error('util-linux `script` is missing under CI')
}

/** Runs `kith ARGS` on a pseudo-terminal, typing each of `typed` after a pause; the terminal's output. */
function onTerminal(home: string, args: string[], typed: string[]): Promise<{ code: number | null; screen: string }> {
  return new Promise((resolve, reject) => {
    const command = [process.execPath, KITH_BIN, ...args, '--home', home].map(a => `'${a.replace(/'/g, "'\\''")}'`).join(' ')
    const child = spawn('script', ['-qec', command, '/dev/null'], { env: TEST_ENV, stdio: ['pipe', 'pipe', 'pipe'] })
    let screen = ''
    child.stdout.on('data', d => {
      screen += String(d)
    })
    child.on('error', reject)
    child.on('exit', code => resolve({ code, screen }))
    let i = 0
    const typeNext = (): void => {
      if (i >= typed.length) return
      child.stdin.write(`${typed[i++]}\r`)
      setTimeout(typeNext, 700)
    }
    setTimeout(typeNext, 1500)
  })
}

describe.skipIf(!HAS_SCRIPT)('prompts on a terminal', () => {
  let d: TestDaemon
  beforeAll(async () => {
    d = await TestDaemon.create()
    await d.start()
  })
  afterAll(async () => {
    await d?.destroy()
  })

  it('kith init on a terminal asks twice, refuses two different passwords, and echoes nothing', async () => {
    const mismatch = await onTerminal(d.home, ['init'], ['first long password', 'second long password'])
    expect(mismatch.code).not.toBe(0)
    expect(mismatch.screen).toContain('not the same')
    expect((await d.api('GET', '/api/status')).body.initialized).toBe(false)

    const ok = await onTerminal(d.home, ['init'], ['a typed master password', 'a typed master password'])
    expect(ok.code, ok.screen).toBe(0)
    expect(ok.screen).toContain('New master password')
    expect(ok.screen).toContain('Repeat it')
    expect(ok.screen).not.toContain('a typed master password')
    expect((await d.api('GET', '/api/status')).body.initialized).toBe(true)
    // and it is the password that unlocks
    await d.api('POST', '/api/lock')
    expect((await d.api('POST', '/api/unlock', { password: 'a typed master password' })).status).toBe(200)
  })
})
