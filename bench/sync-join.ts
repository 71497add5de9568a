/**
 * A new device joining a 10,000-item vault (issue 3): from the moment `pair join` starts until the
 * new daemon's API lists all 10,000 items. Measured three ways: through the API with the Argon2id
 * floor (KITH_KDF_MS=0, as the tests run), through the API with the default Argon2id tuning
 * (~0.5 s, as a user runs), and through the `kith pair join` CLI (process start included). A
 * person's approval on A is replaced by an approval as soon as B waits (the time a person takes to
 * compare the words is not measured; the approval's round trip is).
 * Run: npx tsx bench/sync-join.ts   (npm run build first, so the daemons and CLI run the bundle)
 */
import { agent, call } from './apiClient.js'
import { TestDaemon } from '../test/helpers/daemonProcess.js'
import { approveWhenWaiting } from '../test/sync/helpers/daemons.js'
import { record, saveResults } from './results.js'
import { summarize } from './stats.js'

const PASSWORD = 'correct horse battery staple'
const ITEMS = Number(process.env.ITEMS ?? 10_000)

async function count(d: TestDaemon): Promise<number> {
  const res = await call(d, 'GET', '/api/items')
  return res.status === 200 && Array.isArray(res.body) ? res.body.length : 0
}

/** Joins `b` to `a` and returns ms from the join's start until b's API lists every item. */
async function join(a: TestDaemon, b: TestDaemon, how: 'api' | 'cli'): Promise<{ total: number; joinReturned: number }> {
  const { invitation } = (await call(a, 'POST', '/api/pairing/invite', {})).body
  const t0 = performance.now()
  let joinReturned = 0
  if (how === 'api') {
    const joining = call(b, 'POST', '/api/pairing/join', { invitation, password: PASSWORD })
    await approveWhenWaiting(a, b)
    const res = await joining
    if (res.status !== 201) throw new Error(`join failed: ${JSON.stringify(res.body)}`)
  } else {
    const joining = b.kith(['pair', 'join', '--password-stdin', '--json'], `${invitation}\n${PASSWORD}\n`)
    await approveWhenWaiting(a, b)
    const res = await joining
    if (res.code !== 0) throw new Error(`join failed: ${res.stderr}`)
  }
  joinReturned = performance.now() - t0
  while ((await count(b)) < ITEMS) await new Promise(resolve => setTimeout(resolve, 5))
  return { total: performance.now() - t0, joinReturned }
}

async function main(): Promise<void> {
  const a = await TestDaemon.create()
  const joiners: TestDaemon[] = []
  try {
    await a.start()
    await a.init(PASSWORD)
    const t0 = performance.now()
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < ITEMS) {
        const i = next++
        const res = await call(a, 'POST', '/api/items', {
          title: `Site ${i}`,
          username: `user${i}@example.com`,
          password: `pw-${i}-${Math.random().toString(36).slice(2)}`,
          urls: [`https://site${i}.example.com/login`],
          notes: i % 10 === 0 ? `note for ${i}` : ''
        })
        if (res.status !== 201) throw new Error(`create failed: ${JSON.stringify(res.body)}`)
      }
    }
    await Promise.all(Array.from({ length: 8 }, worker))
    process.stdout.write(
      `created ${ITEMS} items on A through the API in ${((performance.now() - t0) / 1000).toFixed(1)} s (one envelope each; snapshots every 300)\n`
    )
    // the way the vault sits on disk after a restart: snapshots plus the envelopes after them
    await a.stop()
    await a.start()
    await call(a, 'POST', '/api/unlock', { password: PASSWORD })

    const runs: Array<[string, TestDaemon, 'api' | 'cli']> = [
      ['join via API, Argon2id floor', await TestDaemon.create(), 'api'],
      ['join via API, Argon2id floor', await TestDaemon.create(), 'api'],
      ['join via API, default Argon2id tuning', await TestDaemon.create(['--kdf-ms', '500']), 'api'],
      ['join via `kith pair join` CLI, Argon2id floor', await TestDaemon.create(), 'cli']
    ]
    for (const [label, b, how] of runs) {
      joiners.push(b)
      await b.start()
      const { total, joinReturned } = await join(a, b, how)
      record({
        label: `${label}: all ${ITEMS} items on B`,
        unit: 'ms',
        ...summarize([total]),
        target: '≤ 3000 ms',
        met: total <= 3000,
        samples: [total]
      })
      process.stdout.write(
        `${`${label}: all ${ITEMS} items on B`.padEnd(62)} ${(total / 1000).toFixed(2)} s   (join returned after ${(joinReturned / 1000).toFixed(2)} s; target ≤ 3 s)\n`
      )
      if (process.env.SHOW_LOG === '1')
        process.stdout.write(
          (await b.log()).split('\n').slice(-8).join('\n') + '\n' + (await a.log()).split('\n').slice(-6).join('\n') + '\n'
        )
      await b.stop()
    }
  } finally {
    await a.destroy()
    for (const b of joiners) await b.destroy()
    agent.destroy()
  }
  await saveResults(
    'sync-join',
    'kith daemon child with DAEMON_NODE_FLAGS and DAEMON_ENV given (as kith start spawns it), 127.0.0.1, --no-mdns'
  )
}

await main()
