/**
 * `kith health`, weak secrets and passphrases from the CLI, against a real daemon: a weak master
 * password from a script is used with a warning (CONTRACT.md's non-interactive init keeps working),
 * at a terminal it needs a "y" (or --allow-weak); an export file password needs 12 characters.
 * The terminal is a real pseudo-terminal from util-linux `script`.
 */
import { spawn, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { KITH_BIN, TestDaemon, TEST_ENV } from '../helpers/daemonProcess.js'

const HAS_SCRIPT = spawnSync('script', ['--version']).status === 0

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

describe('kith health and weak secrets', () => {
  let d: TestDaemon
  beforeAll(async () => {
    d = await TestDaemon.create()
    await d.start()
  }, 60_000)
  afterAll(async () => {
    await d?.destroy()
  })

  it('kith init --password-stdin with a weak password works, with a warning on stderr', async () => {
    const init = await d.kith(['init', '--password-stdin'], 'password123\n')
    expect(init.code, init.stderr).toBe(0)
    expect(init.stderr).toMatch(/warning: the new master password is very weak/)
    expect(init.stderr).not.toContain('password123')
    expect((await d.api('GET', '/api/status')).body).toMatchObject({ initialized: true, locked: false })
  })

  it('kith health --json lists each item with its issues; the human form says how many need attention', async () => {
    const add = async (args: string[]): Promise<string> => JSON.parse((await d.kith(['add', ...args, '--json'])).stdout).id
    const a = await add(['--title', 'Mail', '--username', 'ann', '--password', 'hunter22', '--url', 'https://mail.example'])
    const b = await add(['--title', 'Shop', '--username', 'ann', '--password', 'hunter22', '--url', 'https://shop.example'])
    await add(['--title', 'Bank', '--generate', '--url', 'https://bank.example', '--totp', 'JBSWY3DPEHPK3PXP'])
    const c = await add(['--title', 'Bank (old login)', '--generate', '--username', 'x', '--url', 'https://www.bank.example'])
    const res = await d.kith(['health', '--json'])
    expect(res.code, res.stderr).toBe(0)
    const report = JSON.parse(res.stdout)
    const issues = Object.fromEntries(report.items.map((i: { id: string; issues: string[] }) => [i.id, i.issues]))
    expect(issues).toEqual({ [a]: ['weak', 'reused'], [b]: ['weak', 'reused'], [c]: ['totp-missing'] })
    expect(report.items[0]).toHaveProperty('title')
    const human = await d.kith(['health'])
    expect(human.stdout).toContain('3 items of 4 need attention: 2 weak, 2 reused, 1 totp-missing')
  })

  it('an export file password under 12 characters is refused before anything is written', async () => {
    const out = join(d.home, 'short.kith')
    const res = await d.kith(['export', 'kith-encrypted', '--out', out, '--password-stdin', '--json'], 'short pw\npassword123\n')
    expect(res.code).toBe(2)
    expect(JSON.parse(res.stdout).error.code).toBe('export_password_too_short')
    expect(res.stderr).toMatch(/at least 12 characters/)
  })

  it('--allow-weak says it was meant: a note instead of the warning', async () => {
    const res = await d.kith(['password', 'change', '--password-stdin', '--allow-weak'], 'password123\npassword1234\n')
    expect(res.code, res.stderr).toBe(0)
    expect(res.stderr).toMatch(/note: the new master password is .*weak.*--allow-weak/)
  })

  it('kith generate --passphrase makes EFF words with the separator asked for', async () => {
    const res = await d.kith(['generate', '--passphrase', '--words', '5', '--separator', '.', '--capitalize', '--json'])
    expect(res.code, res.stderr).toBe(0)
    const words = JSON.parse(res.stdout).password.split('.')
    expect(words).toHaveLength(5)
    for (const w of words) expect(w).toMatch(/^[A-Z][a-z-]+$/)
  })

  it.skipIf(!HAS_SCRIPT)(
    'at a terminal a weak new password needs a yes: "n" keeps the old one, "y" uses it',
    async () => {
      const refused = await onTerminal(d.home, ['password', 'change'], ['password1234', 'qwerty123', 'qwerty123', 'n'])
      expect(refused.code, refused.screen).toBe(2)
      expect(refused.screen).toMatch(/Use it anyway\? \[y\/N\]/)
      expect(refused.screen).toMatch(/too weak/)
      expect((await d.api('POST', '/api/reauthenticate', { password: 'password1234' })).status).toBe(200)

      const accepted = await onTerminal(d.home, ['password', 'change'], ['password1234', 'qwerty123', 'qwerty123', 'y'])
      expect(accepted.code, accepted.screen).toBe(0)
      expect(accepted.screen).not.toContain('qwerty123')
      expect((await d.api('POST', '/api/reauthenticate', { password: 'qwerty123' })).status).toBe(200)
    },
    60_000
  )
})
