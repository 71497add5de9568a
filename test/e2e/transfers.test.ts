/** Import, export, migrate and destroy through the real CLI and daemon (CONTRACT "Import, export, migrate, delete"). */
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { chmod, mkdtemp, rm, stat, writeFile, readFile, readdir } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TestDaemon, REPO_ROOT } from '../helpers/daemonProcess.js'

const PASSWORD = 'correct horse battery staple'
const SHARED = join(REPO_ROOT, '..', 'shared', 'interop', 'public')

const bitwardenJson = JSON.stringify({
  encrypted: false,
  folders: [{ id: 'f1', name: 'Social' }],
  items: [
    {
      id: 'a',
      type: 1,
      name: 'Mastodon',
      folderId: 'f1',
      favorite: true,
      notes: 'line one\nline "two", with comma',
      login: {
        username: 'me@personal.example',
        password: 'toot-pass',
        totp: 'JBSWY3DPEHPK3PXP',
        uris: [{ uri: 'https://mastodon.example' }, { uri: 'https://m.mastodon.example' }]
      },
      fields: [{ name: 'PIN', value: '4321', type: 1 }]
    },
    { id: 'b', type: 1, name: 'Ünïcødé ✓', folderId: null, login: { username: 'ü', password: 'пароль', uris: [] } }
  ]
})

describe('import, export, migrate, destroy', () => {
  let a: TestDaemon
  let b: TestDaemon
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kith-transfer-'))
    a = await TestDaemon.create()
    b = await TestDaemon.create()
    await Promise.all([a.start(), b.start()])
    await Promise.all([a.init(PASSWORD), b.init(PASSWORD)])
  })
  afterAll(async () => {
    await a?.destroy()
    await b?.destroy()
    await rm(dir, { recursive: true, force: true })
  })

  it('imports a Bitwarden JSON file, and a second import of it skips every item', async () => {
    const file = join(dir, 'bw.json')
    await writeFile(file, bitwardenJson)
    const first = await a.kith(['import', 'bitwarden-json', file, '--json'])
    expect(first.code, first.stderr).toBe(0)
    expect(JSON.parse(first.stdout)).toMatchObject({ imported: 2, skipped: 0, vault: 'Personal' })
    const again = await a.kith(['import', 'bitwarden-json', file, '--json'])
    expect(JSON.parse(again.stdout)).toMatchObject({ imported: 0, skipped: 2 })
    const items = (await a.api('GET', '/api/items?q=mastodon')).body
    expect(items).toHaveLength(1)
    expect(items[0]).toMatchObject({
      title: 'Mastodon',
      folder: 'Social',
      favorite: true,
      notes: 'line one\nline "two", with comma',
      urls: ['https://mastodon.example', 'https://m.mastodon.example'],
      fields: [{ name: 'PIN', value: '4321', hidden: true }]
    })
    expect(items[0].totp).toMatch(/^otpauth:\/\/totp\//)
  })

  it('refuses a truncated file with an error naming the format, and imports nothing', async () => {
    const before = (await a.api('GET', '/api/items')).body.length
    const file = join(dir, 'truncated.json')
    await writeFile(file, bitwardenJson.slice(0, bitwardenJson.length / 2))
    const res = await a.kith(['import', 'bitwarden-json', file, '--json'])
    expect(res.code).not.toBe(0)
    expect(res.stderr).toMatch(/bitwarden-json/i)
    expect((await a.api('GET', '/api/items')).body.length).toBe(before)
    const wrongFormat = await a.kith(['import', 'chrome-csv', file])
    expect(wrongFormat.code).not.toBe(0)
    expect(wrongFormat.stderr).toMatch(/chrome/i)
    expect((await a.kith(['import', 'no-such-format', file])).code).not.toBe(0)
  })

  it('round-trips every item through kith-encrypted into another device, and refuses the wrong file password', async () => {
    const out = join(dir, 'all.kith')
    const exp = await a.kith(['export', 'kith-encrypted', '--out', out, '--password-stdin', '--json'], 'export file password\n')
    expect(exp.code, exp.stderr).toBe(0)
    const bytes = await readFile(out)
    expect(bytes.includes(Buffer.from('toot-pass'))).toBe(false)
    const wrong = await b.kith(['import', 'kith-encrypted', out, '--password-stdin'], 'not the file password\n')
    expect(wrong.code).not.toBe(0)
    expect((await b.api('GET', '/api/items')).body).toHaveLength(0)
    const imp = await b.kith(['import', 'kith-encrypted', out, '--password-stdin', '--json'], 'export file password\n')
    expect(imp.code, imp.stderr).toBe(0)
    const strip = (items: Array<Record<string, unknown>>) =>
      items
        .map(({ id: _i, createdAt: _c, updatedAt: _u, vault: _v, ...rest }) => rest)
        .sort((x, y) => String(x.title).localeCompare(String(y.title)))
    expect(strip((await b.api('GET', '/api/items')).body)).toEqual(strip((await a.api('GET', '/api/items')).body))
  })

  it('exports keepass-xml, bitwarden-json, csv and kith-json', async () => {
    for (const format of ['keepass-xml', 'bitwarden-json', 'csv', 'kith-json']) {
      const out = join(dir, `x.${format}`)
      const res = await a.kith(['export', format, '--out', out, '--json'])
      expect(res.code, res.stderr).toBe(0)
      expect(JSON.parse(res.stdout).exported).toBeGreaterThan(0)
      expect(await readFile(out, 'utf8')).toContain('Mastodon')
    }
  })

  it('an export refuses to overwrite an existing --out file without --force: exit 2, the file untouched', async () => {
    const out = join(dir, 'keep.csv')
    await writeFile(out, 'something the person wanted to keep')
    const res = await a.kith(['export', 'csv', '--out', out])
    expect(res.code).toBe(2)
    expect(res.stderr).toContain('already exists')
    expect(res.stderr).toContain('--force')
    expect(await readFile(out, 'utf8')).toBe('something the person wanted to keep')
    expect((await readdir(dir)).filter(f => f.includes('keep.csv') && f !== 'keep.csv')).toEqual([])
  })

  it('an export with --force over an existing 0644 file leaves a 0600 file (created new, then renamed)', async () => {
    const out = join(dir, 'over.csv')
    await writeFile(out, 'an older file, readable by everyone')
    await chmod(out, 0o644)
    const res = await a.kith(['export', 'csv', '--out', out, '--force', '--json'])
    expect(res.code, res.stderr).toBe(0)
    expect((await stat(out)).mode & 0o777).toBe(0o600)
    expect(await readFile(out, 'utf8')).toContain('Mastodon')
  })

  it("migrates personal items out of a work vault, keeping the organisation's and the trash", async () => {
    await a.kith(['vault', 'create', 'Work'])
    const add = async (args: string[]) => JSON.parse((await a.kith(['add', '--vault', 'Work', ...args, '--json'])).stdout).id as string
    const corp = await add(['--title', 'Corp SSO', '--url', 'https://sso.acme-corp.example'])
    const corpMail = await add(['--title', 'Jira', '--username', 'jane@acme-corp.example', '--url', 'https://jira.example'])
    const personal = await add(['--title', 'Netflix', '--url', 'https://netflix.example', '--password', 'np'])
    const lookalike = await add(['--title', 'Phish', '--url', 'https://acme-corp.example.phish.test'])
    const trashed = await add(['--title', 'Old', '--url', 'https://old.example'])
    await a.kith(['rm', trashed])
    const dry = await a.kith(['migrate', '--from', 'Work', '--to', 'Personal', '--org-domain', 'acme-corp.example', '--dry-run', '--json'])
    expect(dry.code, dry.stderr).toBe(0)
    const plan = JSON.parse(dry.stdout)
    expect(plan.moved.sort()).toEqual([personal, lookalike].sort())
    expect(plan.kept.sort()).toEqual([corp, corpMail, trashed].sort())
    expect((await a.api('GET', '/api/items?vault=Work')).body).toHaveLength(4)
    const real = JSON.parse(
      (await a.kith(['migrate', '--from', 'Work', '--to', 'Personal', '--org-domain', 'acme-corp.example', '--json'])).stdout
    )
    expect(real.moved.sort()).toEqual([personal, lookalike].sort())
    const work = (await a.api('GET', '/api/items?vault=Work')).body.map((i: { title: string }) => i.title).sort()
    expect(work).toEqual(['Corp SSO', 'Jira'])
    const moved = (await a.api('GET', '/api/items?vault=Personal&q=netflix')).body
    expect(moved).toHaveLength(1)
    // the same id in its new vault: scripts that saved it keep working
    expect(moved[0]).toMatchObject({ id: personal, vault: 'Personal', password: 'np', urls: ['https://netflix.example'] })
    expect((await a.api('GET', '/api/items?vault=Work&trashed=true')).body.map((i: { title: string }) => i.title)).toEqual(['Old'])
  })

  it('a backup of every vault restores into the same vaults on a new device', async () => {
    const out = join(dir, 'every-vault.kith')
    expect((await a.kith(['export', 'kith-encrypted', '--out', out, '--password-stdin'], 'backup password\n')).code).toBe(0)
    const c = await TestDaemon.create()
    try {
      await c.start()
      await c.init(PASSWORD)
      const human = await c.kith(['import', 'kith-encrypted', out, '--password-stdin'], 'backup password\n')
      expect(human.code, human.stderr).toBe(0)
      expect(human.stdout).toMatch(/into 2 vaults \(Personal \d+; Work 3, new\)/)
      const vaults = (await c.api('GET', '/api/vaults')).body.map((v: { name: string; items: number }) => [v.name, v.items])
      const original = (await a.api('GET', '/api/vaults')).body.map((v: { name: string; items: number }) => [v.name, v.items])
      expect(vaults).toEqual(original)
      expect((await c.api('GET', '/api/items?vault=Work&trashed=true')).body.map((i: { title: string }) => i.title)).toEqual(['Old'])
    } finally {
      await c.destroy()
    }
  })

  it('destroy --yes erases keys and records, removes the identity, stops the daemon', async () => {
    expect((await a.kith(['destroy'])).code).toBe(2)
    const res = await a.kith(['destroy', '--yes', '--json'])
    expect(res.code, res.stderr).toBe(0)
    const body = JSON.parse(res.stdout)
    expect(body).toMatchObject({ destroyed: true })
    expect(body.keyRecords).toBeGreaterThan(0)
    await new Promise(resolve => setTimeout(resolve, 200))
    expect(existsSync(join(a.home, 'identity.key'))).toBe(false)
    expect(existsSync(join(a.home, 'daemon.json'))).toBe(false)
    const files = await readdir(join(a.home, 'db'))
    let total = ''
    for (const f of files) total += (await readFile(join(a.home, 'db', f)).catch(() => Buffer.alloc(0))).toString('latin1')
    expect(total).not.toContain('Mastodon')
    expect(total).not.toContain('keyring/slot')
  })

  it.runIf(existsSync(SHARED))('imports a real Bitwarden export from ../shared/interop', async () => {
    const res = await b.kith([
      'import',
      'bitwarden-json',
      join(SHARED, 'bitwarden', 'passimport-bitwarden.json'),
      '--vault',
      'Imported',
      '--json'
    ])
    expect(res.code, res.stderr).toBe(0)
    expect(JSON.parse(res.stdout).imported).toBeGreaterThan(0)
  })
})
