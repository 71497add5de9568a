/**
 * Sync figures between two paired daemons on loopback (issue 3):
 *  - propagation of one change, from A's API call returning to B's API serving it, over 250 creates
 *    and 250 one-field edits (B's event stream wakes the check; one GET on B confirms it);
 *  - bytes on the wire (TCP payload: Noise + yamux + sync frames, both directions) per one-field edit,
 *    read from the kernel's per-socket counters (ss -ti) and net of an idle window of equal length;
 *  - idle CPU of each daemon with the peer connected, over 30 s (after 20 s to settle: start-up and the burst above leave V8 and LevelDB busy for a while, even on a daemon with no peer).
 * Run: npx tsx bench/sync-propagation.ts   (npm run build first, so the daemons run the bundle)
 */
import { agent, call } from './apiClient.js'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { TestDaemon } from '../test/helpers/daemonProcess.js'
import { SseClient } from '../test/sync/helpers/sse.js'
import { approveWhenWaiting } from '../test/sync/helpers/daemons.js'
import { QUICK, report, summarize } from './stats.js'
import { record, saveResults } from './results.js'

const PASSWORD = 'correct horse battery staple'
const CREATES = Number(process.env.CREATES ?? (QUICK ? 50 : 250))
const EDITS = Number(process.env.EDITS ?? (QUICK ? 50 : 250))
const IDLE_SECONDS = Number(process.env.IDLE_SECONDS ?? (QUICK ? 10 : 30))

const sleep = async (ms: number): Promise<void> => {
  await new Promise(resolve => setTimeout(resolve, ms))
}

/** TCP payload bytes (sent + received) on a daemon's libp2p connections, from the kernel's socket counters. */
function wireBytes(pid: number, libp2pPorts: number[]): number {
  const lines = execFileSync('ss', ['-tinpH', 'state', 'established'], { encoding: 'utf8' }).split('\n')
  let total = 0
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string
    if (!line.includes(`pid=${pid},`)) continue
    const ports = [...line.matchAll(/:(\d+)\s/g)].map(m => Number(m[1]))
    if (!ports.some(p => libp2pPorts.includes(p))) continue
    const info = lines[i + 1] ?? ''
    total += Number(/bytes_sent:(\d+)/.exec(info)?.[1] ?? 0) + Number(/bytes_received:(\d+)/.exec(info)?.[1] ?? 0)
  }
  return total
}

function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
  return Number(fields[11]) + Number(fields[12])
}

async function main(): Promise<void> {
  const a = await TestDaemon.create()
  const b = await TestDaemon.create()
  try {
    await a.start()
    await b.start()
    await a.init(PASSWORD)
    const invite = await call(a, 'POST', '/api/pairing/invite', {})
    const joining = call(b, 'POST', '/api/pairing/join', { invitation: invite.body.invitation, password: PASSWORD })
    await approveWhenWaiting(a, b)
    const joined = await joining
    if (joined.status !== 201) throw new Error(`join failed: ${JSON.stringify(joined.body)}`)
    const events = await SseClient.open(b.info!)
    await sleep(500)

    // propagation: creates, then one-field edits
    const measure = async (label: string, n: number, op: (i: number) => Promise<string>): Promise<number[]> => {
      const samples: number[] = []
      for (let i = 0; i < n; i++) {
        const from = events.events.length
        const id = await op(i)
        const t0 = performance.now()
        await events.waitFor(e => e.event === 'item-changed' && e.data.id === id, 10_000, from)
        const res = await call(b, 'GET', `/api/items/${id}`)
        if (res.status !== 200) throw new Error(`B does not serve ${id}`)
        samples.push(performance.now() - t0)
        await sleep(2 + Math.random() * 5)
      }
      report(label, samples, 'ms', 'p50 ≤ 10 ms, p99 ≤ 50 ms')
      return samples
    }
    const ids: string[] = []
    const creates = await measure('propagation A→B, create', CREATES, async i => {
      const res = await call(a, 'POST', '/api/items', {
        title: `item ${i}`,
        username: `user${i}@example.com`,
        password: `pw-${i}-${Math.random().toString(36).slice(2)}`,
        urls: [`https://site${i}.example.com`]
      })
      ids.push(res.body.id)
      return res.body.id as string
    })
    const edits = await measure('propagation A→B, one-field edit', EDITS, async i => {
      const id = ids[i % ids.length] as string
      await call(a, 'PATCH', `/api/items/${id}`, { password: `edited-${i}-${Math.random().toString(36).slice(2)}` })
      return id
    })
    report('propagation A→B, all', [...creates, ...edits], 'ms', 'p50 ≤ 10 ms, p99 ≤ 50 ms')

    // bytes on the wire per one-field edit, net of an equally long idle window
    const ports = [a.info!, b.info!].map(info => Number(/tcp\/(\d+)/.exec(info.multiaddrs[0] ?? '')?.[1]))
    const pid = a.info!.pid
    const N = 100
    const idle0 = wireBytes(pid, ports)
    const tIdle = performance.now()
    await sleep(N * 6)
    const idleBytes = wireBytes(pid, ports) - idle0
    const idleMs = performance.now() - tIdle
    const w0 = wireBytes(pid, ports)
    const tEdit = performance.now()
    for (let i = 0; i < N; i++) {
      const from = events.events.length
      const id = ids[i % ids.length] as string
      await call(a, 'PATCH', `/api/items/${id}`, { username: `u-${i}-${Math.random().toString(36).slice(2, 8)}` })
      await events.waitFor(e => e.event === 'item-changed' && e.data.id === id, 10_000, from)
      await sleep(5)
    }
    const editMs = performance.now() - tEdit
    const editBytes = wireBytes(pid, ports) - w0 - idleBytes * (editMs / idleMs)
    process.stdout.write(
      `${'wire bytes per one-field edit (TCP payload, both ways)'.padEnd(48)} ${(editBytes / N).toFixed(0)} B   (idle traffic ${idleBytes} B over ${(idleMs / 1000).toFixed(1)} s subtracted; target ≤ 1024 B)\n`
    )
    const sync = (await call(a, 'GET', '/api/status')).body.sync
    process.stdout.write(
      `${'sync frames A→B so far (application level)'.padEnd(48)} ${JSON.stringify(sync.peers.map((p: { envelopesOut: number; bytesOut: number }) => ({ envelopesOut: p.envelopesOut, bytesOut: p.bytesOut })))}\n`
    )

    // idle CPU with the peer connected
    events.close()
    // let the burst above settle (LevelDB compacts in the background after hundreds of writes)
    await sleep(Number(process.env.SETTLE_SECONDS ?? 20) * 1000)
    const hz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim())
    const c0 = [cpuTicks(a.info!.pid), cpuTicks(b.info!.pid)]
    const t0 = performance.now()
    await sleep(IDLE_SECONDS * 1000)
    const secs = (performance.now() - t0) / 1000
    const c1 = [cpuTicks(a.info!.pid), cpuTicks(b.info!.pid)]
    const pct = c1.map((c, i) => ((c - (c0[i] as number)) / hz / secs) * 100)
    process.stdout.write(
      `${'idle CPU with the peer connected'.padEnd(48)} A ${(pct[0] as number).toFixed(2)} %  B ${(pct[1] as number).toFixed(2)} % of a core over ${secs.toFixed(0)} s   (target ≤ 1 %)\n`
    )
    const all = summarize([...creates, ...edits])
    record({
      label: 'wire bytes per one-field edit',
      unit: 'B',
      ...summarize([editBytes / N]),
      target: '≤ 1024 B',
      samples: [editBytes / N]
    })
    record({
      label: 'idle CPU with the peer connected (busier daemon)',
      unit: '%',
      ...summarize([Math.max(...pct)]),
      target: '≤ 1 %',
      samples: pct
    })
    process.stdout.write(
      `SUMMARY propagation p50 ${all.median.toFixed(2)} ms p99 ${all.p99.toFixed(2)} ms; wire ${(editBytes / N).toFixed(0)} B/edit; idle CPU ${Math.max(...pct).toFixed(2)} %\n`
    )
  } finally {
    await a.destroy()
    await b.destroy()
    agent.destroy()
  }
  await saveResults(
    'sync-propagation',
    'kith daemon child with DAEMON_NODE_FLAGS and DAEMON_ENV given (as kith start spawns it), 127.0.0.1, --no-mdns'
  )
}

await main()
