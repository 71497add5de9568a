/**
 * One-device figures (issue 2): unlock of 10,000 items at the Argon2id floor, item create through
 * the API, list and search over 10,000 items, resident memory, and cold start of `kith daemon`.
 * Run: npx tsx bench/one-device.ts
 */
import { agent, call } from './apiClient.js'
import { TestDaemon } from '../test/helpers/daemonProcess.js'
import { QUICK, report } from './stats.js'
import { saveResults } from './results.js'

const PASSWORD = 'correct horse battery staple'

async function main(): Promise<void> {
  // cold start: spawn to first answered request
  const starts: number[] = []
  for (let i = 0; i < (QUICK ? 2 : 5); i++) {
    const d = await TestDaemon.create()
    const t0 = performance.now()
    await d.start()
    starts.push(performance.now() - t0)
    await d.destroy()
  }
  report('cold start of kith daemon → first answer', starts, 'ms', '≤ 1500 ms')

  const d = await TestDaemon.create()
  await d.start()
  await d.init(PASSWORD)

  const creates: number[] = []
  for (let i = 0; i < (QUICK ? 300 : 1000); i++) {
    const res = await call(d, 'POST', '/api/items', {
      title: `Site ${i}`,
      username: `user${i}@example.com`,
      password: `pw-${i}-${Math.random()}`,
      urls: [`https://site${i}.example.com/login`],
      notes: 'a short note'
    })
    if (res.status !== 201) throw new Error(JSON.stringify(res.body))
    creates.push(res.ms)
  }
  report('item create via API (sequential)', creates, 'ms', 'p50 ≤ 3 ms, p99 ≤ 20 ms')

  // fill to 10,000 with one import (kith-json), as a person moving in would
  const created = creates.length
  const rest = Array.from({ length: 10_000 - created }, (_, k) => {
    const i = created + k
    return {
      title: `Site ${i}`,
      username: `user${i}@example.com`,
      password: `pw-${i}-${Math.random()}`,
      urls: [`https://site${i}.example.com/login`],
      notes: 'a short note',
      totp: null,
      fields: [],
      tags: [],
      folder: '',
      favorite: false,
      trashed: false
    }
  })
  const file = Buffer.from(JSON.stringify({ format: 'kith-json', version: 1, vault: 'Personal', items: rest }))
  const imported = await call(d, 'POST', '/api/import', { format: 'kith-json', data: file.toString('base64') })
  if (imported.body?.imported !== 10_000 - created) throw new Error(`import failed: ${JSON.stringify(imported.body).slice(0, 300)}`)

  const lists: number[] = []
  const searches: number[] = []
  const misses: number[] = []
  for (let i = 0; i < (QUICK ? 60 : 200); i++) {
    if (i < 30) {
      const all = await call(d, 'GET', '/api/items')
      if (all.body.length !== 10_000) throw new Error(`expected 10000 items, got ${String(all.body.length)}`)
      lists.push(all.ms)
    }
    searches.push((await call(d, 'GET', `/api/items?q=site${1000 + i * 7}.example`)).ms)
    misses.push((await call(d, 'GET', '/api/items?q=no-such-thing')).ms)
  }
  report('first list after the fill (builds the list index)', lists.slice(0, 1), 'ms', '—')
  report('list all 10,000 items via API', lists.slice(1), 'ms', '≤ 20 ms')
  report('search 10,000 items via API (few hits)', searches, 'ms', '≤ 20 ms')
  report('search 10,000 items via API (no hit)', misses, 'ms', '≤ 20 ms')

  const memory = async (): Promise<{ rssMB: number; heapUsedMB: number; heapTotalMB: number }> =>
    (await call(d, 'GET', '/api/status')).body.memory
  const rss: number[] = [(await memory()).rssMB]
  report('daemon RSS right after the fill and 430 lists/searches', rss, 'MB', '— (garbage not yet collected)')
  // the daemon collects once requests have been quiet for 5 s (IdleCollector)
  await new Promise(resolve => setTimeout(resolve, 6500))
  rss.length = 0
  for (let i = 0; i < 5; i++) {
    rss.push((await memory()).rssMB)
    await new Promise(resolve => setTimeout(resolve, 200))
  }
  report('daemon RSS, 10,000 items unlocked (filled, quiet)', rss, 'MB', '≤ 150 MB')

  // the figure a user sees: a daemon started on a vault of 10,000 items, then unlocked
  await d.stop()
  await d.start()
  await call(d, 'POST', '/api/unlock', { password: PASSWORD })
  await call(d, 'GET', '/api/items')
  await new Promise(resolve => setTimeout(resolve, 6500)) // steady state: the daemon collects once requests have paused for 5 s
  rss.length = 0
  for (let i = 0; i < 5; i++) {
    rss.push((await memory()).rssMB)
    await new Promise(resolve => setTimeout(resolve, 200))
  }
  report('daemon RSS, restarted, 10,000 items unlocked', rss, 'MB', '≤ 150 MB')
  process.stdout.write(`  (heap ${JSON.stringify(await memory())})\n`)

  const unlocks: number[] = []
  for (let i = 0; i < (QUICK ? 3 : 9); i++) {
    await call(d, 'POST', '/api/lock')
    const res = await call(d, 'POST', '/api/unlock', { password: PASSWORD })
    if (res.status !== 200) throw new Error(JSON.stringify(res.body))
    unlocks.push(res.ms)
  }
  report('unlock 10,000 items (Argon2id m=64MiB,t=3,p=4)', unlocks, 'ms', 'median ≤ 600 ms')
  await new Promise(resolve => setTimeout(resolve, 6500))
  rss.length = 0
  rss.push((await memory()).rssMB)
  report('daemon RSS after 9 lock/unlock cycles', rss, 'MB', '≤ 150 MB')
  process.stdout.write(`  (heap ${JSON.stringify(await memory())})\n`)
  await d.destroy()
  agent.destroy()
  await saveResults(
    'one-device',
    'kith daemon child with DAEMON_NODE_FLAGS and DAEMON_ENV given (as kith start spawns it), 127.0.0.1, --no-mdns'
  )
}

await main()
