/**
 * A new device joins across two NATs through the backup peer (issue 13), in network namespaces with
 * real NAT (test/helpers/natLab.ts): A, in one home behind its router, makes a vault and adds a
 * backup peer on the public network; its invitation carries, besides its own (unreachable) LAN
 * addresses, its address through the backup peer (`BACKUP_ADDR/p2p/BACKUP/p2p-circuit`). A new
 * device C in the other home, with no route to A's, claims the invitation at the backup peer,
 * reaches A through the relay, is approved there, and gets the whole vault. Before that, a stranger
 * in C's home holding a forged invitation (A's id and relayed address, another secret) is refused
 * by the backup peer while A's real invitation is open, and never reaches A. Needs root, `ip` and
 * `nft`: skipped loudly without them, failing under CI=true.
 */
import { describe, it, expect, afterAll } from 'vitest'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { NamespacedDaemon, netnsUnavailable } from '../helpers/netns.js'
import { NatLab, PUBLIC_V4 } from '../helpers/natLab.js'
import { KITH_BIN, TEST_ENV, runKith, type TestDaemon } from '../helpers/daemonProcess.js'
import { JOIN_PASSWORD, approveWhenWaiting, itemOn, until } from '../sync/helpers/daemons.js'
import { decodeInvitation, encodeInvitation } from '../../daemon/pairing/Invitation.js'
import { randomBytes } from '../../daemon/crypto/random.js'
import type { DeviceJson, PendingJoiner } from '../../daemon/api/ports.js'

const inCi = process.env.CI === 'true'
const missing = netnsUnavailable()
if (missing !== '')
  console.warn(
    `\n${'!'.repeat(78)}\n!! ${missing}: the join-across-NATs test is ${inCi ? 'FAILING (CI=true)' : 'SKIPPED'}.\n!! It needs root and the Debian packages iproute2 and nftables.\n${'!'.repeat(78)}\n`
  )

describe('joining across two NATs', () => {
  it.runIf(inCi && missing !== '')('has what it needs under CI', () => {
    expect(missing).toBe('')
  })
})

const ITEMS = 30

describe.skipIf(missing !== '')('a new device behind another NAT joins through the backup peer', () => {
  const lab = new NatLab('bj')
  let peer: ChildProcess | undefined
  let peerHome = ''
  const started: TestDaemon[] = []
  afterAll(async () => {
    for (const d of started) await d.stop().catch(() => {})
    if (peer?.exitCode === null) {
      const exited = new Promise(resolve => peer?.once('exit', resolve))
      peer.kill('SIGTERM')
      await exited
    }
    lab.destroy()
    for (const d of started) await rm(d.home, { recursive: true, force: true })
    if (peerHome !== '') await rm(peerHome, { recursive: true, force: true })
  })

  it('the invitation carries the relayed address; C claims it at the backup peer, is approved and gets the vault; a forged link gets nothing', async () => {
    lab.create(20)
    expect(spawnSync('ip', ['netns', 'exec', lab.ns.b, 'ping', '-c1', '-W1', '192.168.1.2']).status).not.toBe(0)

    peerHome = await mkdtemp(join(tmpdir(), 'kith-bp-join-'))
    peer = spawn(
      'ip',
      [
        'netns',
        'exec',
        lab.ns.pub,
        process.execPath,
        KITH_BIN,
        'backup-peer',
        '--home',
        peerHome,
        '--listen',
        `/ip4/${PUBLIC_V4}/tcp/4001`
      ],
      { env: TEST_ENV, stdio: 'ignore' }
    )
    const held = async (): Promise<number> =>
      (JSON.parse((await runKith(peerHome, ['status', '--json'])).stdout) as { sealedRecords: number }).sealedRecords
    const address = await until(
      async () => {
        const s = JSON.parse((await runKith(peerHome, ['status', '--json'])).stdout) as { address?: string | null }
        return typeof s.address === 'string' ? s.address : undefined
      },
      'the backup peer answering',
      20_000,
      200
    )

    // A makes its vault behind its NAT and adds the backup peer
    const listen = ['--listen', '/ip4/0.0.0.0/tcp/0', '--no-mdns']
    const a = new NamespacedDaemon(await mkdtemp(join(tmpdir(), 'kith-bp-inviter-')), lab.ns.a, listen, TEST_ENV)
    started.push(a)
    await a.start()
    await a.init()
    const ids: string[] = []
    for (let i = 0; i < ITEMS; i++) {
      const res = await a.api('POST', '/api/items', { title: `Home item ${i}`, password: `home-pw-${i}` })
      expect(res.status).toBe(201)
      ids.push(res.body.id as string)
    }
    expect((await a.kith(['backup', 'add', address, '--json'])).code).toBe(0)
    await until(async () => (await held()) >= ITEMS, 'the backup peer holding A’s envelopes', 30_000, 200)
    const aId = (await a.api('GET', '/api/status')).body.deviceId as string
    // the relay serves a circuit only to a device holding a reservation on it
    await until(
      async () => ((await a.api('GET', '/api/status')).body as { multiaddrs: string[] }).multiaddrs.some(m => m.includes('/p2p-circuit')),
      'A’s relay reservation on the backup peer',
      45_000,
      200
    )

    const invite = await a.api('POST', '/api/pairing/invite', {})
    expect(invite.status).toBe(201)
    const link = invite.body.invitation as string
    const inv = decodeInvitation(link)
    const relayed = `${address}/p2p-circuit`
    expect(inv.addrs).toContain(relayed)
    expect(inv.addrs.some(m => m.startsWith('/ip4/192.168.1.2/'))).toBe(true)

    // a stranger behind C's NAT with a forged link (A's id and addresses, another secret): the backup peer does not relay it
    const strangerHome = await mkdtemp(join(tmpdir(), 'kith-bp-stranger-'))
    const stranger = new NamespacedDaemon(strangerHome, lab.ns.b, listen, TEST_ENV)
    started.push(stranger)
    await stranger.start()
    const forged = encodeInvitation({ ...inv, secret: randomBytes(16) })
    const refused = await stranger.api('POST', '/api/pairing/join', { invitation: forged, password: JOIN_PASSWORD })
    expect(refused.status).toBeGreaterThanOrEqual(400)
    expect(JSON.stringify(refused.body)).toMatch(/could not reach the inviting device|refused/)
    expect((await a.api('GET', '/api/pairing/pending')).body as PendingJoiner[]).toEqual([])
    await stranger.stop()

    // C, a new device in the other home, joins with the real link and gets the whole vault
    const cHome = await mkdtemp(join(tmpdir(), 'kith-bp-newdev-'))
    const c = new NamespacedDaemon(cHome, lab.ns.b, listen, TEST_ENV)
    started.push(c)
    await c.start()
    const t0 = Date.now()
    let ended = false
    const joining = c.api('POST', '/api/pairing/join', { invitation: link, password: JOIN_PASSWORD }).finally(() => {
      ended = true
    })
    await approveWhenWaiting(a, c, 'api', () => ended).catch(async err => {
      throw new Error(`${(err as Error).message}: ${JSON.stringify((await joining).body)}\n${c.output.slice(-3000)}`)
    })
    const joined = await joining
    expect(joined.status, JSON.stringify(joined.body)).toBe(201)
    const joinMs = Date.now() - t0
    for (const [i, id] of ids.entries())
      await until(async () => (await itemOn(c, id))?.password === `home-pw-${i}`, `item ${i} on C`, 30_000, 100)
    const vaultMs = Date.now() - t0
    const onC = JSON.parse((await c.kith(['devices', '--json'])).stdout) as DeviceJson[]
    expect(onC.find(d => d.id === aId)?.connection).toBe('relayed')
    expect(onC.find(d => d.kind === 'backup-peer')?.online).toBe(true)

    // and it is an ordinary device now: its edit reaches A through the relay
    expect((await c.api('PATCH', `/api/items/${ids[0] as string}`, { password: 'edited-on-C' })).status).toBe(200)
    await until(async () => (await itemOn(a, ids[0] as string))?.password === 'edited-on-C', 'C’s edit on A', 30_000, 50)
    console.info(
      `join across NATs: C joined through the backup peer in ${joinMs} ms (approval included) and held all ${ITEMS} items ${vaultMs} ms after it started`
    )
  }, 240_000)
})
