/**
 * A backup peer (issue 13) as real processes on 127.0.0.1: `kith backup-peer` runs keyless and
 * prints its address; `kith backup add` on an unlocked device puts it on the roster; the device
 * lists it as a backup peer, connects to it, takes a relay reservation on it (a relayed address),
 * the paired device learns it through the roster, and removing it works like removing a device.
 * Store and forward: an item written on A while B is off reaches B from the backup peer while A is
 * off. A device of another roster gets no connection (so no reservation). The backup peer's disk
 * holds no title or password.
 */
import { describe, it, expect, afterAll } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { KITH_BIN, TEST_ENV, runKith, type TestDaemon } from '../helpers/daemonProcess.js'
import { JOIN_PASSWORD, daemons, itemOn, pairByCli, until } from '../sync/helpers/daemons.js'
import type { DeviceJson } from '../../daemon/api/ports.js'

async function startBackupPeer(home: string): Promise<{ child: ChildProcess; status: Record<string, unknown> }> {
  const child = spawn(process.execPath, [KITH_BIN, 'backup-peer', '--home', home, '--listen', '/ip4/127.0.0.1/tcp/0'], {
    env: TEST_ENV,
    stdio: 'ignore'
  })
  const status = await until(
    async () => {
      const res = await runKith(home, ['status', '--json'])
      const s = JSON.parse(res.stdout) as Record<string, unknown>
      return s.running === true ? s : undefined
    },
    'the backup peer answering',
    20_000,
    200
  )
  return { child, status }
}

async function bytesUnder(dir: string): Promise<Buffer> {
  const parts: Buffer[] = []
  for (const name of await readdir(dir, { recursive: true })) {
    const path = join(dir, name)
    if ((await stat(path)).isFile()) parts.push(await readFile(path))
  }
  return Buffer.concat(parts)
}

describe('kith backup-peer and kith backup add', () => {
  let a: TestDaemon
  let b: TestDaemon
  let stranger: TestDaemon | undefined
  let peer: ChildProcess | undefined
  let home = ''
  afterAll(async () => {
    if (peer?.pid !== undefined && peer.exitCode === null) peer.kill('SIGTERM')
    await a?.destroy()
    await b?.destroy()
    await stranger?.destroy()
    if (home !== '') await rm(home, { recursive: true, force: true })
  })

  it('runs keyless, is added from its one-line address, relays for the roster and holds no plaintext', async () => {
    home = await mkdtemp(join(tmpdir(), 'kith-backup-peer-'))
    const started = await startBackupPeer(home)
    peer = started.child
    expect(started.status).toMatchObject({ role: 'backup-peer', claimed: false })
    const address = started.status.address as string
    expect(address).toMatch(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\/12D3Koo\w+$/)
    const daemonJson = JSON.parse(await readFile(join(home, 'daemon.json'), 'utf8')) as Record<string, unknown>
    expect(daemonJson).toMatchObject({ role: 'backup-peer', address })

    ;[a, b] = await daemons(2)
    await a.init()
    await pairByCli(a, b)
    const secret = 'relay-secret-password-9c1f'
    expect((await a.kith(['add', '--title', 'Backup Title Zq', '--password', secret])).code).toBe(0)

    // a bad address is a clear error and changes nothing
    const bad = await a.kith(['backup', 'add', '/ip4/127.0.0.1/tcp/1', '--json'])
    expect(bad.code).not.toBe(0)
    expect(bad.stderr).toMatch(/p2p\/PEERID/)

    const added = await a.kith(['backup', 'add', address, '--json'])
    expect(added.code).toBe(0)
    const view = JSON.parse(added.stdout) as DeviceJson
    expect(view).toMatchObject({ kind: 'backup-peer', fingerprint: null })

    // A connects to it and reserves a relay slot: its own addresses include one through the backup peer
    await until(
      async () => {
        const list = JSON.parse((await a.kith(['devices', '--json'])).stdout) as DeviceJson[]
        return list.find(d => d.kind === 'backup-peer')?.connection === 'direct'
      },
      'A connected to the backup peer',
      20_000,
      200
    )
    await until(
      async () => {
        const s = (await a.api('GET', '/api/status')).body as { multiaddrs: string[] }
        return s.multiaddrs.some(m => m.includes('/p2p-circuit'))
      },
      'a relayed address on A',
      45_000,
      200
    )

    // B learns it through the roster, connects, and so does the backup peer's roster
    await until(
      async () => {
        const list = JSON.parse((await b.kith(['devices', '--json'])).stdout) as DeviceJson[]
        return list.find(d => d.id === view.id)?.kind === 'backup-peer' && list.find(d => d.id === view.id)?.online === true
      },
      'B connected to the backup peer it learnt from the roster',
      20_000,
      200
    )
    const peerStatus = JSON.parse((await runKith(home, ['status', '--json'])).stdout) as Record<string, unknown>
    expect(peerStatus).toMatchObject({ claimed: true, devices: 2 })

    // store and forward: B is off while A writes, A is off when B comes back; B gets it from the backup peer
    const before = peerStatus.sealedRecords as number
    await b.stop()
    const fwd = await a.api('POST', '/api/items', { title: 'Forwarded Title Qx', password: 'forwarded-pw-77' })
    expect(fwd.status).toBe(201)
    await until(
      async () => {
        const s = JSON.parse((await runKith(home, ['status', '--json'])).stdout) as { sealedRecords: number }
        return s.sealedRecords > before
      },
      'the backup peer holding the new envelope',
      20_000,
      200
    )
    await a.stop()
    await b.start()
    expect((await b.kith(['unlock', '--password-stdin'], `${JOIN_PASSWORD}\n`)).code).toBe(0)
    const forwarded = await until(async () => await itemOn(b, fwd.body.id as string), 'the item on B, with A off', 20_000, 100)
    expect(forwarded).toMatchObject({ title: 'Forwarded Title Qx', password: 'forwarded-pw-77' })
    await a.start()
    expect((await a.kith(['unlock', '--password-stdin'], 'correct horse battery staple\n')).code).toBe(0)

    // it holds nothing readable
    const disk = await bytesUnder(home)
    expect(disk.includes(Buffer.from(secret))).toBe(false)
    expect(disk.includes(Buffer.from('Backup Title Zq'))).toBe(false)
    expect(disk.includes(Buffer.from('Forwarded Title Qx'))).toBe(false)
    expect(disk.includes(Buffer.from('forwarded-pw-77'))).toBe(false)

    // a stranger (a device of another roster) gets nothing: no connection, so no reservation and no data
    const c = (await daemons(1))[0] as TestDaemon
    stranger = c
    await c.init()
    expect((await c.kith(['backup', 'add', address, '--json'])).code).toBe(0)
    await new Promise(resolve => setTimeout(resolve, 3000))
    const onC = JSON.parse((await c.kith(['devices', '--json'])).stdout) as DeviceJson[]
    expect(onC.find(d => d.kind === 'backup-peer')).toMatchObject({ online: false, connection: null })
    const cStatus = (await c.api('GET', '/api/status')).body as { multiaddrs: string[] }
    expect(cStatus.multiaddrs.some(m => m.includes('/p2p-circuit'))).toBe(false)
    expect(JSON.parse((await runKith(home, ['status', '--json'])).stdout)).toMatchObject({ devices: 2 })

    // removal works like a device's, and rotates no key
    const removed = await a.kith(['devices', 'revoke', view.id.slice(0, 12), '--password-stdin'], 'correct horse battery staple\n')
    expect(removed.code).toBe(0)
    await until(
      async () => {
        const list = JSON.parse((await b.kith(['devices', '--json'])).stdout) as DeviceJson[]
        return !list.some(d => d.id === view.id)
      },
      'the backup peer gone from B',
      20_000,
      200
    )
  }, 120_000)
})
