/** One device under bad input and faults, with real daemon processes and real LevelDB. */
import { describe, it, expect, afterEach } from 'vitest'
import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { spawn } from 'node:child_process'
import { TestDaemon, KITH_BIN, TEST_ENV } from '../helpers/daemonProcess.js'
import { LevelStorageAdapter } from '../../daemon/storage/LevelStorageAdapter.js'

const PASSWORD = 'correct horse battery staple'
const daemons: TestDaemon[] = []
async function daemon(args: string[] = []): Promise<TestDaemon> {
  const d = await TestDaemon.create(args)
  daemons.push(d)
  await d.start()
  return d
}
afterEach(async () => {
  for (const d of daemons.splice(0)) await d.destroy()
})

/** Every file under dir, recursively, as one list of buffers. */
async function allFiles(dir: string): Promise<Array<{ path: string; bytes: Buffer }>> {
  const out: Array<{ path: string; bytes: Buffer }> = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...(await allFiles(p)))
    else if (entry.isFile()) out.push({ path: p, bytes: await readFile(p) })
  }
  return out
}

async function expectNotOnDisk(home: string, needles: string[]): Promise<void> {
  for (const { path, bytes } of await allFiles(home)) {
    for (const needle of needles) {
      for (const encoding of ['utf8', 'utf16le'] as const) {
        expect(bytes.includes(Buffer.from(needle, encoding)), `${needle} (${encoding}) found in ${path}`).toBe(false)
      }
    }
  }
}

describe('one device: faults and bad input', () => {
  it('a second daemon on the same home exits non-zero with a clear message; the first keeps serving', async () => {
    const first = await daemon()
    await first.init(PASSWORD)
    const second = spawn(process.execPath, [KITH_BIN, 'daemon', '--home', first.home, '--http', '127.0.0.1:0', '--no-mdns'], {
      env: TEST_ENV
    })
    let stderr = ''
    second.stderr.on('data', d => {
      stderr += String(d)
    })
    const code = await new Promise<number | null>(resolve => second.on('exit', resolve))
    expect(code).not.toBe(0)
    expect(stderr).toMatch(/in use by another process/)
    expect((await first.api('GET', '/api/items')).status).toBe(200)
    const info = JSON.parse(await readFile(join(first.home, 'daemon.json'), 'utf8'))
    expect(info.pid).toBe(first.child?.pid)
  })

  it('the auto-lock time set in the dashboard outlives a daemon restart', async () => {
    const d = await daemon()
    await d.init(PASSWORD)
    expect((await d.api('PATCH', '/api/settings', { autoLockMinutes: 42 })).body).toEqual({ autoLockMinutes: 42 })
    await d.stop()
    await d.start()
    expect((await d.api('GET', '/api/status')).body.autoLockMinutes).toBe(42)
    await d.api('POST', '/api/unlock', { password: PASSWORD })
    expect((await d.api('GET', '/api/settings')).body).toEqual({ autoLockMinutes: 42 })
  })

  it('no plaintext title or password anywhere in the data directory after lock, nor after purge and compaction', async () => {
    const d = await daemon()
    await d.init(PASSWORD)
    const title = `Unique-Title-${Date.now()}-ZQX`
    const secret = `Pw-${Math.random().toString(36).slice(2)}-Sekrit!`
    const { body } = await d.api('POST', '/api/items', { title, password: secret, notes: 'notes that are private' })
    await d.api('POST', '/api/lock')
    await expectNotOnDisk(d.home, [title, secret, 'notes that are private', PASSWORD])
    await d.api('POST', '/api/unlock', { password: PASSWORD })
    expect((await d.api('DELETE', `/api/items/${body.id as string}?purge=true`)).status).toBe(200)
    await d.api('POST', '/api/lock')
    await d.stop()
    await expectNotOnDisk(d.home, [title, secret, PASSWORD])
  })

  it('never logs the master password or item secrets', async () => {
    const d = await daemon()
    await d.init(PASSWORD)
    const secret = 'LogLeakCanary-91f3'
    const { body } = await d.api('POST', '/api/items', { title: 'Canary', username: 'canary-user', password: secret })
    await d.api('PATCH', `/api/items/${body.id as string}`, { password: secret + '2' })
    await d.api('POST', '/api/unlock', { password: 'wrong password here' })
    await d.api('POST', '/api/lock')
    await d.api('POST', '/api/unlock', { password: PASSWORD })
    await d.api('POST', '/api/items', { title: 42 })
    await d.stop()
    const log = await d.log()
    expect(log).toContain('kith daemon ready')
    for (const s of [PASSWORD, secret, 'wrong password here']) expect(log).not.toContain(s)
  })

  it('the unlock backoff survives a daemon restart', async () => {
    const d = await daemon()
    await d.init(PASSWORD)
    await d.api('POST', '/api/lock')
    for (let i = 0; i < 3; i++) expect((await d.api('POST', '/api/unlock', { password: 'wrong wrong wrong' })).status).toBe(401)
    // three are free; then each failure doubles the wait (1 s, 2 s, 4 s …)
    await new Promise(resolve => setTimeout(resolve, 1100))
    expect((await d.api('POST', '/api/unlock', { password: 'wrong wrong wrong' })).status).toBe(401)
    await new Promise(resolve => setTimeout(resolve, 2100))
    expect((await d.api('POST', '/api/unlock', { password: 'wrong wrong wrong' })).status).toBe(401)
    await new Promise(resolve => setTimeout(resolve, 4100))
    expect((await d.api('POST', '/api/unlock', { password: 'wrong wrong wrong' })).status).toBe(401)
    // 8 s now: longer than a restart takes even on a busy machine (4 s was not, and the test flickered)
    expect((await d.api('GET', '/api/status')).body.unlockRetryAfterMs).toBeGreaterThan(7000)
    await d.stop()
    await d.start()
    const res = await d.api('POST', '/api/unlock', { password: PASSWORD })
    expect(res.status).toBe(429)
    expect(res.body.error.code).toBe('too_many_attempts')
  })

  it('a flipped byte in a stored envelope is reported as CorruptRecordError; the other items stay readable', async () => {
    const d = await daemon()
    await d.init(PASSWORD)
    const good = (await d.api('POST', '/api/items', { title: 'stays readable', password: 'x' })).body.id as string
    await d.api('POST', '/api/items', { title: 'will be corrupted' })
    await d.kill() // no snapshot at shutdown: the envelopes stay as they are
    const db = new LevelStorageAdapter(join(d.home, 'db'))
    await db.open()
    const envelopes: Array<[string, Uint8Array]> = []
    for await (const e of db.entries('vault/')) if (e[0].includes('/env/')) envelopes.push(e)
    const [key, bytes] = envelopes.at(-1) as [string, Uint8Array]
    const bad = Uint8Array.from(bytes)
    bad[120] = (bad[120] as number) ^ 0x55
    await db.put(key, bad)
    await db.close()
    await d.start()
    expect((await d.api('POST', '/api/unlock', { password: PASSWORD })).status).toBe(200)
    const status = (await d.api('GET', '/api/status')).body
    expect(status.corruptRecords).toEqual([expect.objectContaining({ name: 'CorruptRecordError', key })])
    expect((await d.api('GET', `/api/items/${good}`)).body.title).toBe('stays readable')
    expect((await d.api('POST', '/api/items', { title: 'still writable' })).status).toBe(201)
    expect(await d.log()).toMatch(/CorruptRecordError/)
  })

  it('a flipped byte in a snapshot is reported by name, never a crash', async () => {
    const d = await daemon()
    await d.init(PASSWORD)
    await d.api('POST', '/api/items', { title: 'in the snapshot' })
    await d.stop() // snapshots at shutdown
    const db = new LevelStorageAdapter(join(d.home, 'db'))
    await db.open()
    const snaps: Array<[string, Uint8Array]> = []
    for await (const e of db.entries('vault/')) if (e[0].includes('/snap/')) snaps.push(e)
    expect(snaps.length).toBeGreaterThan(0)
    for (const [key, bytes] of snaps) {
      const bad = Uint8Array.from(bytes)
      bad[bad.length - 70] = (bad[bad.length - 70] as number) ^ 1
      await db.put(key, bad)
    }
    await db.close()
    await d.start()
    expect((await d.api('POST', '/api/unlock', { password: PASSWORD })).status).toBe(200)
    const status = (await d.api('GET', '/api/status')).body
    expect(status.corruptRecords.map((r: { name: string }) => r.name)).toContain('CorruptRecordError')
    expect((await d.api('GET', '/api/status')).status).toBe(200)
  })

  it('auto-locks after the idle time and drops the decrypted vault', async () => {
    const d = await daemon(['--auto-lock', '0.02'])
    await d.init(PASSWORD)
    expect((await d.api('GET', '/api/status')).body.locked).toBe(false)
    await new Promise(resolve => setTimeout(resolve, 2500))
    expect((await d.api('GET', '/api/status')).body.locked).toBe(true)
    expect((await d.api('GET', '/api/items')).status).toBe(423)
  })

  it('SIGTERM flushes: items acknowledged just before shutdown are there after restart', async () => {
    const d = await daemon()
    await d.init(PASSWORD)
    const ids = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => (await d.api('POST', '/api/items', { title: `t${i}` })).body.id as string)
    )
    expect(await d.stop()).toBe(0)
    await d.start()
    await d.api('POST', '/api/unlock', { password: PASSWORD })
    const listed = new Set(((await d.api('GET', '/api/items')).body as Array<{ id: string }>).map(i => i.id))
    for (const id of ids) expect(listed.has(id)).toBe(true)
    expect(await stat(join(d.home, 'daemon.json')).catch(() => undefined)).toBeDefined()
  })
})
