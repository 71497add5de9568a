/**
 * Per-device vaults on real daemons: a device invited with `kith pair invite --vaults Work` gets
 * the Work vault and nothing of Personal — its data directory, searched byte by byte (the files as
 * they are, and every LevelDB record decoded, since LevelDB compresses its tables), holds no
 * Personal vault id, no Personal envelope and no Personal secret. Then `kith devices ungrant`.
 */
import { describe, it, expect, afterAll, beforeAll } from 'vitest'
import { join } from 'node:path'
import { readdir, readFile, stat } from 'node:fs/promises'
import type { TestDaemon } from '../helpers/daemonProcess.js'
import { approveWhenWaiting, daemons, until, PASSWORD, JOIN_PASSWORD } from '../sync/helpers/daemons.js'
import { LevelStorageAdapter } from '../../daemon/storage/LevelStorageAdapter.js'

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const name of await readdir(dir)) {
    const path = join(dir, name)
    if ((await stat(path)).isDirectory()) out.push(...(await filesUnder(path)))
    else out.push(path)
  }
  return out
}

describe('a device invited to the Work vault only', () => {
  let a: TestDaemon
  let w: TestDaemon
  let personal: string
  let work: string
  beforeAll(async () => {
    ;[a, w] = await daemons(2)
    await a.init(PASSWORD)
    expect((await a.kith(['vault', 'create', 'Work'])).code).toBe(0)
    const vaults = JSON.parse((await a.kith(['vault', 'list', '--json'])).stdout) as Array<{ id: string; name: string }>
    personal = vaults.find(v => v.name === 'Personal')?.id as string
    work = vaults.find(v => v.name === 'Work')?.id as string
    await a.api('POST', '/api/items', { title: 'Bank', password: 'personal-secret-1', vault: 'Personal' })
    await a.api('POST', '/api/items', { title: 'Jira', password: 'work-secret-1', vault: 'Work' })
  }, 60_000)
  afterAll(async () => {
    for (const d of [a, w]) await d?.destroy()
  })

  it('holds Work and, byte by byte, nothing of Personal', async () => {
    const invite = await a.kith(['pair', 'invite', '--vaults', 'Work', '--json'])
    expect(invite.code).toBe(0)
    const { invitation, vaults } = JSON.parse(invite.stdout) as { invitation: string; vaults: string[] }
    expect(vaults).toEqual(['Work'])
    let ended = false
    const joining = w.kith(['pair', 'join', '--password-stdin', '--json'], `${invitation}\n${JOIN_PASSWORD}\n`).finally(() => {
      ended = true
    })
    await approveWhenWaiting(a, w, 'cli', () => ended)
    const joined = await joining
    expect(joined.code).toBe(0)
    await until(async () => {
      const items = (await w.api('GET', '/api/items')).body as Array<{ title: string }>
      return items.some(i => i.title === 'Jira')
    }, 'the Work item on W')
    // A keeps writing to both vaults; W gets the Work one only
    await a.api('POST', '/api/items', { title: 'Bank 2', password: 'personal-secret-2', vault: 'Personal' })
    await a.api('POST', '/api/items', { title: 'Jira 2', vault: 'Work' })
    await until(
      async () => ((await w.api('GET', '/api/items')).body as Array<{ title: string }>).some(i => i.title === 'Jira 2'),
      'Jira 2 on W'
    )
    const listed = JSON.parse((await w.kith(['vault', 'list', '--json'])).stdout) as Array<{ name: string }>
    expect(listed.map(v => v.name)).toEqual(['Work'])
    const onA = JSON.parse((await a.kith(['devices', '--json'])).stdout) as Array<{ self: boolean; vaults: string[]; fingerprint: string }>
    expect(onA.find(d => !d.self)?.vaults).toEqual(['Work'])
    expect(onA.find(d => !d.self)?.fingerprint).toMatch(/^[0-9a-f]{4}( [0-9a-f]{4}){3}$/)

    await w.stop()
    const needles = [
      Buffer.from(personal, 'hex'),
      Buffer.from(personal),
      Buffer.from('personal-secret-1'),
      Buffer.from('personal-secret-2')
    ]
    for (const file of await filesUnder(w.home)) {
      const bytes = await readFile(file)
      for (const n of needles) expect(bytes.includes(n), `${n.toString('hex').slice(0, 12)}… in ${file}`).toBe(false)
    }
    const db = new LevelStorageAdapter(join(w.home, 'db'))
    await db.open()
    let records = 0
    try {
      for await (const [key, value] of db.entries('')) {
        records++
        expect(key).not.toContain(personal)
        const bytes = Buffer.from(value)
        for (const n of needles) expect(bytes.includes(n), `a Personal needle in ${key}`).toBe(false)
      }
    } finally {
      await db.close()
    }
    expect(records).toBeGreaterThan(0)
    expect(work).toBeTruthy()
    await w.start()
  }, 90_000)

  it('ungrant takes Work away: its key rotates, and W sees nothing written afterwards', async () => {
    const status = (await w.api('GET', '/api/status')).body as { deviceId: string; locked: boolean }
    if (status.locked) expect((await w.kith(['unlock', '--password-stdin'], `${JOIN_PASSWORD}\n`)).code).toBe(0)
    const res = await a.kith(['devices', 'ungrant', status.deviceId.slice(0, 12), '--vault', 'Work', '--json'])
    expect(res.code).toBe(0)
    const body = JSON.parse(res.stdout) as { vaults: string[]; rotated: unknown[] }
    expect(body.vaults).toEqual([])
    expect(body.rotated).toHaveLength(1)
    await a.api('POST', '/api/items', { title: 'Jira after ungrant', vault: 'Work' })
    await new Promise(resolve => setTimeout(resolve, 1500))
    const items = (await w.api('GET', '/api/items')).body as Array<{ title: string }>
    expect(items.some(i => i.title === 'Jira after ungrant')).toBe(false)
  }, 60_000)
})
