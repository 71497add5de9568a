/**
 * A backup peer's figures (issue 13), on loopback: `kith backup-peer` and `kith daemon` devices as a
 * user starts them, 127.0.0.1 only, no WAN delay (the same figures across two NATs with 20 ms on each
 * uplink: bench/nat.ts).
 *  - catch-up: B was off while A made 1,000 edits and then stopped; B starts and is unlocked: from
 *    its API answering until it serves the last edit, every edit coming from the backup peer;
 *  - a new device: C joins A (approved at once); from the join's start until C lists the 10,000
 *    items (A and the backup peer both online, both may serve it);
 *  - the backup peer with 10 vaults of 10,000 items each: its RSS once quiet, its data directory,
 *    and its CPU over 30 s with 3 devices connected and idle; then its RSS 30 s after a restart.
 * Run: npx tsx bench/backup-peer.ts [--quick]   (npm run build first, so the daemons run the bundle)
 */
import { editNotes, noteOf } from './editNotes.js'
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readDaemonInfo } from '../daemon/cli/DaemonClient.js'
import { KITH_BIN, TestDaemon, TEST_ENV } from '../test/helpers/daemonProcess.js'
import { pairByApi, until } from '../test/sync/helpers/daemons.js'
import { QUICK, report, summarize } from './stats.js'
import { judge, record, saveResults } from './results.js'
import { settled, statusOf } from './backupPeerStatus.js'

const PASSWORD = 'correct horse battery staple'
const JOIN_PASSWORD = 'another fine password'
const EDITS = 1000
const ITEMS = Number(process.env.ITEMS ?? (QUICK ? 2000 : 10_000))
const VAULTS = Number(process.env.VAULTS ?? (QUICK ? 3 : 10))
const RUNS = QUICK ? 1 : 3
const IDLE_SECONDS = QUICK ? 10 : 30

const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))

function cpuTicks(pid: number): number {
  const fields =
    execFileSync('cat', [`/proc/${pid}/stat`], { encoding: 'utf8' })
      .split(') ')[1]
      ?.split(' ') ?? []
  return Number(fields[11]) + Number(fields[12])
}
/** Resident MB: the whole, its anonymous part (the process's own) and its file pages (the Node binary, LevelDB's mapped tables). */
async function residentMb(pid: number): Promise<{ rss: number; anon: number; file: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kb = (name: string): number => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024
  return { rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile') }
}
const duMb = (dir: string): number => Number(execFileSync('du', ['-sk', dir], { encoding: 'utf8' }).split('\t')[0]) / 1024

async function importInto(d: TestDaemon, vault: string, count: number): Promise<void> {
  const items = Array.from({ length: count }, (_, i) => ({
    title: `${vault} site ${i}`,
    username: `user${i}@example.com`,
    password: `pw-${i}-${Math.random().toString(36).slice(2)}`,
    urls: [`https://site${i}.example.com/login`],
    notes: '',
    totp: null,
    fields: [],
    tags: [],
    folder: '',
    favorite: false,
    trashed: false
  }))
  const file = Buffer.from(JSON.stringify({ format: 'kith-json', version: 1, vault, items }))
  const res = await d.api('POST', '/api/import', { format: 'kith-json', data: file.toString('base64'), vault })
  if (res.body?.imported !== count) throw new Error(`import failed: ${JSON.stringify(res.body).slice(0, 300)}`)
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'kith-bench-backup-'))
  const peerHome = join(dir, 'peer')
  const startPeer = (): ChildProcess =>
    spawn(process.execPath, [KITH_BIN, 'backup-peer', '--home', peerHome, '--listen', '/ip4/127.0.0.1/tcp/0'], {
      env: TEST_ENV,
      stdio: 'ignore'
    })
  let peer = startPeer()
  const devices: TestDaemon[] = []
  try {
    const address = (await until(
      async () => ((await statusOf(peerHome).catch(() => ({}))) as { address?: string }).address,
      'the backup peer',
      30_000,
      200
    )) as string
    const peerPid = (await readDaemonInfo(peerHome))?.pid as number
    const [a, b] = [await TestDaemon.create(), await TestDaemon.create()]
    devices.push(a, b)
    await a.start()
    await b.start()
    await a.init(PASSWORD)
    await pairByApi(a, b, JOIN_PASSWORD)
    const added = await a.kith(['backup', 'add', address, '--json'])
    if (added.code !== 0) throw new Error(`backup add failed: ${added.stderr}`)
    await importInto(a, 'Personal', ITEMS)
    await settled(peerHome)

    // catch-up: 1,000 edits made while B was off, fetched from the backup peer with A off too
    const ids = ((await a.api('GET', '/api/items?vault=Personal')).body as Array<{ id: string }>).map(i => i.id)
    const catchUp: number[] = []
    const unlocks: number[] = []
    for (let run = 0; run < RUNS; run++) {
      await b.stop()
      const last = await editNotes(a, ids, run, EDITS)
      await settled(peerHome)
      await a.stop()
      await b.start()
      const t0 = performance.now()
      if ((await b.api('POST', '/api/unlock', { password: JOIN_PASSWORD })).status !== 200) throw new Error('unlock of B failed')
      unlocks.push(performance.now() - t0)
      await until(
        async () => ((await b.api('GET', `/api/items/${last}`)).body?.notes === noteOf(run, EDITS - 1) ? true : undefined),
        'B caught up',
        60_000,
        10
      )
      catchUp.push(performance.now() - t0)
      if (process.env.BENCH_DUMP_LOGS !== undefined)
        await writeFile(
          `${process.env.BENCH_DUMP_LOGS}-b${run}.log`,
          `unlock at ${new Date(Date.now() - (performance.now() - t0)).toISOString()}\n${b.output}`
        )
      await a.start()
      if ((await a.api('POST', '/api/unlock', { password: PASSWORD })).status !== 200) throw new Error('unlock of A failed')
    }
    report('catch-up of 1,000 edits from the backup peer (B: API up → last edit served)', catchUp, 'ms', '≤ 2000 ms')
    report('  of which B’s unlock (10,000 items and what arrived while locked)', unlocks, 'ms')
    record({
      label: 'catch-up of 1,000 edits from the backup peer',
      unit: 'ms',
      ...summarize(catchUp),
      target: '≤ 2000 ms',
      samples: catchUp
    })
    judge('catch-up of 1,000 edits from the backup peer', summarize(catchUp).median <= 2000)

    // a new device gets the whole vault
    const c = await TestDaemon.create()
    devices.push(c)
    await c.start()
    const t0 = performance.now()
    await pairByApi(a, c, JOIN_PASSWORD)
    await until(
      async () => (((await c.api('GET', '/api/items?vault=Personal')).body as unknown[] | undefined)?.length === ITEMS ? true : undefined),
      'C has the vault',
      120_000,
      50
    )
    const join = performance.now() - t0
    report(`new device: join → ${ITEMS} items listed (A and the backup peer online)`, [join], 'ms', '≤ 5000 ms')
    record({ label: 'new device: join → whole vault', unit: 'ms', ...summarize([join]), target: '≤ 5000 ms', samples: [join] })
    judge('new device: join → whole vault', join <= 5000)

    // the backup peer with more vaults, then quiet with three devices connected
    for (let v = 1; v < VAULTS; v++) {
      if ((await a.api('POST', '/api/vaults', { name: `Vault ${v}` })).status !== 201) throw new Error('vault create failed')
      await importInto(a, `Vault ${v}`, ITEMS)
    }
    const quiet = await settled(peerHome)
    // idle means idle: the burst of ten imports leaves V8, LevelDB's compactions and the idle collector busy for a while
    await sleep(QUICK ? 10_000 : 30_000)
    const { rss, anon, file } = await residentMb(peerPid)
    const disk = duMb(peerHome)
    process.stdout.write(
      `backup peer: ${String(quiet.vaults)} vaults, ${String(quiet.sealedRecords)} sealed records, RSS ${rss.toFixed(1)} MB (anonymous ${anon.toFixed(1)}, file ${file.toFixed(1)}), data ${disk.toFixed(1)} MB\n`
    )
    record({
      label: `backup peer RSS, ${VAULTS} vaults × ${ITEMS} items, quiet`,
      unit: 'MB',
      ...summarize([rss]),
      target: '≤ 100 MB',
      samples: [rss]
    })
    judge(`backup peer RSS, ${VAULTS} vaults × ${ITEMS} items, quiet`, rss <= 100)
    record({ label: `backup peer data directory, ${VAULTS} vaults × ${ITEMS} items`, unit: 'MB', ...summarize([disk]), samples: [disk] })
    const t1 = cpuTicks(peerPid)
    await sleep(IDLE_SECONDS * 1000)
    const cpu = ((cpuTicks(peerPid) - t1) / 100 / IDLE_SECONDS) * 100
    process.stdout.write(`backup peer idle CPU with 3 devices connected: ${cpu.toFixed(2)} % of a core over ${IDLE_SECONDS} s\n`)
    record({
      label: 'backup peer idle CPU, 3 devices connected',
      unit: '% of a core',
      ...summarize([cpu]),
      target: '≤ 0.5 %',
      samples: [cpu]
    })
    judge('backup peer idle CPU, 3 devices connected', cpu <= 0.5)

    // restarted: opening the ten vaults, and the three devices connecting again
    const exited = new Promise(resolve => peer.once('exit', resolve))
    peer.kill('SIGTERM')
    await exited
    peer = startPeer()
    await until(
      async () => ((await statusOf(peerHome).catch(() => ({}))) as { address?: string }).address,
      'the backup peer again',
      30_000,
      200
    )
    const againPid = (await readDaemonInfo(peerHome))?.pid as number
    await sleep(QUICK ? 10_000 : 30_000)
    const again = await residentMb(againPid)
    const reconnected = ((await statusOf(peerHome)).sync as { peers?: unknown[] } | undefined)?.peers?.length ?? 0
    process.stdout.write(
      `backup peer restarted, ${reconnected} devices connected again: RSS ${again.rss.toFixed(1)} MB (anonymous ${again.anon.toFixed(1)}, file ${again.file.toFixed(1)})\n`
    )
    record({
      label: `backup peer RSS after a restart, ${VAULTS} vaults × ${ITEMS} items, quiet`,
      unit: 'MB',
      ...summarize([again.rss]),
      target: '≤ 100 MB',
      samples: [again.rss]
    })
  } finally {
    for (const d of devices) await d.destroy().catch(() => {})
    peer.kill('SIGTERM')
    await sleep(500)
    await rm(dir, { recursive: true, force: true })
  }
  await saveResults('backup-peer', 'kith backup-peer and kith daemon children on 127.0.0.1, --no-mdns')
}

main().catch(err => {
  console.error(err)
  process.exit(1)
})
