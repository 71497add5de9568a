/**
 * Daemon memory with a vault of 10,000 items (issue 2: ≤ 150 MB resident). Fills a vault once,
 * then restarts the daemon RUNS times and reads its resident set from /proc: locked and idle,
 * right after unlock, and steady (after the first list, once the daemon has collected unlock's
 * garbage). Also prints where the memory is: V8 heap, other anonymous memory, mapped files.
 * Run: npx tsx bench/memory.ts [RUNS] [--plain]   (--plain: without DAEMON_ENV, as `npm start` runs it)
 */
import { readFile } from 'node:fs/promises'
import { agent, call } from './apiClient.js'
import { TestDaemon, TEST_ENV } from '../test/helpers/daemonProcess.js'
import { report } from './stats.js'

const PASSWORD = 'correct horse battery staple'
const ITEMS = 10_000
const RUNS = Number(process.argv.slice(2).find(a => /^\d+$/.test(a)) ?? 5)
const PLAIN = process.argv.includes('--plain')

interface Resident { rssMB: number, anonMB: number, fileMB: number }

async function resident (pid: number): Promise<Resident> {
  const text = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8')
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? NaN)
  const mb = (n: number): number => Math.round(n / 102.4) / 10
  return { rssMB: mb(kb('Rss')), anonMB: mb(kb('Anonymous')), fileMB: mb(kb('Rss') - kb('Anonymous')) }
}

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

async function fill (d: TestDaemon): Promise<void> {
  const items = Array.from({ length: ITEMS }, (_, i) => ({ title: `Site ${i}`, username: `user${i}@example.com`, password: `pw-${i}-${Math.random()}`, urls: [`https://site${i}.example.com/login`], notes: 'a short note' }))
  const file = Buffer.from(JSON.stringify({ format: 'kith-json', version: 1, vault: 'Personal', items }))
  const res = await call(d, 'POST', '/api/import', { format: 'kith-json', data: file.toString('base64') })
  if (res.body?.imported !== ITEMS) throw new Error(`import failed: ${JSON.stringify(res.body).slice(0, 300)}`)
}

async function main (): Promise<void> {
  const d = await TestDaemon.create()
  if (PLAIN) d.env = TEST_ENV
  process.stdout.write(`daemon environment: ${PLAIN ? 'plain (as npm start)' : 'DAEMON_ENV (as kith start)'}\n`)
  await d.start()
  await d.init(PASSWORD)
  await fill(d)
  await d.stop()

  const idle: number[] = []
  const unlocked: number[] = []
  const steady: number[] = []
  let last: { res: Resident, heap: Record<string, number> } | undefined
  for (let run = 0; run < RUNS; run++) {
    await d.start()
    const pid = d.child?.pid
    if (pid === undefined) throw new Error('no daemon pid')
    await sleep(1000)
    idle.push((await resident(pid)).rssMB)
    const res = await call(d, 'POST', '/api/unlock', { password: PASSWORD })
    if (res.status !== 200) throw new Error(JSON.stringify(res.body))
    unlocked.push((await resident(pid)).rssMB)
    const list = await call(d, 'GET', '/api/items')
    if (list.body.length !== ITEMS) throw new Error(`expected ${ITEMS} items, got ${String(list.body.length)}`)
    await sleep(6500) // the daemon collects once requests have paused for 5 s (IdleCollector)
    const now = await resident(pid)
    steady.push(now.rssMB)
    last = { res: now, heap: (await call(d, 'GET', '/api/status')).body.memory }
    await d.stop()
  }
  report('daemon RSS, started on 10,000 items, locked', idle, 'MB', '—')
  report('daemon RSS, right after unlock', unlocked, 'MB', '—')
  report('daemon RSS, unlocked and listed (steady)', steady, 'MB', '≤ 150 MB')
  if (last !== undefined) {
    process.stdout.write(`  last run: mapped files ${last.res.fileMB} MB (node binary, libraries, LevelDB tables), anonymous ${last.res.anonMB} MB, of which V8 heap ${last.heap.heapTotalMB} MB (${last.heap.heapUsedMB} MB live)\n`)
  }
  await d.destroy()
  agent.destroy()
}

await main()
