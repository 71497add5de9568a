/**
 * CONTRACT.md "Unlock methods" through the real `kith` CLI and a real daemon process: the factors
 * list, the last way in kept, a recovery key that unlocks after the password is forgotten and sets
 * a new one, `kith password change`, an authenticator whose code is read from the second stdin
 * line (missing or wrong: exit 3 with the JSON code), each code once even across a daemon restart,
 * and a byte search of the data directory for the TOTP secret and the recovery key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as OTPAuth from 'otpauth'
import { runKith } from '../helpers/daemonProcess.js'
import { parseRecoveryKey } from '../../daemon/keyring/recoveryKey.js'

const PASSWORD = 'correct horse battery staple'
const FORGOTTEN_REPLACEMENT = 'a new password after recovery'
const CHANGED = 'the password changed once more'
const START = ['start', '--no-mdns', '--http', '127.0.0.1:0', '--listen', '/ip4/127.0.0.1/tcp/0']

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...(await filesUnder(p)))
    else if (entry.isFile()) out.push(p)
  }
  return out
}

describe('kith unlock methods against a real daemon', { timeout: 120_000 }, () => {
  let home: string
  const kith = async (args: string[], stdin?: string) => await runKith(home, args, stdin)
  // biome-ignore lint/suspicious/noExplicitAny: the CLI's JSON, read field by field
  const json = (res: { stdout: string }): any => JSON.parse(res.stdout)
  let recoveryKey = ''
  let totpSecret = ''
  let totpId = ''
  let replayed = ''

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'kith-factors-'))
    expect((await kith(START)).code).toBe(0)
    const init = await kith(['init', '--password-stdin', '--json'], `${PASSWORD}\n`)
    expect(init.code, init.stderr).toBe(0)
  })
  afterAll(async () => {
    await kith(['stop'])
    await rm(home, { recursive: true, force: true })
  })

  it('kith factors --json lists the password; removing the last way in is refused', async () => {
    const list = await kith(['factors', '--json'])
    expect(list.code, list.stderr).toBe(0)
    const factors = json(list)
    expect(factors).toHaveLength(1)
    expect(Object.keys(factors[0])).toEqual(expect.arrayContaining(['id', 'kind', 'name', 'createdAt', 'lastUsedAt']))
    expect(factors[0]).toMatchObject({ id: 'password', kind: 'password' })
    const removed = await kith(['factors', 'remove', 'password', '--json'])
    expect(removed.code).not.toBe(0)
    expect(json(removed).error.code).toBe('unlock_method_refused')
    expect(json(await kith(['factors', '--json']))).toHaveLength(1)
  })

  it('a recovery key unlocks after the password is forgotten and sets a new one; the old one then fails', async () => {
    const added = await kith(['factors', 'add', 'recovery-key', '--json'])
    expect(added.code, added.stderr).toBe(0)
    recoveryKey = json(added).recoveryKey
    expect(json(added).id).toMatch(/^rk-/)
    expect((await kith(['lock'])).code).toBe(0)
    const recovered = await kith(['unlock', '--recovery-key-stdin', '--json'], `${recoveryKey}\n${FORGOTTEN_REPLACEMENT}\n`)
    expect(recovered.code, recovered.stderr).toBe(0)
    expect(json(await kith(['status', '--json']))).toMatchObject({ locked: false, needsNewPassword: false })
    expect((await kith(['lock'])).code).toBe(0)
    const old = await kith(['unlock', '--password-stdin', '--json'], `${PASSWORD}\n`)
    expect(old.code).toBe(3)
    expect(json(old).error.code).toBe('wrong_password')
    const fresh = await kith(['unlock', '--password-stdin', '--json'], `${FORGOTTEN_REPLACEMENT}\n`)
    expect(fresh.code, fresh.stderr).toBe(0)
  })

  it('kith password change: first line the current password, second the new; the recovery key keeps working', async () => {
    const wrong = await kith(['password', 'change', '--password-stdin', '--json'], `not it at all\n${CHANGED}\n`)
    expect(wrong.code).toBe(3)
    const changed = await kith(['password', 'change', '--password-stdin', '--json'], `${FORGOTTEN_REPLACEMENT}\n${CHANGED}\n`)
    expect(changed.code, changed.stderr).toBe(0)
    expect((await kith(['lock'])).code).toBe(0)
    expect((await kith(['unlock', '--password-stdin'], `${CHANGED}\n`)).code).toBe(0)
    // the recovery key still opens the device (proven on an unlocked daemon); with the key alone, the status asks for a
    // new password, which `kith password change` then takes alone
    const keyOnly = await kith(['unlock', '--recovery-key-stdin', '--json'], `${recoveryKey}\n`)
    expect(keyOnly.code, keyOnly.stderr).toBe(0)
    expect(json(keyOnly)).toMatchObject({ needsNewPassword: true })
    expect(json(await kith(['status', '--json'])).needsNewPassword).toBe(true)
    expect((await kith(['password', 'change', '--password-stdin'], `${CHANGED}\n`)).code).toBe(0)
    expect(json(await kith(['status', '--json'])).needsNewPassword).toBe(false)
  })

  it('an authenticator: the code comes on the second line; missing or wrong is exit 3 with its JSON code', async () => {
    const added = await kith(['factors', 'add', 'totp', '--json'])
    expect(added.code, added.stderr).toBe(0)
    const { id, secret, uri } = json(added)
    expect(uri).toMatch(/^otpauth:\/\/totp\//)
    totpId = id
    totpSecret = secret
    const otp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) })
    const confirm = await kith(['factors', 'confirm', id, '--code', otp.generate({ timestamp: Date.now() - 30_000 })])
    expect(confirm.code, confirm.stderr).toBe(0)
    expect(json(await kith(['factors', '--json'])).map((f: { kind: string }) => f.kind)).toEqual(['password', 'recovery-key', 'totp'])
    expect(json(await kith(['status', '--json'])).totp).toBe(true)
    expect((await kith(['lock'])).code).toBe(0)

    const missing = await kith(['unlock', '--password-stdin', '--json'], `${CHANGED}\n`)
    expect(missing.code).toBe(3)
    expect(json(missing).error.code).toBe('second_factor_required')
    const current = otp.generate({ timestamp: Date.now() })
    const wrongCode = current === '000000' ? '111111' : '000000'
    const wrong = await kith(['unlock', '--password-stdin', '--json'], `${CHANGED}\n${wrongCode}\n`)
    expect(wrong.code).toBe(3)
    expect(json(wrong).error.code).toBe('wrong_second_factor')
    replayed = otp.generate({ timestamp: Date.now() })
    const ok = await kith(['unlock', '--password-stdin', '--json'], `${CHANGED}\n${replayed}\n`)
    expect(ok.code, ok.stderr).toBe(0)
    expect(json(await kith(['status', '--json'])).locked).toBe(false)
  })

  it('a used code is refused after a real daemon restart', async () => {
    expect((await kith(['stop'])).code).toBe(0)
    expect((await kith(START)).code).toBe(0)
    const replay = await kith(['unlock', '--password-stdin', '--json'], `${CHANGED}\n${replayed}\n`)
    expect(replay.code).toBe(3)
    expect(json(replay).error.code).toBe('wrong_second_factor')
    expect(json(await kith(['status', '--json'])).locked).toBe(true)
  })

  it('the data directory holds neither the TOTP secret nor the recovery key in clear', async () => {
    expect((await kith(['stop'])).code).toBe(0)
    const needles = [
      Buffer.from(totpSecret),
      Buffer.from(new Uint8Array(OTPAuth.Secret.fromBase32(totpSecret).buffer)),
      Buffer.from(recoveryKey),
      Buffer.from(recoveryKey.replaceAll('-', '')),
      Buffer.from(parseRecoveryKey(recoveryKey))
    ]
    const files = await filesUnder(home)
    expect(files.length).toBeGreaterThan(3)
    for (const file of files) {
      const bytes = await readFile(file)
      for (const needle of needles) expect(bytes.includes(needle), `${file}`).toBe(false)
    }
    expect((await kith(START)).code).toBe(0)
  })

  it('renaming and removing are recorded in kith factors log (no secret in it)', async () => {
    // a fresh daemon: the password again (through the re-authentication line) before each change
    const renamed = await kith(['factors', 'rename', totpId, 'Old phone', '--password-stdin', '--json'], `${CHANGED}\n`)
    expect(renamed.code, renamed.stderr).toBe(0)
    // removing needs the vault unlocked: the gate cannot be lifted from a locked device
    const locked = await kith(['factors', 'remove', totpId, '--json'])
    expect(locked.code).not.toBe(0)
    expect(json(locked).error.code).toBe('locked')
    const log = await kith(['factors', 'log', '--json'])
    expect(log.code).toBe(0)
    const actions = json(log).map((e: { action: string; kind: string }) => `${e.action} ${e.kind}`)
    expect(actions).toEqual([
      'added recovery-key',
      'password-set-after-recovery password',
      'password-changed password',
      'password-set-after-recovery password',
      'added totp',
      'renamed totp'
    ])
    expect(log.stdout).not.toContain(recoveryKey)
    expect(log.stdout).not.toContain(totpSecret)
  })
})
