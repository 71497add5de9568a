/**
 * Two devices behind two NATs sync through their backup peer (issue 13), in network namespaces with
 * real NAT (test/helpers/natLab.ts; 20 ms of delay on each home's uplink). A and B are paired on this
 * machine's loopback first, the backup peer is added, then each restarts in its own home behind its
 * router, where neither can dial the other: an edit made on A reaches B through the relay, and one
 * made on B reaches A; with A and B never online together, every edit still reaches the other
 * through the backup peer's store and forward. DCUtR hole punching is attempted on each relayed
 * connection and its outcome asserted and printed: over TCP it cannot upgrade (each side offers no
 * public address, and libp2p dials from ports its NAT has no mapping for), while the same NATs do let
 * a simultaneous open through between sockets bound to the ports aimed at, and a UDP hole punch between
 * sockets that send from the port they receive on (QUIC over @chainsafe/libp2p-quic does not: its dials
 * leave from a socket of their own, docs/decisions/0019). Needs root, `ip`, `nft` and python3 (the
 * delay; test/helpers/DelayLink.ts): skipped loudly without them, failing under CI=true.
 */
import { describe, it, expect, afterAll } from 'vitest'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { NamespacedDaemon, netnsUnavailable } from '../helpers/netns.js'
import { NatLab, PUBLIC_V4 } from '../helpers/natLab.js'
import { delayLinkUnavailable } from '../helpers/DelayLink.js'
import { KITH_BIN, TEST_ENV, runKith, type TestDaemon } from '../helpers/daemonProcess.js'
import { JOIN_PASSWORD, PASSWORD, daemons, itemOn, pairByApi, until } from '../sync/helpers/daemons.js'
import type { DeviceJson } from '../../daemon/api/ports.js'

const inCi = process.env.CI === 'true'
const missing = netnsUnavailable() || delayLinkUnavailable()
if (missing !== '')
  console.warn(
    `\n${'!'.repeat(78)}\n!! ${missing}: the backup-peer NAT test is ${inCi ? 'FAILING (CI=true)' : 'SKIPPED'}.\n!! It needs root, python3 and the Debian packages iproute2 and nftables.\n${'!'.repeat(78)}\n`
  )

describe('backup peer across two NATs', () => {
  it.runIf(inCi && missing !== '')('has what it needs under CI', () => {
    expect(missing).toBe('')
  })
})

describe.skipIf(missing !== '')('two devices behind two NATs sync through their backup peer', () => {
  const lab = new NatLab('bp')
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

  it('edits flow both ways through the relay, and while never online together; hole punching is attempted and reported', async () => {
    lab.create(20)
    expect(lab.delayMissing).toBe('')
    // the homes cannot reach each other, by LAN or WAN address
    const reach = spawnSync('ip', ['netns', 'exec', lab.ns.a, 'ping', '-c1', '-W1', '192.168.2.2'])
    expect(reach.status).not.toBe(0)

    peerHome = await mkdtemp(join(tmpdir(), 'kith-bp-nat-'))
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
    const address = await until(
      async () => {
        const s = JSON.parse((await runKith(peerHome, ['status', '--json'])).stdout) as { address?: string | null }
        return typeof s.address === 'string' ? s.address : undefined
      },
      'the backup peer answering',
      20_000,
      200
    )
    expect(address.startsWith(`/ip4/${PUBLIC_V4}/tcp/4001/p2p/`)).toBe(true)

    // paired on loopback, the backup peer added, then both stopped
    const [a0, b0] = await daemons(2)
    started.push(a0, b0)
    await a0.init()
    await pairByApi(a0, b0)
    expect((await a0.kith(['backup', 'add', address, '--json'])).code).toBe(0)
    await until(async () => {
      const list = JSON.parse((await b0.kith(['devices', '--json'])).stdout) as DeviceJson[]
      return list.some(d => d.kind === 'backup-peer')
    }, 'B learning the backup peer from the roster')
    await a0.stop()
    await b0.stop()
    started.length = 0

    // each behind its own NAT
    const listen = ['--listen', '/ip4/0.0.0.0/tcp/0', '--no-mdns']
    // libp2p's own DCUtR log (stderr) is how the hole punching attempt and its outcome are seen
    const dcutrEnv = { ...TEST_ENV, DEBUG: 'libp2p:dcutr*' }
    const a = new NamespacedDaemon(a0.home, lab.ns.a, listen, dcutrEnv)
    const b = new NamespacedDaemon(b0.home, lab.ns.b, listen, dcutrEnv)
    started.push(a, b)
    await a.start()
    await b.start()
    expect((await a.kith(['unlock', '--password-stdin'], `${PASSWORD}\n`)).code).toBe(0)
    expect((await b.kith(['unlock', '--password-stdin'], `${JOIN_PASSWORD}\n`)).code).toBe(0)

    const t0 = Date.now()
    const add = await a.api('POST', '/api/items', { title: 'Across NAT', password: 'nat-pw-1' })
    expect(add.status).toBe(201)
    const id = add.body.id as string
    await until(async () => (await itemOn(b, id))?.password === 'nat-pw-1', "A's item on B", 60_000, 100)
    const firstMs = Date.now() - t0
    const viaB = JSON.parse((await b.kith(['devices', '--json'])).stdout) as DeviceJson[]
    const aOnB = viaB.find(d => d.id === (a.info as { deviceId?: string }).deviceId) ?? viaB.find(d => !d.self && d.kind === 'device')
    expect(aOnB?.connection).toBe('relayed')

    expect((await b.api('PATCH', `/api/items/${id}`, { password: 'nat-pw-2' })).status).toBe(200)
    const t1 = Date.now()
    await until(async () => (await itemOn(a, id))?.password === 'nat-pw-2', "B's edit on A", 30_000, 20)
    const editMs = Date.now() - t1
    // through the relay, edit after edit: from B's PATCH returning to A's API serving it (polled every 2 ms)
    const relayedMs: number[] = []
    for (let i = 0; i < 15; i++) {
      expect((await b.api('PATCH', `/api/items/${id}`, { password: `relayed-${i}` })).status).toBe(200)
      const t = Date.now()
      await until(async () => (await itemOn(a, id))?.password === `relayed-${i}`, `relayed edit ${i} on A`, 30_000, 2)
      relayedMs.push(Date.now() - t)
    }
    relayedMs.sort((x, y) => x - y)
    expect((await b.api('PATCH', `/api/items/${id}`, { password: 'nat-pw-2' })).status).toBe(200)
    await until(async () => (await itemOn(a, id))?.password === 'nat-pw-2', "B's edit on A again", 30_000, 20)

    // never online together: A writes and stops; B starts, gets it, writes and stops; A starts and gets that
    const held = async (): Promise<number> =>
      (JSON.parse((await runKith(peerHome, ['status', '--json'])).stdout) as { sealedRecords: number }).sealedRecords
    await b.stop()
    let before = await held()
    const apart = await a.api('POST', '/api/items', { title: 'Written while B is off', password: 'apart-1' })
    await until(async () => (await held()) > before, 'the backup peer holding A’s envelope', 20_000, 100)
    await a.stop()
    await b.start()
    expect((await b.kith(['unlock', '--password-stdin'], `${JOIN_PASSWORD}\n`)).code).toBe(0)
    await until(async () => (await itemOn(b, apart.body.id as string))?.password === 'apart-1', 'A’s item on B, A off', 60_000, 100)
    before = await held()
    const back = await b.api('POST', '/api/items', { title: 'Written while A is off', password: 'apart-2' })
    await until(async () => (await held()) > before, 'the backup peer holding B’s envelope', 20_000, 100)
    await b.stop()
    await a.start()
    expect((await a.kith(['unlock', '--password-stdin'], `${PASSWORD}\n`)).code).toBe(0)
    await until(async () => (await itemOn(a, back.body.id as string))?.password === 'apart-2', 'B’s item on A, B off', 60_000, 100)
    expect((await itemOn(a, id))?.password).toBe('nat-pw-2')
    await b.start()

    // DCUtR: attempted on every relayed connection, its outcome reported (docs/protocol.md, "Hole punching")
    await new Promise(resolve => setTimeout(resolve, 10_000))
    const after = (JSON.parse((await b.kith(['devices', '--json'])).stdout) as DeviceJson[]).find(d => d.id === aOnB?.id)
    const dcutr = [a, b].flatMap(d => d.output.split('\n').filter(l => l.includes('libp2p:dcutr')))
    expect(dcutr.some(l => /sending connect|receiving connect/.test(l))).toBe(true)
    // js-libp2p's identify drops every TCP observed address (and libp2p counts this lab's 203.0.113.0/24 WAN as
    // private anyway), so each side offers only private and relayed addresses
    const noAddress = dcutr.some(l => l.includes('had no dialable multiaddrs'))
    if (after?.connection !== 'direct') expect(noAddress).toBe(true)
    // the NATs themselves let a hole punch through between sockets bound to the ports aimed at, and not from
    // a port the kernel picks, which is how libp2p's TCP dials leave (its listener holds the port)
    expect(await lab.simultaneousOpen()).toBe(true)
    expect(await lab.simultaneousOpen(4000, true)).toBe(false)
    // over UDP too: a hole punch passes between sockets that send and receive on one port, and not when each
    // side receives on one socket and sends from another, as @chainsafe/libp2p-quic does (docs/decisions/0019)
    expect(await lab.udpHolePunch()).toBe(true)
    expect(await lab.udpHolePunch(4000, true)).toBe(false)
    console.info(
      `backup peer across NATs: first item A→B in ${firstMs} ms (with start-up), an edit B→A in ${editMs} ms, relayed edits B→A p50 ${relayedMs[7]} ms (min ${relayedMs[0]}, max ${relayedMs[14]}, n=15); after 10 s the connection is ${String(after?.connection)} (hole punching attempted ${dcutr.filter(l => l.includes('sending connect')).length} times; ${after?.connection === 'direct' ? 'it upgraded the connection' : `it did not upgrade it${noAddress ? ': neither side had a public address to offer' : ''}`})`
    )
  }, 180_000)
})
