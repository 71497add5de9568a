/**
 * `kith add` / `kith edit` take secret fields from standard input (--password-stdin, --totp-stdin,
 * --field-stdin NAME), through the real CLI against a real daemon: the values are stored, never
 * appear on any process's command line (/proc/PID/cmdline, readable by every local process), and
 * the argument forms (--password, --totp, --hidden-field) keep working with a warning on stderr.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { KITH_BIN, runKith, TestDaemon, TEST_ENV } from '../helpers/daemonProcess.js'

const TOTP_SECRET = 'JBSWY3DPEHPK3PXP'
const WARNING = /warning: .* visible to other processes/

/** util-linux `script` gives the CLI a terminal (a pty) whose input we type and whose output we read. */
const SCRIPT = '/usr/bin/script'
if (!existsSync(SCRIPT)) console.warn(`\nSKIPPING the terminal prompt test: ${SCRIPT} (util-linux) is missing\n`)

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`

/** Runs `kith ARGS` on a terminal, typing each answer once the output ends with its prompt. */
function onTerminal(home: string, args: string[], answers: [prompt: string, typed: string][]): Promise<{ code: number; output: string }> {
  const command = [process.execPath, KITH_BIN, ...args, '--home', home].map(quote).join(' ')
  return new Promise((resolve, reject) => {
    const child = spawn(SCRIPT, ['-q', '-e', '-c', command, '/dev/null'], { env: TEST_ENV, stdio: ['pipe', 'pipe', 'inherit'] })
    let output = ''
    const pending = [...answers]
    child.stdout.setEncoding('utf8').on('data', d => {
      output += String(d)
      const next = pending[0]
      if (next !== undefined && output.trimEnd().endsWith(next[0])) {
        pending.shift()
        child.stdin.write(next[1])
      }
    })
    child.on('error', reject)
    child.on('close', code => resolve({ code: code ?? -1, output }))
  })
}

/** Every process's command line seen while `run` runs (as any local user can read them). */
async function commandLinesDuring<T>(run: () => Promise<T>): Promise<{ result: T; lines: Set<string> }> {
  const lines = new Set<string>()
  let scanning = true
  const scanner = (async () => {
    while (scanning) {
      for (const pid of await readdir('/proc').catch(() => [] as string[])) {
        if (!/^\d+$/.test(pid)) continue
        const line = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
        if (line !== '') lines.add(line.replace(/\0/g, ' '))
      }
      await new Promise(resolve => setTimeout(resolve, 5))
    }
  })()
  try {
    return { result: await run(), lines }
  } finally {
    scanning = false
    await scanner
  }
}

describe('kith add / edit: secrets from standard input, never from argv', () => {
  let daemon: TestDaemon
  const kith = (args: string[], stdin?: string) => runKith(daemon.home, args, stdin)
  const item = async (id: string) => JSON.parse((await kith(['get', id, '--json'])).stdout)

  beforeAll(async () => {
    daemon = await TestDaemon.create()
    await daemon.start()
    await daemon.init()
  })
  afterAll(async () => {
    await daemon.destroy()
  })

  it.skipIf(process.platform !== 'linux')(
    'add stores the password, TOTP and hidden fields read from stdin, in order, and no argv holds them',
    async () => {
      const secrets = ['s3cret-password-from-stdin', TOTP_SECRET, 'pin-4711-from-stdin', 'recovery-code-from-stdin']
      const args = [
        'add',
        '--title',
        'stdin-marker-add',
        '--password-stdin',
        '--totp-stdin',
        '--field-stdin',
        'PIN',
        '--field-stdin',
        'Recovery',
        '--json'
      ]
      const { result: res, lines } = await commandLinesDuring(() => kith(args, `${secrets.join('\n')}\n`))
      expect(res.code, res.stderr).toBe(0)
      expect(res.stderr).not.toMatch(WARNING)
      // the scan saw the CLI's own command line, and no secret on any of this home's processes (other
      // test files run the CLI at the same time, some with their own secrets in argv on purpose)
      expect([...lines].some(l => l.includes('stdin-marker-add'))).toBe(true)
      for (const secret of secrets) expect([...lines].filter(l => l.includes(secret) && l.includes(daemon.home))).toEqual([])

      const stored = await item(JSON.parse(res.stdout).id as string)
      expect(stored.password).toBe(secrets[0])
      expect(stored.totp).toContain(TOTP_SECRET)
      expect(stored.fields).toEqual([
        { name: 'PIN', value: secrets[2], hidden: true },
        { name: 'Recovery', value: secrets[3], hidden: true }
      ])
      expect((await kith(['totp', stored.id])).stdout.trim()).toMatch(/^\d{6}$/)
    }
  )

  it('edit changes the password and one hidden field from stdin and keeps the other fields', async () => {
    const add = await kith(['add', '--title', 'to-edit', '--field', 'Note=visible', '--field-stdin', 'PIN', '--json'], '1111\n')
    const id = JSON.parse(add.stdout).id as string
    const res = await kith(['edit', id, '--password-stdin', '--field-stdin', 'PIN', '--json'], 'new-password\n2222\n')
    expect(res.code, res.stderr).toBe(0)
    expect(res.stderr).not.toMatch(WARNING)
    const stored = await item(id)
    expect(stored.password).toBe('new-password')
    expect(stored.fields).toEqual([
      { name: 'Note', value: 'visible', hidden: false },
      { name: 'PIN', value: '2222', hidden: true }
    ])
  })

  it.skipIf(!existsSync(SCRIPT))('on a terminal, prompts for each secret without echoing it', async () => {
    const res = await onTerminal(
      daemon.home,
      ['add', '--title', 'prompted', '--password-stdin', '--field-stdin', 'PIN', '--json'],
      [
        ['Password:', 'typed-password-xyz\r'],
        ['Field PIN:', '8642\r']
      ]
    )
    expect(res.code, res.output).toBe(0)
    expect(res.output).not.toContain('typed-password-xyz')
    expect(res.output).not.toContain('8642')
    const id = JSON.parse(res.output.slice(res.output.indexOf('{'))).id as string
    const stored = await item(id)
    expect(stored.password).toBe('typed-password-xyz')
    expect(stored.fields).toEqual([{ name: 'PIN', value: '8642', hidden: true }])
  })

  it('the argument forms still work, with a warning on stderr for each secret; --generate and visible fields need none', async () => {
    const add = await kith([
      'add',
      '--title',
      'argv',
      '--password',
      'pw-on-argv',
      '--totp',
      TOTP_SECRET,
      '--hidden-field',
      'PIN=9',
      '--json'
    ])
    expect(add.code, add.stderr).toBe(0)
    expect(add.stderr).toMatch(/--password on the command line is visible to other processes/)
    expect(add.stderr).toMatch(/--totp on the command line is visible to other processes/)
    expect(add.stderr).toMatch(/--hidden-field on the command line is visible to other processes/)
    const stored = await item(JSON.parse(add.stdout).id as string)
    expect(stored).toMatchObject({ password: 'pw-on-argv', fields: [{ name: 'PIN', value: '9', hidden: true }] })
    expect(stored.totp).toContain(TOTP_SECRET)

    const edit = await kith(['edit', stored.id, '--password', 'pw-2', '--json'])
    expect(edit.code, edit.stderr).toBe(0)
    expect(edit.stderr).toMatch(/--password on the command line is visible to other processes/)
    expect((await item(stored.id)).password).toBe('pw-2')

    const generated = await kith(['add', '--title', 'generated', '--generate', '--field', 'Note=x', '--json'])
    expect(generated.code, generated.stderr).toBe(0)
    expect(generated.stderr).toBe('')
  })

  it('refuses a missing stdin line or a conflicting pair of options, and stores nothing', async () => {
    const before = JSON.parse((await kith(['list', '--json'])).stdout).length
    const missing = await kith(['add', '--title', 'half', '--password-stdin', '--field-stdin', 'PIN', '--json'], 'only-one-line\n')
    expect(missing.code).toBe(2)
    expect(JSON.parse(missing.stdout).error.message).toContain('Field PIN')
    expect(missing.stderr + missing.stdout).not.toContain('only-one-line')
    const both = await kith(['add', '--title', 'both', '--password-stdin', '--generate', '--json'], 'x\n')
    expect(both.code).toBe(2)
    const twice = await kith(['add', '--title', 'twice', '--totp-stdin', '--totp', TOTP_SECRET, '--json'], 'x\n')
    expect(twice.code).toBe(2)
    expect(JSON.parse((await kith(['list', '--json'])).stdout).length).toBe(before)
  })
})
