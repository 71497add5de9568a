/**
 * Daemon memory with 10,000 items, for every way a user starts it (`kith daemon` in a terminal,
 * `npm start`, `kith start`). Each run: a new vault, filled by a burst of 10,000 creates through
 * the API from 8 concurrent clients (resident memory right after the burst and 35 s later), then
 * the daemon is stopped and started again the same way, unlocked, listed, and its resident memory
 * read 35 s after that last request. Memory is read from /proc/PID/smaps_rollup of the process
 * that serves the API (after any re-exec); the launcher's own is printed beside it.
 * Targets: ≤ 120 MB 35 s after the last request in every run; ≤ 200 MB right after the burst.
 * Run: npx tsx bench/memory.ts [RUNS] [--quick] [--way "kith daemon"]   (Linux; npm run build first)
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { agent, call } from './apiClient.js'
import { WAYS, type DaemonWay, type RunningDaemon } from './daemonWays.js'
import { QUICK, report, summarize } from './stats.js'
import { judge, saveResults } from './results.js'

const PASSWORD = 'correct horse battery staple'
const ITEMS = 10_000
const CLIENTS = 8
const QUIET_MS = 35_000
const RUNS = Number(process.argv.slice(2).find(a => /^\d+$/.test(a)) ?? (QUICK ? 1 : 5))
const ONLY = process.argv.includes('--way') ? process.argv[process.argv.indexOf('--way') + 1] : undefined
const TARGET_QUIET_MB = 120
const TARGET_BURST_MB = 200

interface Resident {
  rssMB: number
  pssMB: number
  anonMB: number
  fileMB: number
}

async function resident(pid: number): Promise<Resident> {
  const text = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8')
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? NaN)
  const mb = (n: number): number => Math.round(n / 102.4) / 10
  return { rssMB: mb(kb('Rss')), pssMB: mb(kb('Pss')), anonMB: mb(kb('Anonymous')), fileMB: mb(kb('Rss') - kb('Anonymous')) }
}

const sleep = async (ms: number): Promise<void> => {
  await new Promise(resolve => setTimeout(resolve, ms))
}

/** 10,000 creates, one API call each, from CLIENTS concurrent clients. */
async function burst(d: RunningDaemon): Promise<void> {
  let next = 0
  const client = async (): Promise<void> => {
    while (next < ITEMS) {
      const i = next++
      const res = await call(d, 'POST', '/api/items', {
        title: `Site ${i}`,
        username: `user${i}@example.com`,
        password: `pw-${i}-${Math.random()}`,
        urls: [`https://site${i}.example.com/login`],
        notes: 'a short note'
      })
      if (res.status !== 201) throw new Error(`create ${i} failed: ${JSON.stringify(res.body)}`)
    }
  }
  await Promise.all(Array.from({ length: CLIENTS }, client))
}

interface RunFigures {
  burst: number
  burstQuiet: number
  quiet: number
  locked: number
  unlocked: number
  launcher?: Resident
  last: Resident
  heap: Record<string, number>
}

async function run(way: DaemonWay): Promise<RunFigures> {
  const home = await mkdtemp(join(tmpdir(), 'kith-bench-memory-'))
  try {
    let d = await way.start(home)
    const init = await call(d, 'POST', '/api/init', { password: PASSWORD })
    if (init.status !== 201) throw new Error(`init failed: ${JSON.stringify(init.body)}`)
    await burst(d)
    const burstRss = (await resident(d.pid)).rssMB
    await sleep(QUIET_MS)
    const burstQuiet = (await resident(d.pid)).rssMB
    await d.stop()

    d = await way.start(home)
    await sleep(1000)
    const locked = (await resident(d.pid)).rssMB
    const unlock = await call(d, 'POST', '/api/unlock', { password: PASSWORD })
    if (unlock.status !== 200) throw new Error(`unlock failed: ${JSON.stringify(unlock.body)}`)
    const unlocked = (await resident(d.pid)).rssMB
    const list = await call(d, 'GET', '/api/items')
    if (list.body.length !== ITEMS) throw new Error(`expected ${ITEMS} items, got ${String(list.body.length)}`)
    await sleep(QUIET_MS)
    const last = await resident(d.pid)
    const launcher = d.launcherPid === undefined ? undefined : await resident(d.launcherPid).catch(() => undefined)
    const heap = (await call(d, 'GET', '/api/status')).body.memory as Record<string, number>
    await d.stop()
    return { burst: burstRss, burstQuiet, quiet: last.rssMB, locked, unlocked, launcher, last, heap }
  } finally {
    await rm(home, { recursive: true, force: true })
  }
}

async function main(): Promise<void> {
  const ways = WAYS.filter(w => ONLY === undefined || w.name === ONLY)
  process.stdout.write(
    `memory with ${ITEMS} items, ${RUNS} run(s) per way; targets: ≤ ${TARGET_QUIET_MB} MB ${QUIET_MS / 1000} s after the last request in every run, ≤ ${TARGET_BURST_MB} MB right after the burst\n`
  )
  const verdicts: string[] = []
  for (const way of ways) {
    process.stdout.write(`\n== ${way.command}\n`)
    const runs: RunFigures[] = []
    for (let i = 0; i < RUNS; i++) {
      const r = await run(way)
      runs.push(r)
      process.stdout.write(
        `  run ${i + 1}: burst ${r.burst} MB → ${r.burstQuiet} MB 35 s later; restarted: locked ${r.locked}, unlocked ${r.unlocked}, listed and quiet ${r.quiet} MB (files ${r.last.fileMB}, anonymous ${r.last.anonMB}, V8 heap ${r.heap.heapTotalMB} MB / ${r.heap.heapUsedMB} MB live)${r.launcher !== undefined ? `; launcher process ${r.launcher.rssMB} MB (Pss ${r.launcher.pssMB}, anonymous ${r.launcher.anonMB})` : ''}\n`
      )
    }
    const quietLabel = `${way.name}: RSS 35 s after the last request (restart, unlock, list)`
    const burstLabel = `${way.name}: RSS right after the burst (8 clients, 10,000 creates)`
    report(
      quietLabel,
      runs.map(r => r.quiet),
      'MB',
      `≤ ${TARGET_QUIET_MB} MB in every run`
    )
    report(
      burstLabel,
      runs.map(r => r.burst),
      'MB',
      `≤ ${TARGET_BURST_MB} MB`
    )
    report(
      `${way.name}: RSS 35 s after the burst`,
      runs.map(r => r.burstQuiet),
      'MB',
      '—'
    )
    report(
      `${way.name}: RSS restarted on the vault, locked`,
      runs.map(r => r.locked),
      'MB',
      '—'
    )
    report(
      `${way.name}: RSS right after unlock`,
      runs.map(r => r.unlocked),
      'MB',
      '—'
    )
    const launchers = runs.flatMap(r => (r.launcher === undefined ? [] : [r.launcher]))
    if (launchers.length > 0) {
      report(
        `${way.name}: the launcher process (not the daemon), RSS`,
        launchers.map(l => l.rssMB),
        'MB',
        '—'
      )
      report(
        `${way.name}: the launcher process, Pss (its share of shared pages)`,
        launchers.map(l => l.pssMB),
        'MB',
        '—'
      )
    }
    const quietMet = summarize(runs.map(r => r.quiet)).max <= TARGET_QUIET_MB
    const burstMet = summarize(runs.map(r => r.burst)).max <= TARGET_BURST_MB
    judge(quietLabel, quietMet)
    judge(burstLabel, burstMet)
    verdicts.push(`${way.name}: quiet ${quietMet ? 'met' : 'NOT met'}, burst ${burstMet ? 'met' : 'NOT met'}`)
  }
  process.stdout.write(`\n${verdicts.join('\n')}\n`)
  await saveResults('memory', ways.map(w => w.command).join('; '), { runsPerWay: RUNS, items: ITEMS, clients: CLIENTS, quietMs: QUIET_MS })
  agent.destroy()
}

await main()
