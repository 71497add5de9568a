/**
 * Figures across two NATs (issue 13), in the NAT lab (test/helpers/natLab.ts) with 20 ms of one-way
 * delay on each home's uplink: `kith backup-peer` on the public host, `kith daemon` devices in the
 * two homes behind their routers, started as a user starts them (`--no-mdns`).
 *  - the round trips the targets are stated in: home → public host and back (one uplink), and the
 *    relay round trip, home A → a relay on the public host → home B and back (both uplinks), with
 *    small TCP processes (test/helpers/WanProbe.ts);
 *  - a new device: C, in home B, joins A (in home A) through the backup peer (the invitation
 *    carries A's relayed address; approved at once): from the join's start until C serves the
 *    whole 10,000-item vault;
 *  - propagation of one edit between the two NATed devices, through the relay: from A's PATCH
 *    returning until B serves the edit (polled every 2 ms), both ways;
 *  - catch-up: B was off while A made 1,000 edits and then stopped; B starts and is unlocked: from
 *    the unlock until it serves the last edit, everything from the backup peer.
 * DELAY_MS=0 measures the same lab without delay (bench/results/nat-0ms.json).
 * Needs root (network namespaces), `ip`, `nft`, python3 and /dev/net/tun; without them it says so
 * and exits 0. Run: npx tsx bench/nat.ts [--quick]   (npm run build first; or npm run bench -- --only nat)
 */
import { editNotes, noteOf } from './editNotes.js'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { NatLab, PUBLIC_V4 } from '../test/helpers/natLab.js'
import { delayLinkUnavailable } from '../test/helpers/DelayLink.js'
import { WanProbe } from '../test/helpers/WanProbe.js'
import { NamespacedDaemon, netnsUnavailable } from '../test/helpers/netns.js'
import { KITH_BIN, TEST_ENV } from '../test/helpers/daemonProcess.js'
import { approveWhenWaiting, until } from '../test/sync/helpers/daemons.js'
import type { DeviceJson } from '../daemon/api/ports.js'
import { QUICK, report, summarize } from './stats.js'
import { judge, saveResults } from './results.js'
import { settled, statusOf } from './backupPeerStatus.js'
import { seedItems } from './seedItems.js'

const PASSWORD = 'correct horse battery staple'
const JOIN_PASSWORD = 'another fine password'
// DELAY_MS=0 runs the same lab without delay (plain veth links), to see what the WAN adds
const DELAY_MS = Number(process.env.DELAY_MS ?? 20)
const ITEMS = Number(process.env.ITEMS ?? (QUICK ? 2000 : 10_000))
const EDITS = 1000
const PROPAGATIONS = QUICK ? 20 : 40
const RUNS = QUICK ? 1 : 3
const LISTEN = ['--listen', '/ip4/0.0.0.0/tcp/0', '--no-mdns']

const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))

async function roundTrips(lab: NatLab): Promise<number> {
  const probe = new WanProbe()
  try {
    await probe.echoServer(lab.ns.pub, PUBLIC_V4, 7000)
    for (const [name, ns] of [
      ['A', lab.ns.a],
      ['B', lab.ns.b]
    ] as const) {
      const r = await probe.roundTrips(ns, PUBLIC_V4, 7000, 50)
      report(`TCP round trip home ${name} ↔ public host`, r.rttMs)
      report(`  of which home ${name} → public host (uplink)`, r.outMs)
    }
    await probe.relay(lab.ns.pub, PUBLIC_V4, 7001)
    await probe.echoClient(lab.ns.b, PUBLIC_V4, 7001)
    const relayed = await probe.roundTrips(lab.ns.a, PUBLIC_V4, 7001, 50)
    report('relay round trip A → public host → B → A', relayed.rttMs)
    report('  of which A → B one way', relayed.outMs)
    return summarize(relayed.rttMs).median
  } finally {
    probe.stop()
  }
}

async function startBackupPeer(lab: NatLab, home: string): Promise<{ child: ChildProcess; address: string }> {
  const child = spawn(
    'ip',
    ['netns', 'exec', lab.ns.pub, process.execPath, KITH_BIN, 'backup-peer', '--home', home, '--listen', `/ip4/${PUBLIC_V4}/tcp/4001`],
    { env: TEST_ENV, stdio: 'ignore' }
  )
  const address = await until(
    async () => ((await statusOf(home).catch(() => ({}))) as { address?: string }).address,
    'the backup peer answering',
    30_000,
    200
  )
  return { child, address }
}

/** C, new in home B, joins A through the backup peer; ms from the join's start until C serves all `ids`. */
async function joinThroughBackupPeer(a: NamespacedDaemon, c: NamespacedDaemon, ids: string[]): Promise<number> {
  const invite = await a.api('POST', '/api/pairing/invite', {})
  if (invite.status !== 201) throw new Error(`invite failed: ${JSON.stringify(invite.body)}`)
  await c.start()
  const aLogFrom = a.output.length
  const t0 = performance.now()
  let ended = false
  const joining = c.api('POST', '/api/pairing/join', { invitation: invite.body.invitation, password: JOIN_PASSWORD }).finally(() => {
    ended = true
  })
  await approveWhenWaiting(a, c, 'api', () => ended)
  const joined = await joining
  if (joined.status !== 201) throw new Error(`join through the backup peer failed: ${JSON.stringify(joined.body)}`)
  await until(async () => (await c.api('GET', `/api/items/${ids.at(-1) as string}`)).status === 200, 'the last item on C', 120_000, 20)
  await until(
    async () => ((await c.api('GET', '/api/items?vault=Personal')).body as unknown[]).length === ids.length,
    'the whole vault on C',
    120_000,
    50
  )
  const ms = performance.now() - t0
  const devices = JSON.parse((await c.kith(['devices', '--json'])).stdout) as DeviceJson[]
  const toA = devices.find(d => !d.self && d.kind === 'device')?.connection
  process.stdout.write(`  C joined in ${ms.toFixed(0)} ms; its connection to A: ${String(toA)}\n`)
  // BENCH_DUMP_LOGS=1: what both said during the join (where a slow join spends its time)
  if (process.env.BENCH_DUMP_LOGS === '1')
    process.stdout.write(`--- C:\n${c.output}\n--- A during the join:\n${a.output.slice(aLogFrom)}\n`)
  return ms
}

async function propagation(from: NamespacedDaemon, to: NamespacedDaemon, ids: string[], label: string): Promise<number[]> {
  const samples: number[] = []
  for (let i = 0; i < PROPAGATIONS; i++) {
    const id = ids[i % ids.length] as string
    const password = `${label}-${i}-${Math.random().toString(36).slice(2)}`
    const res = await from.api('PATCH', `/api/items/${id}`, { password })
    if (res.status !== 200) throw new Error(`edit failed: ${JSON.stringify(res.body)}`)
    const t0 = performance.now()
    await until(async () => (await to.api('GET', `/api/items/${id}`)).body?.password === password, `edit ${i} ${label}`, 30_000, 2)
    samples.push(performance.now() - t0)
    await sleep(20 + Math.random() * 30)
  }
  return samples
}

async function main(): Promise<void> {
  const missing = netnsUnavailable() || delayLinkUnavailable()
  if (missing !== '') {
    process.stdout.write(
      `bench nat: NOT RUN (${missing}): it builds network namespaces with NAT and needs root, ip, nft, python3 and /dev/net/tun\n`
    )
    return
  }
  const lab = new NatLab('nb')
  const dir = await mkdtemp(join(tmpdir(), 'kith-bench-nat-'))
  const devices: NamespacedDaemon[] = []
  let peer: ChildProcess | undefined
  const loadAtStart = loadavg().map(x => Math.round(x * 100) / 100)
  try {
    lab.create(DELAY_MS)
    if (lab.delayMissing !== '') {
      process.stdout.write(`bench nat: NOT RUN: the lab could not add its WAN delay (${lab.delayMissing})\n`)
      return
    }
    process.stdout.write(`load average at the start: ${loadAtStart.join(' ')} (other work on this host slows every figure)\n`)
    const relayRtt = await roundTrips(lab)

    const started = await startBackupPeer(lab, join(dir, 'peer'))
    peer = started.child
    const device = async (name: string, ns: string): Promise<NamespacedDaemon> => {
      const d = new NamespacedDaemon(await mkdtemp(join(dir, `${name}-`)), ns, LISTEN, TEST_ENV)
      devices.push(d)
      return d
    }
    const a = await device('a', lab.ns.a)
    await a.start()
    await a.init(PASSWORD)
    await seedItems(a, ITEMS)
    const ids = ((await a.api('GET', '/api/items?vault=Personal')).body as Array<{ id: string }>).map(i => i.id)
    if ((await a.kith(['backup', 'add', started.address, '--json'])).code !== 0) throw new Error('backup add failed')
    await until(
      async () => ((await a.api('GET', '/api/status')).body as { multiaddrs: string[] }).multiaddrs.some(m => m.includes('/p2p-circuit')),
      'A’s relay reservation on the backup peer',
      60_000,
      200
    )
    const held = await settled(join(dir, 'peer'))
    process.stdout.write(`the backup peer holds ${String(held.sealedRecords)} sealed records of A's ${ITEMS}-item vault\n`)

    // a new device behind the other NAT gets the whole vault through the backup peer
    const joins: number[] = []
    let b: NamespacedDaemon | undefined
    for (let run = 0; run < RUNS; run++) {
      const c = await device(`c${run}`, lab.ns.b)
      joins.push(await joinThroughBackupPeer(a, c, ids))
      if (run < RUNS - 1) {
        const cId = (await c.api('GET', '/api/status')).body.deviceId as string
        await c.destroy()
        if ((await a.api('DELETE', `/api/devices/${cId}`)).status !== 200) throw new Error('revoking a joined device failed')
      } else b = c
    }
    const joinLabel = `new device behind NAT: join → ${ITEMS} items served`
    report(joinLabel, joins, 'ms', '≤ 5000 ms')
    judge(joinLabel, summarize(joins).median <= 5000)
    if (b === undefined) throw new Error('no device joined')

    // one edit between the two NATed devices, through the relay
    const bDevices = JSON.parse((await b.kith(['devices', '--json'])).stdout) as DeviceJson[]
    const connection = bDevices.find(d => !d.self && d.kind === 'device')?.connection
    process.stdout.write(`B's connection to A: ${String(connection)}\n`)
    const target = `p50 ≤ relay round trip + 10 ms = ${(relayRtt + 10).toFixed(1)} ms`
    const ab = await propagation(a, b, ids, 'A→B')
    report(`propagation of one edit A→B (${String(connection)})`, ab, 'ms', target)
    judge(`propagation of one edit A→B (${String(connection)})`, summarize(ab).median <= relayRtt + 10)
    const ba = await propagation(b, a, ids, 'B→A')
    report(`propagation of one edit B→A (${String(connection)})`, ba, 'ms', target)
    judge(`propagation of one edit B→A (${String(connection)})`, summarize(ba).median <= relayRtt + 10)

    // catch-up of 1,000 edits from the backup peer, with A off
    const catchUp: number[] = []
    const unlocks: number[] = []
    const firsts: number[] = []
    for (let run = 0; run < RUNS; run++) {
      await b.stop()
      const last = await editNotes(a, ids, run, EDITS)
      await settled(join(dir, 'peer'))
      await a.stop()
      await b.start()
      const t0 = performance.now()
      if ((await b.api('POST', '/api/unlock', { password: JOIN_PASSWORD })).status !== 200) throw new Error('unlock of B failed')
      unlocks.push(performance.now() - t0)
      // the first edit served tells the connection and the start of sync apart from the rest of the transfer
      let first = 0
      const expected = noteOf(run, EDITS - 1)
      await until(
        async () => {
          if (first === 0 && (await b.api('GET', `/api/items/${ids[0] as string}`)).body?.notes === `run ${run} edit 0`)
            first = performance.now() - t0
          return (await b.api('GET', `/api/items/${last}`)).body?.notes === expected
        },
        'B caught up',
        60_000,
        10
      )
      catchUp.push(performance.now() - t0)
      firsts.push(first === 0 ? (catchUp.at(-1) as number) : first)
      process.stdout.write(
        `  catch-up run ${run}: ${catchUp.at(-1)?.toFixed(0)} ms (unlock ${unlocks.at(-1)?.toFixed(0)} ms, first edit served at ${firsts.at(-1)?.toFixed(0)} ms)\n`
      )
      await a.start()
      if ((await a.api('POST', '/api/unlock', { password: PASSWORD })).status !== 200) throw new Error('unlock of A failed')
    }
    const catchLabel = `catch-up of ${EDITS} edits from the backup peer, behind NAT (unlock → last edit served)`
    report(catchLabel, catchUp, 'ms', '≤ 2000 ms')
    report('  of which B’s unlock', unlocks)
    report('  unlock → the first edit served', firsts)
    judge(catchLabel, summarize(catchUp).median <= 2000)
  } finally {
    for (const d of devices) await d.destroy().catch(() => {})
    if (peer?.exitCode === null) {
      const exited = new Promise(resolve => peer?.once('exit', resolve))
      peer.kill('SIGTERM')
      await exited
    }
    lab.destroy()
    await rm(dir, { recursive: true, force: true })
  }
  await saveResults(
    DELAY_MS === 20 ? 'nat' : `nat-${DELAY_MS}ms`,
    `NAT lab (network namespaces, ${DELAY_MS} ms one-way on each home's uplink): kith backup-peer and kith daemon children, --no-mdns`,
    {
      delayMs: DELAY_MS,
      loadAverageAtStart: loadAtStart,
      items: ITEMS
    }
  )
}

main().catch(err => {
  console.error(err)
  process.exit(1)
})
