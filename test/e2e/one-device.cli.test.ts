/** One device through the real `kith` CLI and a real daemon process: the CONTRACT's Vault section. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { mkdtemp, rm, stat, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runKith } from '../helpers/daemonProcess.js'

const PASSWORD = 'correct horse battery staple'

describe('kith CLI against a real daemon', () => {
  let home: string
  const kith = async (args: string[], stdin?: string) => await runKith(home, args, stdin)
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'kith-cli-'))
  })
  afterAll(async () => {
    await kith(['stop'])
    await rm(home, { recursive: true, force: true })
  })

  it('status says not running before anything starts', async () => {
    const res = await kith(['status', '--json'])
    expect(res.code).toBe(0)
    expect(JSON.parse(res.stdout)).toMatchObject({ running: false, initialized: false })
  })

  it('start runs the daemon in the background and writes a 0600 daemon.json', async () => {
    const res = await kith(['start', '--no-mdns', '--http', '127.0.0.1:0', '--listen', '/ip4/127.0.0.1/tcp/0', '--json'])
    expect(res.code, res.stderr).toBe(0)
    const info = JSON.parse(await readFile(join(home, 'daemon.json'), 'utf8'))
    expect(info).toMatchObject({
      pid: expect.any(Number),
      url: expect.stringMatching(/^http:\/\/localhost:\d+$/),
      token: expect.any(String)
    })
    expect((await stat(join(home, 'daemon.json'))).mode & 0o777).toBe(0o600)
    expect((await stat(join(home, 'identity.key'))).mode & 0o777).toBe(0o600)
    const status = JSON.parse((await kith(['status', '--json'])).stdout)
    expect(status).toMatchObject({ running: true, initialized: false, locked: true, url: info.url })
  })

  it('refuses a password on argv: init needs --password-stdin', async () => {
    const res = await kith(['init', '--json'])
    expect(res.code).toBe(2)
    expect(JSON.parse(res.stdout).error.code).toBe('usage')
  })

  it('init creates Personal and leaves it unlocked', async () => {
    const res = await kith(['init', '--password-stdin', '--json'], PASSWORD + '\n')
    expect(res.code, res.stderr).toBe(0)
    expect(JSON.parse((await kith(['status', '--json'])).stdout)).toMatchObject({ initialized: true, locked: false })
    expect(JSON.parse((await kith(['vault', 'list', '--json'])).stdout).map((v: { name: string }) => v.name)).toEqual(['Personal'])
  })

  it('adds, lists, searches, gets, edits, trashes items and prints TOTP codes', async () => {
    const add = await kith([
      'add',
      '--title',
      'GitHub',
      '--username',
      'octocat',
      '--password',
      'gh-pass-1',
      '--url',
      'https://github.com',
      '--url',
      'https://gist.github.com',
      '--notes',
      'line 1\nline 2',
      '--totp',
      'JBSWY3DPEHPK3PXP',
      '--field',
      'recovery=abc',
      '--json'
    ])
    expect(add.code, add.stderr).toBe(0)
    const { id } = JSON.parse(add.stdout)
    const gen = await kith(['add', '--title', 'Bank', '--generate', '--json'])
    const bankId = JSON.parse(gen.stdout).id
    const list = JSON.parse((await kith(['list', '--json'])).stdout)
    expect(list).toHaveLength(2)
    const item = JSON.parse((await kith(['get', id, '--json'])).stdout)
    expect(item).toMatchObject({
      id,
      vault: 'Personal',
      title: 'GitHub',
      username: 'octocat',
      password: 'gh-pass-1',
      urls: ['https://github.com', 'https://gist.github.com'],
      notes: 'line 1\nline 2',
      fields: [{ name: 'recovery', value: 'abc', hidden: false }],
      tags: [],
      folder: '',
      trashed: false
    })
    expect(item.totp).toMatch(/^otpauth:\/\/totp\//)
    expect(new Date(item.createdAt).toISOString()).toBe(item.createdAt)
    expect((await kith(['get', id, '--field', 'password'])).stdout).toBe('gh-pass-1\n')
    const bankPassword = (await kith(['get', bankId, '--field', 'password'])).stdout.trim()
    expect(bankPassword.length).toBeGreaterThanOrEqual(20)
    expect(JSON.parse((await kith(['list', '--search', 'octo', '--json'])).stdout)).toHaveLength(1)
    expect((await kith(['edit', id, '--username', 'hubot'])).code).toBe(0)
    expect(JSON.parse((await kith(['get', id, '--json'])).stdout)).toMatchObject({ username: 'hubot', password: 'gh-pass-1' })
    const totp = await kith(['totp', id])
    expect(totp.stdout).toMatch(/^\d{6}\n$/)
    // F31: how long the code stays valid, on stderr so that $(kith totp ID) is still only the code
    expect(totp.stderr).toMatch(/valid for \d+ more seconds? \(codes change every 30 seconds\)/)
    expect(JSON.parse((await kith(['totp', id, '--json'])).stdout)).toMatchObject({
      code: expect.any(String),
      remaining: expect.any(Number)
    })
    // F30: across every vault the human list names each item's vault; with --vault it does not
    const lines = (await kith(['list'])).stdout.trim().split('\n')
    expect(lines).toContain(`${id}\tPersonal\tGitHub\thubot\thttps://github.com https://gist.github.com`)
    expect((await kith(['list', '--vault', 'Personal'])).stdout).toContain(`${id}\tGitHub\thubot\t`)
    expect((await kith(['rm', bankId])).code).toBe(0)
    expect(JSON.parse((await kith(['list', '--json'])).stdout)).toHaveLength(1)
    expect(JSON.parse((await kith(['get', bankId, '--json'])).stdout).trashed).toBe(true)
  })

  it('exits non-zero with a JSON error for unknown ids and bad flags', async () => {
    const missing = await kith(['get', 'nope', '--json'])
    expect(missing.code).toBe(5)
    expect(JSON.parse(missing.stdout).error.code).toBe('not_found')
    expect(missing.stderr).toMatch(/^kith: /)
    const typo = await kith(['add', '--titel', 'x'])
    expect(typo.code).toBe(2)
    expect(typo.stderr).toMatch(/unknown option --titel/)
  })

  it('creates vaults and adds into a chosen one', async () => {
    expect((await kith(['vault', 'create', 'Work'])).code).toBe(0)
    const add = await kith(['add', '--title', 'VPN', '--vault', 'Work', '--json'])
    expect(add.code).toBe(0)
    expect(JSON.parse((await kith(['list', '--vault', 'Work', '--json'])).stdout).map((i: { title: string }) => i.title)).toEqual(['VPN'])
  })

  it('imports 3,000 items into a new vault and lists them back whole: a 2 MB answer, sent in pieces, printed in full to a pipe', async () => {
    const items = Array.from({ length: 3000 }, (_, i) => ({
      title: `Bulk ${i} — Zürich ✓`,
      username: `u${i}`,
      password: `p${i}`,
      urls: [`https://bulk${i}.example`],
      notes: 'x'.repeat(400),
      totp: null,
      fields: [],
      tags: [],
      folder: '',
      favorite: false,
      trashed: false
    }))
    const file = join(home, 'bulk.json')
    await writeFile(file, JSON.stringify({ format: 'kith-json', version: 1, vault: 'Bulk', items }))
    const imported = await kith(['import', 'kith-json', file, '--vault', 'Bulk', '--json'])
    expect(imported.code, imported.stderr).toBe(0)
    expect(JSON.parse(imported.stdout)).toMatchObject({ imported: 3000, vault: 'Bulk' })
    const listed = await kith(['list', '--vault', 'Bulk', '--json'])
    expect(listed.code, listed.stderr).toBe(0)
    const titles = (JSON.parse(listed.stdout) as Array<{ title: string }>).map(i => i.title)
    expect(new Set(titles)).toEqual(new Set(items.map(i => i.title)))
    const found = JSON.parse((await kith(['list', '--vault', 'Bulk', '--search', 'bulk 2999', '--json'])).stdout) as Array<{
      title: string
    }>
    expect(found.map(i => i.title)).toEqual(['Bulk 2999 — Zürich ✓'])
  })

  it('lock makes reads fail; a wrong password exits non-zero; the right one unlocks', async () => {
    expect((await kith(['lock'])).code).toBe(0)
    const locked = await kith(['list', '--json'])
    expect(locked.code).toBe(4)
    expect(JSON.parse(locked.stdout).error.code).toBe('locked')
    const wrong = await kith(['unlock', '--password-stdin', '--json'], 'not the password\n')
    expect(wrong.code).toBe(3)
    expect(JSON.parse(wrong.stdout).error.code).toBe('wrong_password')
    expect((await kith(['unlock', '--password-stdin'], PASSWORD + '\n')).code).toBe(0)
    expect(JSON.parse((await kith(['list', '--json'])).stdout).length).toBeGreaterThan(0)
  })

  it('stop shuts the daemon down and status says so', async () => {
    expect((await kith(['stop'])).code).toBe(0)
    expect(JSON.parse((await kith(['status', '--json'])).stdout)).toMatchObject({ running: false, initialized: true })
  })

  it('a command that needs the daemon starts it in the background and says so', async () => {
    const res = await kith(['list', '--json'])
    expect(res.stderr).toMatch(/starting one in the background/)
    expect(res.code).toBe(4)
    expect(JSON.parse((await kith(['status', '--json'])).stdout)).toMatchObject({ running: true, locked: true })
  })
})
